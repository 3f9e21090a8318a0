import Foundation
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

    /// Tasks the emulator has created.
    func taskCount() async throws -> Int64 {
        try await control("/_emulator/stats")["tasks"]?.intValue ?? -1
    }

    /// `n` bytes of the emulator's deterministic blob, fetched without faults.
    func blobBytes(_ n: Int) async throws -> Data {
        let request = HTTPRequest(method: "GET", url: URL(string: baseURL + "/_emulator/blob/\(n)")!)
        return try await URLSessionTransport.shared.send(request, timeout: 30, maxBodyBytes: n + 1).body
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

/// A fault rule.
func rule(_ fault: String, match: String? = nil, method: String? = nil, origin: String? = nil, rate: Double? = nil,
          count: Int64? = nil) -> JSONValue {
    var object: [String: JSONValue] = ["fault": .string(fault)]
    if let match { object["match"] = .string(match) }
    if let method { object["method"] = .string(method) }
    if let origin { object["origin"] = .string(origin) }
    if let rate { object["rate"] = .double(rate) }
    if let count { object["count"] = .int(count) }
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

/// Trials for the figures script (`VIDEOGEN_FAULT_TRIALS`, default `fallback`).
func faultTrials(_ fallback: Int) -> Int {
    ProcessInfo.processInfo.environment["VIDEOGEN_FAULT_TRIALS"].flatMap(Int.init).map { max(1, $0) } ?? fallback
}

/// Prints a measured figure; `scripts/reliability-figures.sh` collects these lines.
func figure(_ text: String) {
    print("FIGURE: \(text)")
}
