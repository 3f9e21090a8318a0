import Foundation
import Synchronization
import Testing
@testable import VideoGen

/// Helpers of the fault suite: fault rules, the emulator's request log and counters, blob bytes, canary checks.
extension EmulatorProcess {
    /// Installs fault rules (`faults.py`), replacing the previous ones.
    func setFaults(_ rules: [JSONValue], seed: Int64 = 0) async throws {
        _ = try await control("/_emulator/control", method: "POST", json: ["faults": .array(rules), "fault_seed": .int(seed)])
    }

    /// Changes emulator settings (`task_seconds`, `url_ttl_seconds`, ...).
    func settings(_ changes: JSONValue) async throws {
        _ = try await control("/_emulator/control", method: "POST", json: changes)
    }

    /// A client configuration for this emulator with a shorter request timeout.
    func configuration(_ dialect: Dialect, requestTimeout: Double) throws -> ClientConfiguration {
        var configuration = try configuration(dialect)
        configuration.requestTimeout = requestTimeout
        return configuration
    }

    /// The installed rules' counters, in rule order: requests each rule matched (`seen`) and faulted (`fired`).
    /// Unlike the request log (the newest 10,000 entries), they count every request.
    func faultCounters() async throws -> [(seen: Int, fired: Int)] {
        (try await control("/_emulator/faults")["faults"]?.arrayValue ?? []).map {
            (Int($0["seen"]?.intValue ?? -1), Int($0["fired"]?.intValue ?? -1))
        }
    }

    /// Tasks the emulator has created.
    func taskCount() async throws -> Int64 {
        try await control("/_emulator/stats")["tasks"]?.intValue ?? -1
    }

    /// `n` bytes of the emulator's deterministic blob, fetched without faults.
    func blobBytes(_ n: Int) async throws -> Data {
        let request = HTTPRequest(method: "GET", url: URL(string: baseURL + "/_emulator/blob/\(n)")!)
        return try await CurlTransport.shared.send(request, timeout: 30, maxBodyBytes: n + 1).body
    }

    /// Log entries of `method` requests whose path satisfies `path`.
    func entries(_ method: String, where path: (String) -> Bool) async throws -> [JSONValue] {
        try await requests().filter { $0["method"]?.stringValue == method && path($0["path"]?.stringValue ?? "") }
    }

    /// A succeeded task of this emulator whose video is `/_emulator/blob/<size>` (plus `query`).
    func blobTask(_ size: Int, query: String = "", dialect: Dialect = .openai) -> TaskSnapshot {
        var snapshot = TaskSnapshot(id: "blob", dialect: dialect.rawValue, baseURL: baseURL, state: .succeeded)
        snapshot.videoURL = baseURL + "/_emulator/blob/\(size)" + query
        return snapshot
    }
}

extension JSONValue {
    /// The log entry's `time` (unix seconds).
    var time: Double { self["time"]?.doubleValue ?? 0 }
    /// The log entry's status.
    var status: Int64 { self["status"]?.intValue ?? -1 }
}

/// A fault rule (`skip`: the rule leaves the first `skip` matching requests alone).
func rule(_ fault: String, match: String? = nil, method: String? = nil, origin: String? = nil, rate: Double? = nil,
          count: Int64? = nil, skip: Int64? = nil) -> JSONValue {
    var object: [String: JSONValue] = ["fault": .string(fault)]
    if let match { object["match"] = .string(match) }
    if let method { object["method"] = .string(method) }
    if let origin { object["origin"] = .string(origin) }
    if let rate { object["rate"] = .double(rate) }
    if let count { object["count"] = .int(count) }
    if let skip { object["skip"] = .int(skip) }
    return .object(object)
}

/// A fresh canary key: any occurrence outside the Authorization header of the API origin is a leak.
func canaryKey() -> String { "sk-CANARY-\(UUID().uuidString)" }

/// A fresh empty directory, removed by `body`'s end.
func withTemporaryDirectory(_ body: (String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vg-fault-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try await body(directory.path)
}

/// Every file under `directory` (part files included), as raw bytes.
func filesContain(_ needle: String, in directory: String) -> Bool {
    let needleBytes = Data(needle.utf8)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.contains { name in
        (try? Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))?.range(of: needleBytes) != nil
    }
}

/// Seconds since `start`.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let duration = start.duration(to: .now)
    return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// How many trials a test of one §7 row runs, and whether the count was asked for (`scaled`) or is the default.
struct FaultTrials {
    let count: Int
    /// An environment variable set the count: the test also uses the reference's sizes where they differ from the
    /// fast default (row 3: `Retry-After: 7` instead of 1; row 10: 200 MB instead of 8 MiB) and asserts the
    /// reference's bounds where the default run asserts looser ones.
    let scaled: Bool
}

/// Trials of §7 row `row` (scripts/reliability-figures.sh): `VIDEOGEN_FAULT_TRIALS_ROW<row>` if set, else
/// `VIDEOGEN_FAULT_TRIALS` (a number for every row, or `reference` for each row's count in the reference), else
/// `fallback`, the count of the default run (`make test`).
func faultTrials(row: Int, default fallback: Int, reference: Int) -> FaultTrials {
    let environment = ProcessInfo.processInfo.environment
    for name in ["VIDEOGEN_FAULT_TRIALS_ROW\(row)", "VIDEOGEN_FAULT_TRIALS"] {
        guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { continue }
        if text.lowercased() == "reference" { return FaultTrials(count: reference, scaled: true) }
        if let count = Int(text) { return FaultTrials(count: max(1, count), scaled: true) }
    }
    return FaultTrials(count: fallback, scaled: false)
}

/// The `p` quantile (0...1) of `values` (nearest rank); 0 for none.
func quantile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
}

/// `value` with `decimals` decimals.
func fixed(_ value: Double, _ decimals: Int = 3) -> String {
    String(format: "%.\(decimals)f", value)
}

/// Prints a measured figure; `scripts/reliability-figures.sh` collects these lines.
func figure(_ text: String) {
    print("FIGURE: \(text)")
}

/// The pauses a client took (a retry's backoff, a wait's next poll: its `sleep` hook), recorded while armed, so that
/// a test checks the delays the schedule chose instead of measuring them on the wall clock. The client still sleeps.
final class SleepRecorder: Sendable {
    private let state: Mutex<(armed: Bool, seconds: [Double])>

    /// A recorder, armed at once unless `armed` is false.
    init(armed: Bool = true) {
        state = Mutex((armed, []))
    }

    /// A client of `configuration` (the default transport and jitter) whose pauses this recorder notes.
    func client(_ configuration: ClientConfiguration) -> VideoGenClient {
        VideoGenClient(configuration: configuration, transport: nil, random: { Double.random(in: 0..<1) },
                       scheduler: RecordingScheduler(recorder: self))
    }

    /// Starts recording.
    func arm() { state.withLock { $0.armed = true } }

    /// Notes a pause of `seconds`, when armed.
    func note(_ seconds: Double) { state.withLock { if $0.armed { $0.seconds.append(seconds) } } }

    /// The pauses noted while armed.
    func recorded() -> [Double] { state.withLock { $0.seconds } }
}

/// The process-wide transport's timers, each pause noted by a `SleepRecorder` first.
struct RecordingScheduler: EngineScheduler {
    let recorder: SleepRecorder

    func schedule(after seconds: Double, _ fire: @escaping @Sendable () -> Void) -> any Cancellable {
        recorder.note(seconds)
        return CurlTransport.shared.schedule(after: seconds, fire)
    }
}

/// Waits until `condition` holds, checking every 10 ms; gives up after `limit` seconds, a bound that only guards
/// against a hang (the event itself is what the test waits for, not a duration). Returns whether it held.
@discardableResult
func eventually(within limit: Double, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(limit * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(nanoseconds: 10_000_000)
    }
    return try await condition()
}
