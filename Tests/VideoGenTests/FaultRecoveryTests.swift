import Foundation
import Synchronization
import Testing
@testable import VideoGen

/// RELIABILITY.md rows 2 (sustained outage, retry budget), 12 (kill -9 during a download) and 19 (cancel under
/// faults, restart from the record), against the emulator. Rows 12 and 19 run C programs of `Tests/c/` (not part of
/// `Tests/c/run.sh`) as child processes, so that killing them, and counting their descriptors and threads, is not
/// disturbed by the other tests. Figures are printed as `FIGURE:` lines (scripts/reliability-figures.sh).
@Suite("fault recovery: outage, cancel, kill -9", .serialized)
struct FaultRecoveryTests {
    // MARK: - row 2: sustained outage

    @Test("a sustained 503 outage on 20 concurrent tasks: ≤ budget/5 retries, then fail-fast, regular polls, and recovery within one poll interval")
    func sustainedOutage() async throws {
        let emulator = try EmulatorProcess(taskSeconds: 0.3)
        var configuration = try emulator.configuration(.openai)
        // Default budget (500 tokens) and attempts (4); short backoff so that draining it takes about a second.
        configuration.retry = RetryPolicy(maxAttempts: 4, baseDelay: 0.01, maxDelay: 0.02)
        let interval = 0.2
        configuration.poll = PollPolicy(interval: interval, maxInterval: interval, multiplier: 1, jitter: 0, minInterval: 0.05)
        // Every pause the client takes (a retry's backoff, a wait's next poll) is recorded once `sleeps` is armed:
        // phase 3's bound is the schedule the waits chose, not a measured gap.
        let sleeps = SleepRecorder(armed: false)
        let client = sleeps.client(configuration)
        let budget = client.retryBudget
        #expect(budget.capacity == 500 && budget.available == 500)
        let taskCount = 20
        let tasks = try await withThrowingTaskGroup(of: TaskSnapshot.self) { group in
            for _ in 0..<taskCount { group.addTask { try await client.submit(VideoRequest(model: "sora-2", prompt: "p")) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(budget.available == 500)
        func statusGets() async throws -> [JSONValue] {
            try await emulator.entries("GET") { $0.hasPrefix("/v1/videos/") }
        }
        try await emulator.setFaults([rule("status:503")])

        // Phase 1: single requests (refresh) on every task until the bucket is empty, then two more each once
        // every task saw it empty: those are counted, each must be exactly one request (fail-fast).
        let start = ContinuousClock.now
        let drainCalls = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in tasks {
                group.addTask {
                    var calls = 0
                    while budget.available >= RetryBudget.transientCost {
                        calls += 1
                        await expectError(.server) { _ = try await client.refresh(task) }
                    }
                    return calls
                }
            }
            return try await group.reduce(0, +)
        }
        let drainTime = seconds(since: start)
        let drained = try await statusGets().count
        let slowestFailFast = try await withThrowingTaskGroup(of: Double.self) { group in
            for task in tasks {
                group.addTask {
                    var slowest = 0.0
                    for _ in 0..<2 {
                        let start = ContinuousClock.now
                        await expectError(.server) { _ = try await client.refresh(task) }
                        slowest = max(slowest, seconds(since: start))
                    }
                    return slowest
                }
            }
            return try await group.reduce(0.0) { max($0, $1) }
        }
        let phase1 = try await statusGets()
        let calls = drainCalls + 2 * taskCount
        let retries = drained - drainCalls
        #expect(phase1.allSatisfy { $0.status == 503 })
        #expect(retries <= 500 / RetryBudget.transientCost, "retries bounded by the budget")
        #expect(retries >= 500 / RetryBudget.transientCost - 4, "the budget was what stopped the retries")
        #expect(budget.available < RetryBudget.transientCost)
        #expect(phase1.count - drained == 2 * taskCount, "with the bucket empty a refresh is one request")
        figure("row2: 503 outage, \(taskCount) tasks, refresh until the bucket is empty: \(calls) refresh calls, \(phase1.count) requests, \(retries) retries (bound 500/14 = 35) in \(String(format: "%.2f", drainTime)) s; then each refresh = 1 request, slowest \(String(format: "%.0f", slowestFailFast * 1000)) ms")

        // Phase 2: waits during the outage keep the regular schedule (no early retries with the bucket empty).
        let before = phase1.count
        let window = 1.0
        let deadlines = try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in tasks {
                group.addTask {
                    do {
                        _ = try await client.wait(for: task, timeout: window)
                        return false
                    } catch let error as VideoGenError {
                        return error.code == .deadline
                    }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        let phase2 = try await statusGets().count - before
        let schedule = Int(window / interval) + 1
        #expect(deadlines == taskCount, "every wait ran to its deadline")
        #expect(phase2 <= taskCount * schedule, "no more than the schedule's polls (\(schedule) per task)")
        figure("row2: \(taskCount) waits of \(window) s during the outage, bucket empty: \(phase2) polls (\(String(format: "%.1f", Double(phase2) / Double(taskCount))) per task; the schedule allows \(schedule)), all ended with deadline")

        // Phase 3: recovery. The waits start during the outage; the rule is removed; each task's first poll
        // after that succeeds within one poll interval.
        sleeps.arm()
        let waits = Task {
            try await withThrowingTaskGroup(of: TaskState.self) { group in
                for task in tasks { group.addTask { try await client.wait(for: task, timeout: 20).state } }
                return try await group.reduce(into: [TaskState]()) { $0.append($1) }
            }
        }
        try await Task.sleep(nanoseconds: 500_000_000)
        let recovered = Date().timeIntervalSince1970
        try await emulator.setFaults([])
        let states = try await waits.value
        #expect(states.allSatisfy { $0 == .succeeded })
        let log = try await statusGets()
        var worst = 0.0
        for task in tasks {
            let first = log.first { $0["path"]?.stringValue == "/v1/videos/\(task.id)" && $0.status == 200 && $0.time >= recovered }
            let gap = (first?.time ?? .infinity) - recovered
            worst = max(worst, gap)
        }
        // Recovery within one poll interval comes from the schedule: with the bucket empty a failed poll waits for
        // the regular interval (pollSkipped), never for a growing backoff, so no wait is ever further than one
        // interval from its next poll. The measured gap (wall clock, scheduling included) is only reported.
        let scheduled = sleeps.recorded()
        #expect(scheduled.count >= taskCount, "every wait slept at least once: \(scheduled.count) sleeps")
        #expect(scheduled.allSatisfy { $0 <= interval }, "a wait slept longer than the poll interval: \(scheduled.filter { $0 > interval })")
        figure("row2: recovery: every task's first success \(String(format: "%.0f", worst * 1000)) ms at most after the rule was removed (poll interval \(Int(interval * 1000)) ms; measured, not asserted); \(scheduled.count) scheduled pauses, longest \(String(format: "%.0f", (scheduled.max() ?? 0) * 1000)) ms (asserted ≤ the interval); all \(taskCount) waits succeeded")
    }

    // MARK: - row 19: cancel under faults

    @Test("cancelling a stalled submit (Swift Task) is prompt, and resubmitting the prepared request creates no duplicate")
    func cancelSubmitThenResubmit() async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(.openai, requestTimeout: 30))
        // The stall is long against any scheduling delay (a cancel under load took 2.4 s), so every cancel comes
        // before the answer: an ineffective cancel shows as a successful submit, checked below.
        let stall = 8.0
        try await emulator.setFaults([rule("stall:\(stall)", match: "/v1/videos", method: "POST")])
        let points = [0.0, 0.02, 0.1, 0.3, 0.6]
        var prepared: [PreparedSubmission] = []
        var worst = 0.0
        for point in points {
            let submission = try client.prepare(VideoRequest(model: "sora-2", prompt: "p"))
            prepared.append(submission)
            let running = Task { try await client.submit(submission) }
            try await Task.sleep(nanoseconds: UInt64(point * 1e9))
            let start = ContinuousClock.now
            running.cancel()
            let result = await running.result
            let ack = seconds(since: start)
            worst = max(worst, ack)
            // A hang guard only: a submit neither cancelled nor answered would end at the 30 s request timeout.
            #expect(ack < 20, "cancelled after \(ack) s")
            #expect((try? result.get()) == nil)
            if case .failure(let error as VideoGenError) = result {
                #expect([.cancelled, .unknownOutcome].contains(error.code), "\(error)")
            }
        }
        // Restart: the same prepared submissions (same Idempotency-Keys), no fault.
        let stalled = try await emulator.faultCounters().first?.fired ?? 0
        try await emulator.setFaults([])
        var ids = Set<String>()
        for submission in prepared { ids.insert(try await client.submit(submission).id) }
        // The stalled POSTs reach the service's route after the stall (the emulator runs them even though the
        // client left, and logs them then): they must replay, not create tasks. Waited for by count, not by time.
        let settled = try await eventually(within: stall + 60) {
            try await emulator.entries("POST") { $0 == "/v1/videos" }.filter { $0["fault"] != nil }.count == stalled
        }
        #expect(settled, "all \(stalled) stalled POSTs were answered")
        let tasks = try await emulator.taskCount()
        let keys = Set(prepared.map(\.idempotencyKey))
        let posts = try await emulator.entries("POST") { $0 == "/v1/videos" }
        #expect(ids.count == points.count)
        #expect(tasks == Int64(points.count), "one task per prepared submission: no duplicates")
        #expect(posts.allSatisfy { keys.contains($0["idempotency_key"]?.stringValue ?? "") })
        figure("row19: cancel during a stalled submit (Swift Task), \(points.count) points 0-0.6 s: cancelled after at most \(String(format: "%.0f", worst * 1000)) ms; resubmitting the prepared requests: \(posts.count) POSTs, \(tasks) tasks for \(points.count) submissions (0 duplicates)")
    }

    @Test("cancel during a stalled submit, a stalled poll and a stalled or dripping download (C API): prompt, no late callback, restart from the record byte-exact, descriptors and threads back to baseline")
    func cancelUnderFaultsCABI() async throws {
        let emulator = try EmulatorProcess(taskSeconds: 0.3)
        let expectedBlob = try await emulator.blobBytes(2_097_152)
        let sample = try EmulatorProcess.sampleVideo
        try await withTemporaryDirectory { directory in
            let program = try await CProgram.compile("cancel_soak.c", in: directory)
            let work = directory + "/work"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let (status, output) = try await program.run(["cancel", emulator.baseURL, emulator.key, work], timeout: 120)
            output.figureLines.forEach { print($0) }
            #expect(status == 0, "\(output)")
            #expect(output.failLines.isEmpty, "\(output.failLines)")
            for i in 0..<4 {
                #expect((try? Data(contentsOf: URL(fileURLWithPath: work + "/resumed-poll-\(i).mp4"))) == sample, "resumed job \(i)")
            }
            for i in 0..<6 {
                #expect((try? Data(contentsOf: URL(fileURLWithPath: work + "/download-\(i).bin"))) == expectedBlob, "resumed download \(i)")
            }
            // Cancelled downloads kept their parts (with notes); the restarts continued each from where it ended.
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: work).filter { $0.contains(".part") }
            #expect(leftovers.isEmpty, "\(leftovers)")
            let kept = (output.result("kept_parts") ?? []).compactMap(Int.init)
            #expect(kept.count == 6)
            let ranges = try await emulator.entries("GET") { $0.hasPrefix("/_emulator/blob/") }.compactMap { $0["range"]?.stringValue }
            for size in kept where size > 0 {
                #expect(ranges.contains("bytes=\(size)-"), "the restart continued the \(size)-byte part")
            }
            // One POST per submit that was not cancelled (the 5 cancelled ones are stalled 20 s and log later, as
            // faulted); restarting from a record sends none.
            let submits = Int(output.result("submits")?.first ?? "") ?? -1
            let posts = try await emulator.entries("POST") { $0 == "/v1/videos" }.filter { $0["fault"] == nil }
            #expect(posts.count == submits - 5, "no duplicate submits")
            // Descriptors and threads: back to the warm-up baseline. Slack: the process-wide transport may keep
            // up to 2 idle connections, and the cooperative pool and the library's pool may have grown by a few
            // threads under load (they do not shrink).
            let fds = (output.result("fds") ?? []).compactMap(Int.init)
            let threads = (output.result("threads") ?? []).compactMap(Int.init)
            #expect(fds.count == 2 && fds[1] <= fds[0] + 2, "descriptors \(fds)")
            #expect(threads.count == 2 && threads[1] <= threads[0] + 4, "threads \(threads)")
        }
    }

    @Test("a download cancelled mid-body keeps its part and note; the next download asks only for the rest and ends byte-exact")
    func cancelledDownloadIsContinued() async throws {
        let emulator = try EmulatorProcess()
        let size = 4 << 20
        let expected = try await emulator.blobBytes(size)
        // The body stops after 1.5 MiB for 60 s: the cancel always comes mid-body, whatever the machine's speed.
        try await emulator.setFaults([rule("stall-after:1572864:60", match: "/_emulator/blob/")])
        var configuration = try emulator.configuration(.openai)
        configuration.stallTimeout = 120
        let client = VideoGenClient(configuration: configuration)
        try await withTemporaryDirectory { directory in
            let path = directory + "/video.bin"
            let received = Mutex<Int64>(0)
            let running = Task {
                try await client.download(emulator.blobTask(size), to: path) { bytes, _ in received.withLock { $0 = bytes } }
            }
            let deadline = ContinuousClock.now + .seconds(60)
            while received.withLock({ $0 }) < 1 << 20 && ContinuousClock.now < deadline {
                try await Task.sleep(nanoseconds: 10_000_000)
            }
            #expect(received.withLock { $0 } >= 1 << 20, "1 MiB arrived before the stall")
            let start = ContinuousClock.now
            running.cancel()
            let result = await running.result
            let ack = seconds(since: start)
            guard case .failure(let error as VideoGenError) = result else {
                Issue.record("the download was not cancelled: \(result)")
                return
            }
            #expect(error.code == .cancelled)
            #expect(!FileManager.default.fileExists(atPath: path), "no final file")
            let kept = (try? FileManager.default.attributesOfItem(atPath: path + ".part")[.size] as? Int) ?? 0
            #expect(kept >= 1 << 20 && kept <= 1_572_864, "the part holds what arrived (\(kept) bytes)")
            #expect(FileManager.default.fileExists(atPath: path + ".part.resume"))
            #expect(expected.prefix(kept) == (try Data(contentsOf: URL(fileURLWithPath: path + ".part"))))

            try await emulator.setFaults([])
            let before = try await emulator.entries("GET") { $0.hasPrefix("/_emulator/blob/") }.count
            let done = try await client.download(emulator.blobTask(size), to: path)
            let gets = try await emulator.entries("GET") { $0.hasPrefix("/_emulator/blob/") }.dropFirst(before)
            #expect(FileManager.default.contents(atPath: path) == expected)
            #expect(done.download?.bytes == Int64(size))
            #expect(gets.count == 1)
            #expect(gets.first?["range"]?.stringValue == "bytes=\(kept)-" && gets.first?.status == 206, "only the rest was fetched")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["video.bin"])
            figure("row19: download cancelled (Swift Task) after \(kept) of \(size) bytes: returned after \(String(format: "%.0f", ack * 1000)) ms, part and note kept; the next download sent Range: bytes=\(kept)- (206) and ended byte-exact")
        }
    }

    // MARK: - row 12: a part file left by another process

    @Test("a part file another process left is continued with Range + If-Range; a stale or foreign one starts over",
          arguments: ["same task, current validator", "same task, stale validator", "another task"])
    func adoptPartFromAnotherProcess(_ situation: String) async throws {
        let emulator = try EmulatorProcess()
        let size = 1 << 20
        let expected = try await emulator.blobBytes(size)
        let head = try await CurlTransport.shared.send(
            HTTPRequest(method: "GET", url: URL(string: emulator.baseURL + "/_emulator/blob/\(size)")!,
                        headers: [("Range", "bytes=0-0")]), timeout: 30, maxBodyBytes: 1024)
        let etag = try #require(head.headers["etag"])
        let client = VideoGenClient(configuration: try emulator.configuration(.openai))
        let task = emulator.blobTask(size)
        try await withTemporaryDirectory { directory in
            let path = directory + "/video.bin"
            let kept = 300_001                                  // an odd length: the writer must not assume alignment
            try expected.prefix(kept).write(to: URL(fileURLWithPath: path + ".part"))
            let key = situation == "another task" ? "openai \(emulator.baseURL) other" : "openai \(emulator.baseURL) blob"
            let validator = situation == "same task, stale validator" ? "\"stale\"" : etag
            let note = JSONValue.object(["version": .int(1), "key": .string(key), "validator": .string(validator),
                                         "total": .int(Int64(size))])
            try note.serialized().write(to: URL(fileURLWithPath: path + ".part.resume"))
            let before = try await emulator.entries("GET") { $0.hasPrefix("/_emulator/blob/") }.count
            let record = try await client.download(task, to: path)
            let gets = try await emulator.entries("GET") { $0.hasPrefix("/_emulator/blob/") }.dropFirst(before)
            #expect(FileManager.default.contents(atPath: path) == expected)
            var digest = SHA256()
            digest.update(expected)
            #expect(record.download?.sha256 == digest.hexDigest() && record.download?.bytes == Int64(size))
            #expect(!FileManager.default.fileExists(atPath: path + ".part"))
            #expect(!FileManager.default.fileExists(atPath: path + ".part.resume"))
            #expect(gets.count == 1)
            let range = gets.first?["range"]?.stringValue
            let status = gets.first?["status"]?.intValue
            switch situation {
            case "same task, current validator":
                #expect(range == "bytes=\(kept)-" && status == 206, "only the rest was fetched")
            case "same task, stale validator":
                #expect(range == "bytes=\(kept)-" && status == 200, "If-Range failed: the whole file came back")
            default:
                #expect(range == nil && status == 200, "a note for another task is not trusted")
            }
        }
    }

    // MARK: - row 12: kill -9 during a download

    @Test("kill -9 at random points of a download: the final path is absent or byte-exact, and a new process completes it")
    func killDuringDownload() async throws {
        let emulator = try EmulatorProcess()
        let size = 4 * 1024 * 1024
        let expected = try await emulator.blobBytes(size)
        let trials = ProcessInfo.processInfo.environment["VIDEOGEN_KILL_TRIALS"].flatMap(Int.init) ?? 20
        // 8 MiB/s: the transfer itself lasts about half a second.
        try await emulator.setFaults([rule("drip:8388608", match: "/_emulator/blob/")])
        try await withTemporaryDirectory { directory in
            let program = try await CProgram.compile("crash_download.c", in: directory)
            let path = directory + "/video.bin"
            let arguments = [emulator.baseURL, emulator.key, emulator.baseURL + "/_emulator/blob/\(size)", path]
            // A complete run first: its duration sets the range of kill points.
            let start = ContinuousClock.now
            let full = try await program.run(arguments, timeout: 60)
            let fullTime = seconds(since: start)
            #expect(full.status == 0, "\(full.output)")
            var random = SplitMix64(seed: 12)
            let trialsStart = ContinuousClock.now
            var outcomes = (absent: 0, partPresent: 0, complete: 0, corrupt: 0)
            var completions = 0
            var resumed = 0
            for trial in 0..<trials {
                try? FileManager.default.removeItem(atPath: path)
                let point = Double(random.next() % 10_000) / 10_000 * fullTime * 1.1
                let process = try program.start(arguments, outputPath: directory + "/trial.log")
                try await Task.sleep(nanoseconds: UInt64(point * 1e9))
                kill(process.processIdentifier, SIGKILL)
                while process.isRunning { try await Task.sleep(nanoseconds: 5_000_000) }
                if let data = FileManager.default.contents(atPath: path) {
                    if data == expected { outcomes.complete += 1 } else { outcomes.corrupt += 1 }
                } else if FileManager.default.fileExists(atPath: path + ".part") {
                    outcomes.partPresent += 1
                } else {
                    outcomes.absent += 1
                }
                if trial % 4 == 3 || trial == trials - 1 {
                    let left = (try? FileManager.default.attributesOfItem(atPath: path + ".part")[.size] as? Int) ?? 0
                    let noted = FileManager.default.fileExists(atPath: path + ".part.resume")
                    let before = try await emulator.entries("GET") { $0.hasPrefix("/_emulator/blob/") }.count
                    let run = try await program.run(arguments, timeout: 60)
                    #expect(run.status == 0, "\(run.output)")
                    #expect(FileManager.default.contents(atPath: path) == expected, "a new process completes byte-exact")
                    #expect(!FileManager.default.fileExists(atPath: path + ".part"))
                    #expect(!FileManager.default.fileExists(atPath: path + ".part.resume"))
                    if left > 0 && noted && left < size {
                        let first = try await emulator.entries("GET") { $0.hasPrefix("/_emulator/blob/") }.dropFirst(before).first
                        #expect(first?["range"]?.stringValue == "bytes=\(left)-", "the new process continues the part file")
                        resumed += 1
                    }
                    completions += 1
                }
            }
            #expect(outcomes.corrupt == 0, "the final path never holds a partial or wrong file")
            figure("row12: kill -9 at \(trials) random points (seed 12) of a 4 MiB download (8 MiB/s drip, \(String(format: "%.2f", fullTime)) s per run): final path absent \(outcomes.absent + outcomes.partPresent) times (\(outcomes.partPresent) with a .part left), byte-exact \(outcomes.complete), corrupt \(outcomes.corrupt); \(completions) downloads in new processes afterwards all byte-exact, \(resumed) of them continuing the part file left behind (\(String(format: "%.0f", seconds(since: trialsStart))) s)")
        }
    }
}

/// A small seeded generator (SplitMix64) for reproducible random points.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
