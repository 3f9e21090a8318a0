import Foundation
import Synchronization
import Testing
@testable import VideoGen

/// The real client and libcurl transport against the emulator's injected faults (`faults.py`): the right error
/// or the right result, byte-exact files, no duplicate submits, no leaked key, bounded requests, honoured hints.
/// Figures are printed as `FIGURE:` lines (see scripts/reliability-figures.sh and RELIABILITY.md).
@Suite("fault injection against the emulator", .serialized)
struct FaultInjectionTests {
    static let blobSize = 4 * 1024 * 1024

    func fastPoll(_ configuration: inout ClientConfiguration) {
        configuration.poll = PollPolicy(interval: 0.05, maxInterval: 0.05, multiplier: 1, jitter: 0, minInterval: 0.05)
    }

    // MARK: - polls (§7 rows 1, 3, 4, 7)

    @Test("20 % injected 503 on polls: no spurious failure, amplification within the injected rate (default retry policy)")
    func pollAmplification() async throws {
        let tasks = faultTrials(row: 1, default: 1, reference: 1000).count
        let emulator = try EmulatorProcess(taskSeconds: 5)
        var configuration = try emulator.configuration(.openai)
        configuration.retry = RetryPolicy()
        fastPoll(&configuration)
        let client = VideoGenClient(configuration: configuration)
        // The first poll is a counted 503 (so a fault happens in every run, however few polls a loaded machine
        // makes: 4 in 12 s happened inside the parallel `make test`); after it, a seeded 20 %. The seeded stream
        // ("3:1") keeps the bound below for every number of draws from 1 to 20,000 (checked offline).
        try await emulator.setFaults([rule("status:503", match: "/v1/videos/", method: "GET", count: 1),
                                      rule("status:503", match: "/v1/videos/", method: "GET", rate: 0.2, skip: 1)], seed: 3)
        let start = ContinuousClock.now
        // One client for every task: a thousand tasks share its retry budget, and the emulator answers far fewer
        // polls per second than they ask for, so the wait's deadline grows with the count.
        let deadline = 60 + Double(tasks) / 10
        let failures = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    let submitted = try await client.submit(VideoRequest(model: "sora-2", prompt: "p"))
                    do {
                        let final = try await client.wait(for: submitted, timeout: deadline)
                        return final.state == .succeeded ? nil : "ended \(final.state.rawValue)"
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var failed: [String] = []
            for try await failure in group { if let failure { failed.append(failure) } }
            return failed
        }
        let elapsed = seconds(since: start)
        // The rule's counters, not the request log: the log keeps only the newest 10,000 entries.
        let counters = try await emulator.faultCounters()
        try #require(counters.count == 2)
        let (first, seeded) = (counters[0], counters[1])
        // The seeded rule's draws: every poll after the first (its `skip`).
        let (polls, failed) = (max(0, seeded.seen - 1), seeded.fired)
        let amplification = polls > failed ? Double(polls) / Double(polls - failed) : .infinity
        figure("row1: \(tasks) task(s), \(seeded.seen) poll requests, \(first.fired) counted + \(failed) seeded injected 503 (\(fixed(100 * Double(failed) / Double(max(1, polls)), 1)) % of \(polls) draws), \(failures.count) failures, amplification of the seeded draws \(fixed(amplification))× (\(fixed(elapsed, 1)) s)")
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        #expect(first.fired == 1, "the counted fault fired")
        // Faults are drawn per request, so requests / successful requests is 1 / (1 - drawn rate) whatever the client
        // does: a seeded 20 % over a few dozen polls draws more than 23 % (1.3×) in about one run in four. The
        // behaviour under test is that no wait fails; the ratio is checked against the rate plus three standard
        // deviations of the binomial draw, which catches an injector firing more often than asked (from about
        // 1,500 polls on this bound is tighter than the reference's 1.3×, which is asserted as well when it applies).
        // (Below 3 draws the 3σ band covers every outcome: the bound is then no constraint, rather than negative.)
        let sigma = (0.2 * 0.8 / Double(max(1, polls))).squareRoot()
        let upperRate = min(1, 0.2 + 3 * sigma)
        #expect(upperRate >= 1 || amplification <= 1 / (1 - upperRate))
        if polls >= 1500 { #expect(amplification <= 1.3) }
    }

    @Test("502s and connection resets on polls are retried; the wait succeeds")
    func pollResetsAnd502() async throws {
        let emulator = try EmulatorProcess(taskSeconds: 1.5)
        var configuration = try emulator.configuration(.unified)
        fastPoll(&configuration)
        let client = VideoGenClient(configuration: configuration)
        // The first four polls are counted faults (502, 502, reset, reset), so both kinds happen in every run
        // whatever the number of polls; after them, a seeded 15 % of each keeps failing polls mixed in.
        let path = "/v1/video/generations/"
        try await emulator.setFaults([rule("status:502", match: path, method: "GET", count: 2),
                                      rule("reset", match: path, method: "GET", count: 2, skip: 2),
                                      rule("status:502", match: path, method: "GET", rate: 0.15, skip: 4),
                                      rule("reset", match: path, method: "GET", rate: 0.15, skip: 4)], seed: 1)
        let final = try await client.wait(for: try await client.submit(VideoRequest(model: "kling-v1", prompt: "p")), timeout: 30)
        #expect(final.state == .succeeded)
        let polls = try await emulator.entries("GET") { $0.hasPrefix(path) }
        #expect(polls.prefix(4).map { $0["fault"]?.stringValue } == ["status:502", "status:502", "reset", "reset"])
        #expect(polls.prefix(2).allSatisfy { $0.status == 502 })
        #expect(polls.count > 4 && polls.last?.status == 200, "retried past the faults until the task succeeded")
        figure("row1b: \(polls.count) polls, \(polls.filter { $0["fault"] != nil }.count) with 502 or reset (the first four counted, then a seeded 15 % each), wait succeeded")
    }

    /// Row 3: `trials` concurrent submits, each from a client of its own (a client's retry budget pays for 100
    /// retries after 429s, and the trials are meant to be independent), each answered once by a 429 carrying the
    /// hint `fault` gives. Returns the gap between each submit's two attempts, measured at the emulator (the request
    /// log's receive times, matched by Idempotency-Key).
    func retryAfterGaps(_ emulator: EmulatorProcess, dialect: Dialect, path: String, model: String, fault: String,
                        hint: Double, trials: Int, sleeps: SleepRecorder) async throws -> [Double] {
        try await emulator.setFaults([rule(fault, match: path, method: "POST", count: Int64(trials))])
        // The submits start spread over min(2 s, hint / 2): all at once, the retries of one instant queue behind the
        // shared session's 16 connections per host, and that queueing, not the hint, sets the upper tail (1.585 to
        // 1.647 s for a 1.5 s hint with 100 at once on a loaded machine). Within half the hint, every first attempt
        // reaches the emulator before any retry, so the rule's `count` 429s go to the first attempts.
        let spacing = min(2, hint / 2) / Double(trials)
        let keys = try await withThrowingTaskGroup(of: String?.self) { group in
            for trial in 0..<trials {
                group.addTask {
                    try await Task.sleep(for: .seconds(spacing * Double(trial)))
                    let client = sleeps.client(try emulator.configuration(dialect))
                    return try await client.submit(VideoRequest(model: model, prompt: "p")).idempotencyKey
                }
            }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(Set(keys.compactMap { $0 }).count == trials, "one key per submit")
        let posts = try await emulator.entries("POST") { $0 == path }
        #expect(posts.count == 2 * trials, "one retry per submit: \(posts.count) POSTs for \(trials) submits")
        var gaps: [Double] = []
        for (key, attempts) in Dictionary(grouping: posts, by: { $0["idempotency_key"]?.stringValue ?? "" }) {
            #expect(attempts.count == 2 && attempts[0].status == 429 && (200..<300).contains(attempts[1].status),
                    "\(key): \(attempts.map(\.status))")
            if attempts.count == 2 { gaps.append(attempts[1].time - attempts[0].time) }
        }
        #expect(try await emulator.taskCount() == Int64(trials), "no duplicate task")
        return gaps.sorted()
    }

    /// Checks row 3's gaps against the hint: never sooner (asserted exactly, always: a pause cannot end early),
    /// and the pause each client chose is the hint itself (its `sleep` hook, asserted exactly, always). At most
    /// 10 % later on the wall clock is the reference's measured bound, asserted in scaled runs only (a measurement
    /// run on a quiet machine); the default run, part of the busy `make test`, prints it.
    func checkRetryAfter(_ gaps: [Double], sleeps: [Double], trials: Int, hint: Double, label: String, scaled: Bool) {
        let upper = hint * 1.1
        let within = gaps.filter { $0 >= hint && $0 <= upper }.count
        #expect(gaps.allSatisfy { $0 >= hint }, "sooner than the hint: \(gaps.filter { $0 < hint })")
        #expect(sleeps.count == trials && sleeps.allSatisfy { $0 == hint }, "one pause of exactly the hint per submit: \(sleeps)")
        if scaled {
            #expect(gaps.allSatisfy { $0 <= upper }, "later than allowed: \(gaps.filter { $0 > upper })")
        }
        figure("row3: \(label) on \(gaps.count) concurrent submits (one client each, started over min(2 s, hint / 2)) -> next attempt after min \(fixed(quantile(gaps, 0))) s, median \(fixed(quantile(gaps, 0.5))) s, p99 \(fixed(quantile(gaps, 0.99))) s, max \(fixed(quantile(gaps, 1))) s; \(within)/\(gaps.count) within [\(fixed(hint, 2)), \(fixed(upper, 3))] s")
    }

    @Test("429 with Retry-After seconds on submits: one retry each after a pause of exactly the hint (never sooner; at most 10 % later in scaled runs), same Idempotency-Key, one task each")
    func submitRetryAfterSeconds() async throws {
        let trials = faultTrials(row: 3, default: 1, reference: 100)
        // The reference's hint is 7 s; the default run uses 1 s to stay fast.
        let hint = trials.scaled ? 7 : 1
        let emulator = try EmulatorProcess()
        let sleeps = SleepRecorder()
        let start = ContinuousClock.now
        let gaps = try await retryAfterGaps(emulator, dialect: .openai, path: "/v1/videos", model: "sora-2",
                                            fault: "retry-after:\(hint)", hint: Double(hint), trials: trials.count, sleeps: sleeps)
        #expect(seconds(since: start) < Double(hint) + 10, "a hang guard: the submits take about the hint")
        checkRetryAfter(gaps, sleeps: sleeps.recorded(), trials: trials.count, hint: Double(hint),
                        label: "Retry-After: \(hint)", scaled: trials.scaled)
    }

    @Test("429 with retry-after-ms on submits: the next attempt pauses exactly the milliseconds (never sooner; at most 10 % more in scaled runs)")
    func submitRetryAfterMilliseconds() async throws {
        let trials = faultTrials(row: 3, default: 1, reference: 100)
        let emulator = try EmulatorProcess()
        let sleeps = SleepRecorder()
        let gaps = try await retryAfterGaps(emulator, dialect: .unified, path: "/v1/video/generations", model: "kling-v1",
                                            fault: "retry-after-ms:1500", hint: 1.5, trials: trials.count, sleeps: sleeps)
        checkRetryAfter(gaps, sleeps: sleeps.recorded(), trials: trials.count, hint: 1.5, label: "retry-after-ms: 1500",
                        scaled: trials.scaled)
    }

    @Test("429 with an HTTP-date Retry-After on a poll: the wait honours it and succeeds")
    func pollRetryAfterDate() async throws {
        let emulator = try EmulatorProcess(taskSeconds: 0.5)
        var configuration = try emulator.configuration(.openai)
        fastPoll(&configuration)
        let client = VideoGenClient(configuration: configuration)
        try await emulator.setFaults([rule("retry-after-date:2", match: "/v1/videos/", method: "GET", count: 1)])
        let final = try await client.wait(for: try await client.submit(VideoRequest(model: "sora-2", prompt: "p")), timeout: 30)
        #expect(final.state == .succeeded)
        let polls = try await emulator.entries("GET") { $0.hasPrefix("/v1/videos/") }
        #expect(polls.first?.status == 429 && polls.count >= 2)
        let gap = polls[1].time - polls[0].time
        #expect(gap >= 0.9, "an HTTP date has whole seconds: 2 s from now is at least 1 s away")
        figure("row3: Retry-After: <HTTP date +2 s> -> next poll after \(String(format: "%.3f", gap)) s")
    }

    @Test("Retry-After over 120 s: no retry, rate-limited error carrying the hint, at once")
    func longRetryAfter() async throws {
        let emulator = try EmulatorProcess()
        // "At once" is checked on the mechanism: one request each, and no pause taken (no backoff, no sleep until
        // a next poll), whatever the machine's load.
        let sleeps = SleepRecorder()
        let client = sleeps.client(try emulator.configuration(.openai))
        try await emulator.setFaults([rule("retry-after:300")])
        let start = ContinuousClock.now
        let error = await expectError(.rateLimited) { _ = try await client.submit(VideoRequest(model: "sora-2", prompt: "p")) }
        let submitTime = seconds(since: start)
        #expect(error?.retryAfter == 300)
        let ghost = TaskSnapshot(id: "video_x", dialect: "openai", baseURL: emulator.baseURL)
        let pollError = await expectError(.rateLimited) { _ = try await client.wait(for: ghost, timeout: 30, pollImmediately: true) }
        #expect(pollError?.retryAfter == 300)
        #expect(sleeps.recorded().isEmpty, "no pause before failing: \(sleeps.recorded())")
        let log = try await emulator.requests()
        #expect(log.count == 2, "one submit, one poll")
        figure("row4: Retry-After: 300 -> rateLimited after 1 request in \(String(format: "%.0f", submitTime * 1000)) ms, hint 300 s preserved")
    }

    @Test("400/401/403/404/422 on submit and poll: exactly one attempt and the mapped error")
    func nonRetryableStatuses() async throws {
        let emulator = try EmulatorProcess()
        let sleeps = SleepRecorder()
        let client = sleeps.client(try emulator.configuration(.openai))
        let ghost = TaskSnapshot(id: "video_x", dialect: "openai", baseURL: emulator.baseURL)
        let cases: [(Int, VideoGenError.Code)] = [(400, .badRequest), (401, .auth), (403, .permission), (404, .notFound), (422, .badRequest)]
        var slowest = 0.0
        for (status, code) in cases {
            _ = try await emulator.control("/_emulator/reset", method: "POST")
            try await emulator.setFaults([rule("status:\(status)")])
            let start = ContinuousClock.now
            let error = await expectError(code) { _ = try await client.submit(VideoRequest(model: "sora-2", prompt: "p")) }
            slowest = max(slowest, seconds(since: start))
            #expect(error?.httpStatus == status)
            #expect(error?.message.contains("Injected fault") == true, "the provider's message")
            await expectError(code) { _ = try await client.refresh(ghost) }
            await expectError(code) { _ = try await client.wait(for: ghost, timeout: 10, pollImmediately: true) }
            let log = try await emulator.requests()
            #expect(log.count == 3, "HTTP \(status): 1 submit + 1 refresh + 1 poll, got \(log.count)")
        }
        #expect(sleeps.recorded().isEmpty, "no retry, no backoff: \(sleeps.recorded())")
        figure("row7: 400/401/403/404/422 -> 1 request per call; slowest submit error \(String(format: "%.0f", slowest * 1000)) ms")
    }

    @Test("401 with WWW-Authenticate: Basic on submits and polls: an auth error within 1 s every time, never a hang")
    func basicChallengeRuns() async throws {
        let scaled = faultTrials(row: 8, default: 3, reference: 100)
        let trials = scaled.count
        let emulator = try EmulatorProcess(extra: ["--www-authenticate", "Basic"])
        var times: [Double] = []
        for run in 0..<trials {
            // Both dialects, a fresh client each run; a submit (its own connection pool) and a status GET.
            let dialect: Dialect = run % 2 == 0 ? .openai : .unified
            let client = VideoGenClient(configuration: try emulator.configuration(dialect, key: "sk-wrong-key"))
            var start = ContinuousClock.now
            let error = await expectError(.auth) { _ = try await client.submit(VideoRequest(model: "m", prompt: "p")) }
            times.append(seconds(since: start))
            #expect(error?.httpStatus == 401)
            let ghost = TaskSnapshot(id: "task_x", dialect: dialect.rawValue, baseURL: emulator.baseURL)
            start = ContinuousClock.now
            await expectError(.auth) { _ = try await client.refresh(ghost) }
            times.append(seconds(since: start))
        }
        let log = try await emulator.requests()
        #expect(log.count == 2 * trials, "one request per call")
        #expect(log.allSatisfy { $0.status == 401 })
        // A hang lasts the request timeout (10 s here). The reference's bound, 1 s, is asserted in scaled runs; the
        // default run, inside the parallel `make test`, asserts 5 s (still well short of a hang).
        let slow = times.filter { $0 > 1 }
        #expect(times.allSatisfy { $0 <= (scaled.scaled ? 1 : 5) }, "over the bound: \(times.filter { $0 > 1 })")
        figure("row8: 401 + WWW-Authenticate: Basic, \(trials) runs (submit + status GET each, both dialects): \(times.count - slow.count)/\(times.count) auth errors within 1 s, median \(fixed(quantile(times, 0.5) * 1000, 1)) ms, max \(fixed(quantile(times, 1) * 1000, 1)) ms, \(slow.count) over 1 s, \(times.filter { $0 >= 5 }.count) hangs (≥ 5 s; request_timeout 10 s)")
    }

    // MARK: - submit idempotency (§7 row 6)

    @Test("the service commits the submit and the connection drops: unknown outcome, and resubmitting creates no duplicate")
    func commitThenDrop() async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(.openai))
        let trials = faultTrials(row: 6, default: 3, reference: 500).count
        var duplicates = 0
        let start = ContinuousClock.now
        for _ in 0..<trials {
            _ = try await emulator.control("/_emulator/reset", method: "POST")
            try await emulator.setFaults([rule("commit-drop", method: "POST", count: 1)])
            let prepared = try client.prepare(VideoRequest(model: "sora-2", prompt: "p"))
            let error = await expectError(.unknownOutcome) { _ = try await client.submit(prepared) }
            #expect(error?.message.contains("Idempotency-Key") == true)
            #expect(try await emulator.taskCount() == 1, "the task was committed")
            let task = try await client.submit(prepared)
            let posts = try await emulator.entries("POST") { $0 == "/v1/videos" }
            #expect(posts.count == 2)
            #expect(posts.allSatisfy { $0["idempotency_key"]?.stringValue == task.idempotencyKey })
            #expect(posts.last?["replayed"]?.boolValue == true)
            let created = try await emulator.taskCount()
            if created != 1 { duplicates += 1 }
        }
        #expect(duplicates == 0)
        figure("row6: \(trials) commit-then-drop submits -> unknown_outcome, resubmitted with the same key: \(duplicates) duplicate tasks (\(fixed(seconds(since: start), 1)) s)")
    }

    @Test("a reset before the answer, a 503 with a hint, and a 503 without one on submit")
    func submitFailures() async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(.openai))
        try await emulator.setFaults([rule("reset", method: "POST", count: 1)])
        let prepared = try client.prepare(VideoRequest(model: "sora-2", prompt: "p"))
        await expectError(.unknownOutcome) { _ = try await client.submit(prepared) }
        #expect(try await emulator.taskCount() == 0)
        _ = try await client.submit(prepared)
        #expect(try await emulator.taskCount() == 1)

        _ = try await emulator.control("/_emulator/reset", method: "POST")
        try await emulator.setFaults([rule("status:503:0.2", method: "POST", count: 1)])
        let retried = try await client.submit(VideoRequest(model: "sora-2", prompt: "p"))
        let posts = try await emulator.entries("POST") { _ in true }
        #expect(posts.count == 2 && posts.allSatisfy { $0["idempotency_key"]?.stringValue == retried.idempotencyKey })
        #expect(try await emulator.taskCount() == 1)

        _ = try await emulator.control("/_emulator/reset", method: "POST")
        try await emulator.setFaults([rule("status:503", method: "POST", count: 1)])
        await expectError(.server) { _ = try await client.submit(VideoRequest(model: "sora-2", prompt: "p")) }
        #expect(try await emulator.requests().count == 1, "a 503 without a hint may have been processed: not retried")
    }

    @Test("a connection reset in answer to a submit POST is reported at once, on a warm client, and never re-sent",
          arguments: [Dialect.openai, .unified])
    func resetPostIsReportedAtOnce(_ dialect: Dialect) async throws {
        let emulator = try EmulatorProcess()
        // A long request timeout: the watchdog must not be what ends the submit.
        let timeout = 30.0
        let client = VideoGenClient(configuration: try emulator.configuration(dialect, requestTimeout: timeout))
        let request = VideoRequest(model: "kling-v1", prompt: "p")
        var slowest = 0.0
        for round in 0..<3 {
            _ = try await emulator.control("/_emulator/reset", method: "POST")
            // A successful submit and a poll first, so that a pooled keep-alive connection is there to be reused:
            // libcurl re-sends a request whose reused connection dies (without its body, on this toolchain).
            let warm = try await client.submit(request)
            _ = try await client.refresh(warm)
            try await emulator.setFaults([rule(round == 2 ? "commit-drop" : "reset", method: "POST", count: 1)])
            let start = ContinuousClock.now
            await expectError(.unknownOutcome) { _ = try await client.submit(request) }
            slowest = max(slowest, seconds(since: start))
            let posts = try await emulator.entries("POST") { !$0.hasPrefix("/_emulator") }
            #expect(posts.count == 2, "the warm-up submit and the faulted one, never a silent second copy: \(posts.count)")
            try await emulator.setFaults([])
        }
        // A hang would last the whole request timeout; the reset itself takes milliseconds.
        #expect(slowest < timeout / 3, "took \(slowest) s")
        figure("row6: \(dialect.rawValue) submit answered by a TCP reset on a warm client (3 rounds) -> unknown_outcome after at most \(String(format: "%.0f", slowest * 1000)) ms, 1 POST each (request_timeout \(Int(timeout)) s)")
    }

    // MARK: - downloads (§7 rows 10-14)

    func download(_ emulator: EmulatorProcess, rules: [JSONValue], query: String = "", size: Int = blobSize,
                  stallTimeout: Double? = nil) async throws -> (Data, [JSONValue], Double) {
        var configuration = try emulator.configuration(.openai)
        if let stallTimeout { configuration.stallTimeout = stallTimeout }
        let client = VideoGenClient(configuration: configuration)
        try await emulator.setFaults(rules)
        var result = (Data(), [JSONValue](), 0.0)
        try await withTemporaryDirectory { directory in
            let start = ContinuousClock.now
            let done = try await client.download(emulator.blobTask(size, query: query), to: directory + "/v.bin")
            result.2 = seconds(since: start)
            result.0 = try Data(contentsOf: URL(fileURLWithPath: directory + "/v.bin"))
            #expect(done.download?.bytes == Int64(size))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["v.bin"], "no part file left")
        }
        result.1 = try await emulator.entries("GET") { $0.hasPrefix("/_emulator/blob/") }
        try await emulator.setFaults([])
        return result
    }

    @Test("a connection reset mid-body resumes with Range and ends byte-exact")
    func resetMidBody() async throws {
        let emulator = try EmulatorProcess()
        let (data, log, _) = try await download(emulator, rules: [rule("reset-after:1048576", match: "/_emulator/blob/", count: 1)])
        #expect(data == (try await emulator.blobBytes(Self.blobSize)))
        #expect(log.count == 2)
        let resumedAt = log.last?["range"]?.stringValue
        #expect(resumedAt?.hasPrefix("bytes=") == true)
        let offset = Int(resumedAt?.dropFirst(6).dropLast() ?? "") ?? 0
        figure("row10: 4 MiB, reset after 1 MiB -> byte-exact, resumed at \(offset) (re-fetched \(1_048_576 - offset) bytes at most)")
    }

    /// The start offset of a logged request's `Range: bytes=<n>-` (0 without one).
    func rangeStart(_ entry: JSONValue) -> Int {
        guard let range = entry["range"]?.stringValue, range.hasPrefix("bytes="), range.hasSuffix("-") else { return 0 }
        return Int(range.dropFirst(6).dropLast()) ?? -1
    }

    @Test("5 connection resets at seeded random offsets of one download: resumed each time, byte-exact, nothing received fetched again")
    func resetsAtRandomOffsets() async throws {
        let trials = faultTrials(row: 10, default: 2, reference: 100)
        // The reference's file is 200 MB; the default run uses 8 MiB.
        let size = trials.scaled ? 200_000_000 : 8 << 20
        let resets = 5
        let pause = 0.2
        let emulator = try EmulatorProcess()
        let expected = try await emulator.blobBytes(size)
        var random = SplitMix64(seed: 10)
        var exact = 0
        // Per run: bytes the emulator wrote before a reset and sent again (abrupt runs), bytes the client had
        // received and fetched again (delivered runs).
        var resent: [Double] = []
        var refetched: [Double] = []
        var runTimes: [Double] = []
        let start = ContinuousClock.now
        try await withTemporaryDirectory { directory in
            for run in 0..<trials.count {
                // Reset offsets drawn uniformly over the file; request k (k = 0..4) is reset after the bytes from the
                // previous offset to its own (one rule per request: skip k, count 1), so it breaks at that offset or
                // earlier. Even runs reset abruptly: the emulator writes its bytes and resets at once, and what is
                // still in its socket buffer (often most of it on loopback) never reaches the client. Odd runs let the
                // bytes arrive first (a pause of 0.2 s, one more byte, then the reset), so that what the next request
                // asks for again is what the client had received and threw away: the reference's re-fetched bytes.
                let abrupt = run % 2 == 0
                var offsets = Set<Int>()
                while offsets.count < resets { offsets.insert(1 + Int(random.next() % UInt64(size - 1))) }
                let ends = offsets.sorted()
                let lengths = zip(ends, [0] + ends).map { $0 - $1 }
                _ = try await emulator.control("/_emulator/reset", method: "POST")
                try await emulator.setFaults(lengths.enumerated().map { k, length in
                    rule(abrupt ? "reset-after:\(length)" : "stall-after:\(length):\(pause),reset-after:\(length + 1)",
                         match: "/_emulator/blob/", count: 1, skip: Int64(k))
                })
                var configuration = try emulator.configuration(.openai)
                // An attempt that received bytes starts the download's attempts over and pays back its retry, so
                // the test configuration's 3 attempts are enough for 5 drops; headroom for an abrupt reset that
                // lands before any new byte reaches the client (that attempt brings nothing and counts).
                configuration.retry.maxAttempts = 4
                let client = VideoGenClient(configuration: configuration)
                let path = directory + "/run\(run).bin"
                let runStart = ContinuousClock.now
                let done = try await client.download(emulator.blobTask(size), to: path)
                runTimes.append(seconds(since: runStart))
                #expect(done.download?.bytes == Int64(size))
                let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
                if data == expected { exact += 1 } else { Issue.record("run \(run): not byte-exact") }
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["run\(run).bin"], "no part file left")
                try FileManager.default.removeItem(atPath: path)
                let log = try await emulator.entries("GET") { $0.hasPrefix("/_emulator/blob/") }
                #expect(log.count == resets + 1, "run \(run): one request per reset plus the last: \(log.count)")
                guard log.count == resets + 1 else { continue }
                // Each request starts where the file stood (Range), never before the previous one's start (no
                // restart); request k had lengths[k] bytes (plus one in delivered runs) sent from its start.
                let starts = log.map(rangeStart)
                let forward = zip(starts, starts.dropFirst()).allSatisfy { (before: Int, after: Int) in before <= after }
                #expect(starts[0] == 0 && forward, "run \(run): \(starts)")
                var again = 0
                for k in 0..<resets { again += max(0, starts[k] + lengths[k] - starts[k + 1]) }
                if abrupt { resent.append(Double(again)) } else { refetched.append(Double(again)) }
            }
        }
        let elapsed = seconds(since: start)
        func share(_ bytes: Double) -> String { fixed(100 * bytes / Double(size), 3) + " %" }
        figure("row10: \(trials.count) run(s) of a \(size)-byte download with \(resets) resets each at seeded random offsets (seed 10): \(exact)/\(trials.count) byte-exact, every request resumed at or after the previous one's start; \(refetched.count) run(s) whose reset came after the bytes arrived: re-fetched bytes per run max \(Int(quantile(refetched, 1))) (\(share(quantile(refetched, 1)))); \(resent.count) run(s) reset abruptly: bytes written before the reset and sent again per run median \(Int(quantile(resent, 0.5))) (\(share(quantile(resent, 0.5)))), max \(Int(quantile(resent, 1))) (\(share(quantile(resent, 1)))), written into the socket but lost with the reset before the client read them (cf. the delivered runs); \(fixed(quantile(runTimes, 0.5), 2)) s per run (median), \(fixed(elapsed, 1)) s in all")
        #expect(exact == trials.count)
        // The reference's bound (1 % of the file) on the bytes the client had received and fetched again, asserted in
        // scaled runs; the default run (8 MiB, inside the parallel `make test`) allows 10 %: a client starved of CPU
        // through the whole 0.2 s pause would still be reading when the reset comes.
        #expect(refetched.allSatisfy { $0 <= Double(size) / (trials.scaled ? 100 : 10) }, "re-fetched \(refetched) of \(size) bytes")
    }

    @Test("a truncated body (Content-Length larger than sent) resumes exactly where it stopped")
    func truncatedBody() async throws {
        let emulator = try EmulatorProcess()
        let (data, log, _) = try await download(emulator, rules: [rule("truncate:1048576", match: "/_emulator/blob/", count: 1)])
        #expect(data == (try await emulator.blobBytes(Self.blobSize)))
        #expect(log.count == 2)
        #expect(log.last?["range"]?.stringValue == "bytes=1048576-")
        #expect(log.last?.status == 206)
        figure("row12: 4 MiB truncated at 1 MiB -> byte-exact, resumed with Range bytes=1048576- (0 bytes re-fetched)")
    }

    /// Row 11: `trials` downloads of the 4 MiB blob, each truncated once at a seeded random offset and resumed under
    /// `fault` (applied to every request); the resume must restart from zero with a 200. Returns the corrupt count.
    func restartTrials(_ fault: String, seed: UInt64, trials: Int) async throws -> Int {
        let emulator = try EmulatorProcess()
        let expected = try await emulator.blobBytes(Self.blobSize)
        var random = SplitMix64(seed: seed)
        var corrupt = 0
        for trial in 0..<trials {
            let cut = trial == 0 ? 1_048_576 : 1 + Int(random.next() % UInt64(Self.blobSize - 1))
            _ = try await emulator.control("/_emulator/reset", method: "POST")
            let (data, log, _) = try await download(emulator, rules: [rule("truncate:\(cut)", match: "/_emulator/blob/", count: 1),
                                                                      rule(fault, match: "/_emulator/blob/")])
            if data != expected { corrupt += 1 }
            #expect(log.count == 2 && log.last?.status == 200 && log.last?["range"]?.stringValue == "bytes=\(cut)-",
                    "trial \(trial), cut at \(cut): \(log.map(\.status)) \(log.map { $0["range"]?.stringValue ?? "-" })")
        }
        #expect(corrupt == 0)
        return corrupt
    }

    @Test("a server that ignores Range restarts the file from zero, byte-exact")
    func ignoredRange() async throws {
        let trials = faultTrials(row: 11, default: 1, reference: 200).count
        let corrupt = try await restartTrials("ignore-range", seed: 111, trials: trials)
        figure("row11: Range ignored (200) after a truncation at a seeded random offset, \(trials) trial(s) -> restarted from 0, \(trials - corrupt)/\(trials) byte-exact, \(corrupt) corrupt")
    }

    @Test("an ETag that changed between requests restarts the file from zero, byte-exact")
    func changedETag() async throws {
        let trials = faultTrials(row: 11, default: 1, reference: 200).count
        let corrupt = try await restartTrials("etag-change", seed: 112, trials: trials)
        figure("row11: ETag changed mid-resume (truncation at a seeded random offset), \(trials) trial(s) -> If-Range mismatch, 200, restarted from 0, \(trials - corrupt)/\(trials) byte-exact, \(corrupt) corrupt")
    }

    @Test("a complete part file left with its note is answered 416 and published as it is, byte-exact")
    func completePartAnswered416() async throws {
        let trials = faultTrials(row: 11, default: 1, reference: 200).count
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(.openai))
        var random = SplitMix64(seed: 113)
        var corrupt = 0
        try await withTemporaryDirectory { directory in
            for trial in 0..<trials {
                // A seeded size each trial, so that the part's length, the blob's ETag and the 416 all change.
                let size = trial == 0 ? Self.blobSize : 1 + Int(random.next() % UInt64(Self.blobSize))
                let expected = try await emulator.blobBytes(size)
                let head = try await CurlTransport.shared.send(
                    HTTPRequest(method: "GET", url: URL(string: emulator.baseURL + "/_emulator/blob/\(size)")!,
                                headers: [("Range", "bytes=0-0")]), timeout: 30, maxBodyBytes: 1024)
                let etag = try #require(head.headers["etag"])
                // What an earlier download leaves when it received every byte but did not get to the rename (killed,
                // or the rename failed): the whole part and its note (FaultRecoveryTests.adoptPartFromAnotherProcess).
                let path = directory + "/video\(trial).bin"
                try expected.write(to: URL(fileURLWithPath: path + ".part"))
                let note = JSONValue.object(["version": .int(1), "key": .string("openai \(emulator.baseURL) blob"),
                                             "validator": .string(etag), "total": .int(Int64(size))])
                try note.serialized().write(to: URL(fileURLWithPath: path + ".part.resume"))
                _ = try await emulator.control("/_emulator/reset", method: "POST")
                let done = try await client.download(emulator.blobTask(size), to: path)
                let gets = try await emulator.entries("GET") { $0.hasPrefix("/_emulator/blob/") }
                if FileManager.default.contents(atPath: path) != expected { corrupt += 1 }
                #expect(done.download?.bytes == Int64(size))
                #expect(gets.count == 1 && gets.first?.status == 416 && gets.first?["range"]?.stringValue == "bytes=\(size)-",
                        "trial \(trial): \(gets.map(\.status))")
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["video\(trial).bin"], "no part or note left")
                try FileManager.default.removeItem(atPath: path)
            }
        }
        #expect(corrupt == 0)
        figure("row11: complete part file with a current note, seeded sizes up to 4 MiB, \(trials) trial(s) -> Range bytes=<size>-, 416, part published: \(trials - corrupt)/\(trials) byte-exact, \(corrupt) corrupt")
    }

    @Test("a stall before the answer trips the watchdog at the stall timeout, then the retry succeeds")
    func stallBeforeHeaders() async throws {
        let emulator = try EmulatorProcess()
        let (data, log, elapsed) = try await download(emulator, rules: [rule("stall:30", match: "/_emulator/blob/", count: 1)],
                                                      size: 65536, stallTimeout: 1)
        #expect(data == (try await emulator.blobBytes(65536)))
        #expect(log.count == 1, "the stalled request is logged only when it ends, after this check")
        #expect(elapsed >= 1.0, "waited for the stall timeout")
        #expect(elapsed < 20, "did not wait for the 30 s stall to end")
        figure("row13: stall (0 bytes/s) with stall_timeout 1 s -> detected and retried, done in \(String(format: "%.2f", elapsed)) s")
    }

    @Test("a stall mid-body trips the watchdog and the download resumes where it stopped")
    func stallMidBody() async throws {
        let emulator = try EmulatorProcess()
        let (data, log, elapsed) = try await download(emulator, rules: [rule("stall-after:1048576:30", match: "/_emulator/blob/", count: 1)],
                                                      stallTimeout: 1)
        #expect(data == (try await emulator.blobBytes(Self.blobSize)))
        #expect(log.count == 2 && log.last?["range"]?.stringValue?.hasPrefix("bytes=") == true)
        #expect(elapsed >= 1.0 && elapsed < 20)
        figure("row13: stall mid-body (after 1 MiB) with stall_timeout 1 s -> resumed with \(log.last?["range"]?.stringValue ?? "?"), done in \(String(format: "%.2f", elapsed)) s")
    }

    @Test("a slow drip that keeps bytes coming completes byte-exact (the idle watchdog does not trip)")
    func slowDrip() async throws {
        let emulator = try EmulatorProcess()
        let (data, log, elapsed) = try await download(emulator, rules: [rule("drip:131072", match: "/_emulator/blob/")],
                                                      size: 262_144, stallTimeout: 1)
        #expect(data == (try await emulator.blobBytes(262_144)))
        #expect(log.count == 1)
        #expect(elapsed >= 1.5)
        figure("row13: slow drip 128 KiB/s, 256 KiB, stall_timeout 1 s -> completed in \(String(format: "%.2f", elapsed)) s, 1 request (above the 2 KiB/s low-speed limit)")
    }

    @Test("a drip below the minimum download rate is aborted like a stall, resumed, and the file still completes")
    func slowDripBelowLimit() async throws {
        let emulator = try EmulatorProcess()
        // 1,000 B/s for the first request only; min_download_rate 2,048 B/s over a 1 s window.
        let (data, log, elapsed) = try await download(emulator, rules: [rule("drip:1000", match: "/_emulator/blob/", count: 1)],
                                                      size: 65_536, stallTimeout: 1)
        #expect(data == (try await emulator.blobBytes(65_536)))
        #expect(log.count == 2, "one aborted slow request, one resumed request")
        #expect(elapsed >= 1)
        figure("row13: drip 1 KB/s below the 2 KiB/s limit -> aborted after \(String(format: "%.2f", elapsed)) s total, resumed, byte-exact, \(log.count) requests")
    }

    @Test("a redirect loop fails with a network error after a bounded number of requests")
    func redirectLoop() async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(.openai))
        try await withTemporaryDirectory { directory in
            await expectError(.network) {
                _ = try await client.download(emulator.blobTask(1000, query: "?fault=redirect-loop"), to: directory + "/v.bin")
            }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(leftovers.isEmpty)
        }
        let log = try await emulator.entries("GET") { $0.hasPrefix("/_emulator/blob/") }
        let attempts = client.configuration.retry.maxAttempts
        #expect(log.count <= RedirectFollower.maxHops + 1, "a loop is final: not retried (\(attempts) attempts allowed)")
        figure("row9: redirect loop -> network error after \(log.count) requests (not retried)")
    }

    // MARK: - second origin, expiring URLs, canary key (§7 rows 9, 14, 17)

    @Test("redirects to the second origin and signed URLs carry no key; the canary appears nowhere else")
    func canaryAcrossOrigins() async throws {
        let canary = canaryKey()
        let emulator = try EmulatorProcess(key: canary)
        var messages: [String] = []
        var records: [String] = []
        try await withTemporaryDirectory { directory in
            // openai: the content route redirected to the CDN origin (signed URL).
            let openai = VideoGenClient(configuration: try emulator.configuration(.openai, requestTimeout: 2))
            try await emulator.setFaults([rule("redirect", match: "/content")])
            let done = try await openai.generate(VideoRequest(model: "sora-2", prompt: "p"), to: directory + "/a.mp4")
            #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/a.mp4")) == (try EmulatorProcess.sampleVideo))
            records.append(done.json.jsonText)
            // a blob redirected to the CDN origin, dropped mid-body there, resumed there.
            try await emulator.setFaults([rule("reset-after:100000", origin: "cdn", count: 1)])
            _ = try await openai.download(emulator.blobTask(1_000_000, query: "?fault=redirect"), to: directory + "/b.bin")
            #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/b.bin")) == (try await emulator.blobBytes(1_000_000)))
            // unified: signed CDN URLs, two of them expired.
            let unified = VideoGenClient(configuration: try emulator.configuration(.unified))
            try await emulator.setFaults([rule("expire", origin: "cdn", count: 2)])
            let task = try await unified.generate(VideoRequest(model: "kling-v1", prompt: "p"), to: directory + "/c.mp4")
            records.append(task.json.jsonText)
            // errors of every kind, with their messages.
            try await emulator.setFaults([rule("status:401", count: 1), rule("status:400", count: 1), rule("commit-drop", method: "POST")])
            for _ in 0..<3 {
                do { _ = try await openai.submit(VideoRequest(model: "sora-2", prompt: "p")) } catch let error as VideoGenError {
                    messages.append(error.message)
                    messages.append(error.description)
                    messages.append(String(describing: error))
                }
            }
            try await emulator.setFaults([rule("html-502"), rule("expire", origin: "cdn")])
            do { _ = try await unified.download(task, to: directory + "/d.mp4") } catch let error as VideoGenError {
                messages.append(error.description)
            }
            #expect(messages.count >= 4)
            #expect(!filesContain(canary, in: directory), "no file (video, part file) holds the key")
        }
        #expect(!messages.contains { $0.contains(canary) || $0.contains(String(canary.dropFirst(10))) })
        #expect(!records.contains { $0.contains(canary) })
        let log = try await emulator.requests()
        let cdn = log.filter { $0["origin"]?.stringValue == "cdn" }
        #expect(cdn.count >= 5)
        #expect(cdn.allSatisfy { $0["authorization"]?.stringValue == "none" }, "no request to the second origin carried a key")
        figure("row9/17: \(cdn.count) requests to the second origin (redirects, signed and expired URLs, resumes): 0 carried the key; \(messages.count) error texts, \(records.count) records, temp files: 0 occurrences of the canary")
    }

    @Test("an expired signed URL is refreshed by polling again (≤ 3 times), then the download completes")
    func expiredURLs() async throws {
        let emulator = try EmulatorProcess()
        var configuration = try emulator.configuration(.unified)
        fastPoll(&configuration)
        let client = VideoGenClient(configuration: configuration)
        let task = try await client.wait(for: try await client.submit(VideoRequest(model: "kling-v1", prompt: "p")), timeout: 20)
        let pollsBefore = try await emulator.entries("GET") { $0.hasPrefix("/v1/video/generations/") }.count
        try await emulator.setFaults([rule("expire", origin: "cdn", count: 2)])
        try await withTemporaryDirectory { directory in
            _ = try await client.download(task, to: directory + "/v.mp4")
            #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/v.mp4")) == (try EmulatorProcess.sampleVideo))
            let refreshes = try await emulator.entries("GET") { $0.hasPrefix("/v1/video/generations/") }.count - pollsBefore
            #expect(refreshes == 2, "one status call per expired URL")

            try await emulator.setFaults([])
            let fresh = try await client.wait(for: try await client.submit(VideoRequest(model: "kling-v1", prompt: "p")), timeout: 20)
            let before = try await emulator.requests().count
            try await emulator.setFaults([rule("expire", origin: "cdn")])
            await expectError(.permission) { _ = try await client.download(fresh, to: directory + "/w.mp4") }
            let log = try await emulator.requests().dropFirst(before)
            #expect(log.filter { $0["origin"]?.stringValue == "cdn" }.count == 4, "the first URL and 3 fresh ones")
            #expect(log.filter { $0["origin"]?.stringValue == "api" }.count == 3, "3 refreshes")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["v.mp4"])
        }
        figure("row14: signed URL expired twice -> 2 refreshes (1 status call each), byte-exact; always expired -> permission error after 3 refreshes")
    }

    @Test("a signed URL that expires mid-download: the task is polled again for a fresh URL (one status call per refresh, ≤ 3), the part is kept, the download completes")
    func expiredMidDownload() async throws {
        let trials = faultTrials(row: 14, default: 2, reference: 50).count
        let emulator = try EmulatorProcess()
        var configuration = try emulator.configuration(.unified)
        fastPoll(&configuration)
        let client = VideoGenClient(configuration: configuration)
        let video = try EmulatorProcess.sampleVideo
        // One task per run, all generated at once.
        let tasks = try await withThrowingTaskGroup(of: TaskSnapshot.self) { group in
            for _ in 0..<trials {
                group.addTask {
                    try await client.wait(for: try await client.submit(VideoRequest(model: "kling-v1", prompt: "p")), timeout: 60)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        var random = SplitMix64(seed: 14)
        var complete = 0
        var refreshes = 0
        var statusCalls = 0
        var worstPerRefresh = 0
        try await withTemporaryDirectory { directory in
            for (run, task) in tasks.enumerated() {
                // The first CDN GET ends at a seeded offset of the sample (a clean close: the client has those bytes);
                // the URL has expired by the resume: that GET and the next `expiries - 1` get 403 (1 to 3 of them).
                let cut = 1 + Int(random.next() % UInt64(video.count - 1))
                let expiries = 1 + run % Downloader.maxURLRefreshes
                let before = try await emulator.requests().count
                try await emulator.setFaults([rule("truncate:\(cut)", origin: "cdn", count: 1),
                                              rule("expire", origin: "cdn", count: Int64(expiries), skip: 1)])
                let path = directory + "/v\(run).mp4"
                _ = try await client.download(task, to: path)
                if FileManager.default.contents(atPath: path) == video { complete += 1 }
                let log = try await emulator.requests().dropFirst(before)
                let cdn = log.filter { $0["origin"]?.stringValue == "cdn" }
                let status = log.filter { $0["origin"]?.stringValue == "api" && $0["method"]?.stringValue == "GET" }
                #expect(cdn.map(\.status) == [200] + Array(repeating: 403, count: expiries) + [206], "run \(run): \(cdn.map(\.status))")
                #expect(cdn.dropFirst().allSatisfy { $0["range"]?.stringValue == "bytes=\(cut)-" }, "the part is kept across refreshes")
                #expect(status.count == expiries, "run \(run): one status call per refresh, got \(status.count) for \(expiries)")
                refreshes += expiries
                statusCalls += status.count
                worstPerRefresh = max(worstPerRefresh, (status.count + expiries - 1) / expiries)
                try FileManager.default.removeItem(atPath: path)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty, "no part file left")
        }
        try await emulator.setFaults([])
        #expect(complete == trials)
        #expect(worstPerRefresh <= 3)
        figure("row14: signed URL expired mid-download (cut at a seeded offset of the \(video.count)-byte sample, then 1-3 expired resumes), \(trials) runs: \(complete)/\(trials) complete byte-exact, \(refreshes) refreshes, \(statusCalls) status calls (at most \(worstPerRefresh) per refresh), every resume continued the part with Range bytes=<cut>-")
    }

    // MARK: - hostile control-plane bodies (§7 row 15)

    @Test("oversized status answers are refused at the byte cap, with and without Content-Length")
    func oversizedBodies() async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(.openai))
        let ghost = TaskSnapshot(id: "video_x", dialect: "openai", baseURL: emulator.baseURL)
        for fault in ["oversize:16", "oversize-chunked:16"] {
            _ = try await emulator.control("/_emulator/reset", method: "POST")
            try await emulator.setFaults([rule(fault)])
            let start = ContinuousClock.now
            await expectError(.tooLarge) { _ = try await client.refresh(ghost) }
            #expect(try await emulator.requests().count == 1, "\(fault): not retried")
            figure("row15: \(fault) MiB status answer -> too_large after 1 request in \(String(format: "%.0f", seconds(since: start) * 1000)) ms (cap 8 MiB)")
        }
    }

    @Test("malformed status answers: truncated JSON, an HTML 502 page, a truncated body are retried; deep nesting is a typed error")
    func malformedBodies() async throws {
        let emulator = try EmulatorProcess(taskSeconds: 0.5)
        var configuration = try emulator.configuration(.openai)
        fastPoll(&configuration)
        let client = VideoGenClient(configuration: configuration)
        for fault in ["json-truncated", "html-502", "truncate:10"] {
            _ = try await emulator.control("/_emulator/reset", method: "POST")
            try await emulator.setFaults([rule(fault, match: "/v1/videos/", method: "GET", count: 2)])
            let final = try await client.wait(for: try await client.submit(VideoRequest(model: "sora-2", prompt: "p")), timeout: 20)
            #expect(final.state == .succeeded, "\(fault)")
        }
        let ghost = TaskSnapshot(id: "video_x", dialect: "openai", baseURL: emulator.baseURL)
        try await emulator.setFaults([rule("deep-json:100000")])
        do {
            _ = try await client.refresh(ghost)
            Issue.record("a 100,000-deep answer was accepted")
        } catch let error as VideoGenError {
            #expect([.protocolError, .invalidJSON].contains(error.code), "\(error)")
        }
        figure("row15: truncated JSON, HTML 502 and truncated bodies on polls -> retried, waits succeeded; 100,000-deep JSON -> typed error, no crash")
    }
}
