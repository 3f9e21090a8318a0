import Testing
@testable import VideoGen

/// Adaptive poll placement: the polling state machine against scripted services, on a manual clock (every poll is
/// answered 10 ms after it is sent), with the jitter's random source fixed. Every figure is exact.
@Suite("adaptive polling")
struct AdaptivePollingTests {
    static let policy = PollPolicy()          // the defaults: 1 s growing by 1.5 to 15 s, jitter 0.1, floor 0.2 s
    static var fixed: PollPolicy { var p = policy; p.adaptive = false; return p }

    struct Case: CustomStringConvertible, Sendable {
        let script: ProgressScript
        /// The wait sees the end at most this long after it.
        let maxLatency: Double
        /// At most this many polls.
        let maxPolls: Int
        var description: String { script.name }
    }

    static let steady = ProgressScript(name: "steady: queued 4 s, then 0 to 100 % by 20 s", queuedUntil: 4, doneAt: 20,
                                       knots: [(4, 0), (20, 100)])
    static let slowThenFast = ProgressScript(name: "slow start, then fast: 10 % in 18 s, 90 % in the last 10 s",
                                             queuedUntil: 2, doneAt: 30, knots: [(2, 0), (20, 10), (30, 100)])
    static let sits = ProgressScript(name: "sits at 99 % for 11 s", queuedUntil: 2, doneAt: 20, knots: [(2, 0), (9, 99)])
    static let silent = ProgressScript(name: "no progress reported", queuedUntil: 4, doneAt: 40, knots: [])

    static let cases: [Case] = [
        Case(script: steady, maxLatency: 0.25, maxPolls: 5),
        Case(script: ProgressScript(name: "5-s task", queuedUntil: 1, doneAt: 5, knots: [(1, 0), (5, 100)]),
             maxLatency: 0.1, maxPolls: 4),
        Case(script: ProgressScript(name: "30 s at 0 % running (a long queue), then steady to 90 s", queuedUntil: 30,
                                    doneAt: 90, knots: [(30, 0), (90, 100)], zeroWhileQueued: true),
             maxLatency: 0.6, maxPolls: 12),
        Case(script: ProgressScript(name: "jumps: 20 points every 4 s (a gateway's sweeps)", queuedUntil: 2, doneAt: 26,
                                    knots: [(2, 0), (6, 0), (6.0001, 20), (10, 20), (10.0001, 40), (14, 40),
                                            (14.0001, 60), (18, 60), (18.0001, 80), (22, 80), (22.0001, 95)]),
             maxLatency: 0.9, maxPolls: 7),
        Case(script: ProgressScript(name: "backwards: a second stage restarts at 5 %", queuedUntil: 2, doneAt: 30,
                                    knots: [(2, 0), (10, 80), (10.0001, 5), (30, 100)]),
             maxLatency: 0.9, maxPolls: 6),
        Case(script: ProgressScript(name: "fast, stalled at 70 %, then finishing (the estimate comes early)",
                                    queuedUntil: 2, doneAt: 30, knots: [(2, 0), (10, 70), (24, 72), (30, 100)]),
             maxLatency: 2.1, maxPolls: 7),
        Case(script: sits, maxLatency: 2.8, maxPolls: 10),
        Case(script: slowThenFast, maxLatency: 15, maxPolls: 6),
    ]

    @Test("scripted services: detection latency and polls, every sleep within [min_interval, max_interval]",
          arguments: cases)
    func scripted(_ c: Case) throws {
        let wait = ScriptedWait(c.script, policy: Self.policy)
        let latency = try #require(wait.detectionLatency(c.script), "the wait never saw the task end: \(wait.end as Any)")
        #expect(latency >= 0)
        #expect(latency <= c.maxLatency, "polls at \(wait.polls)")
        #expect(wait.polls.count <= c.maxPolls, "polls at \(wait.polls)")
        for sleep in wait.sleeps {
            #expect(sleep.seconds >= Self.policy.minInterval && sleep.seconds <= Self.policy.maxInterval, "\(sleep)")
        }
    }

    @Test("noisy progress (each answer off by up to 3 points, 20 seeds): seen within twice the time the noise spans")
    func noisy() throws {
        let pointSeconds = 36.0 / 100   // the running phase lasts 36 s
        var latencies: [Double] = []
        for seed in UInt64(1)...20 {
            let script = ProgressScript(name: "noisy", queuedUntil: 4, doneAt: 40, knots: [(4, 0), (40, 100)],
                                        noise: 3, seed: seed)
            let wait = ScriptedWait(script, policy: Self.policy)
            latencies.append(try #require(wait.detectionLatency(script)))
            #expect(wait.polls.count <= 9, "seed \(seed): \(wait.polls)")
            #expect(wait.sleeps.allSatisfy { $0.seconds >= Self.policy.minInterval && $0.seconds <= Self.policy.maxInterval })
        }
        #expect(latencies.allSatisfy { $0 >= 0 && $0 <= 2 * 6 * pointSeconds }, "\(latencies)")
        #expect(latencies.sorted()[latencies.count / 2] <= 6 * pointSeconds, "\(latencies)")
    }

    @Test("the same services with adaptive placement off: the geometric schedule, progress or not")
    func adaptiveOff() {
        let reference = ScriptedWait(Self.silent, policy: Self.policy).polls
        let geometric = (0..<8).reduce(into: [Double]()) { polls, index in
            polls.append((polls.last.map { $0 + 0.01 } ?? 0) + Self.policy.delay(index: index, hint: nil, unit: 0.5))
        }
        #expect(zip(reference, geometric).allSatisfy { abs($0 - $1) < 1e-9 }, "\(reference) vs \(geometric)")
        for c in Self.cases {
            let off = ScriptedWait(c.script, policy: Self.fixed).polls
            let prefix = reference.prefix(off.count)
            #expect(zip(off, prefix).allSatisfy { abs($0 - $1) < 1e-9 }, "\(c.script.name): \(off)")
        }
    }

    @Test("services without progress keep the schedule with adaptive placement on")
    func silentService() {
        let on = ScriptedWait(Self.silent, policy: Self.policy)
        let off = ScriptedWait(Self.silent, policy: Self.fixed)
        #expect(on.polls == off.polls)
        #expect(on.estimates.allSatisfy { $0 == nil })
    }

    @Test("a steady task is polled just after its end, where a fixed 2-s poll needs twice the requests")
    func steadyAgainstFixed() throws {
        let adaptive = ScriptedWait(Self.steady, policy: Self.policy)
        let everyTwo = ScriptedWait(Self.steady, policy: PollPolicy(interval: 2, maxInterval: 2, multiplier: 1, jitter: 0))
        let last = try #require(adaptive.polls.last)
        #expect(last >= Self.steady.doneAt && last <= Self.steady.doneAt + PollingStateMachine.endMargin + 0.2)
        #expect(adaptive.polls.count * 2 <= everyTwo.polls.count, "\(adaptive.polls) vs \(everyTwo.polls)")
    }

    @Test("a rate that speeds up: the estimate is late, the sleep stops at max_interval, the next estimate follows")
    func speedsUp() throws {
        let policy = PollPolicy(interval: 1, maxInterval: 6, multiplier: 1.5, jitter: 0)
        let wait = ScriptedWait(Self.slowThenFast, policy: policy)
        // The first rate (the slow start) puts the end far past the real one...
        let firstEnd = try #require(wait.estimates.compactMap { estimate -> Double? in
            if case .end(let end) = estimate { return end }
            return nil
        }.first)
        #expect(firstEnd > Self.slowThenFast.doneAt + 30)
        // ...but no poll comes later than max_interval after the previous one, nor sooner than min_interval...
        for gap in wait.gaps {
            #expect(gap <= policy.maxInterval + 0.01 + 1e-9 && gap >= policy.minInterval, "\(wait.polls)")
        }
        // ...and once the speed-up shows, the estimate moves to it: the task is seen within one max_interval.
        let latency = try #require(wait.detectionLatency(Self.slowThenFast))
        #expect(latency <= policy.maxInterval)
        let ends = wait.estimates.compactMap { estimate -> Double? in
            if case .end(let end) = estimate { return end }
            return nil
        }
        #expect(try #require(ends.last) < firstEnd - 30, "estimates \(ends)")
    }

    @Test("a rate seen over a short stretch is trusted at most three times as far ahead as the task has progressed")
    func horizon() throws {
        // 10 s: queued 2 s, then 10 % by 4.4 s, 60 % by 6 s, 62 % by 7.6 s, done at 10 s. The first rate comes from
        // the slow start and points far past the end.
        let script = ProgressScript(name: "short, slow start", queuedUntil: 2, doneAt: 10,
                                    knots: [(2, 0), (4.4, 10), (6, 60), (7.6, 62), (10, 100)])
        let wait = ScriptedWait(script, policy: Self.policy)
        let first = try #require(wait.estimates.firstIndex { if case .end = $0 { return true } else { return false } })
        guard case .end(let end) = wait.estimates[first] else { return }
        let answeredAt = wait.polls[first] + 0.01
        let lastQueued = try #require(wait.polls.last { $0 < script.queuedUntil }) + 0.01
        let sleep = try #require(wait.sleeps.first { abs($0.at - answeredAt) < 1e-9 }).seconds
        #expect(end + PollingStateMachine.endMargin - answeredAt > sleep, "the estimate alone would sleep longer")
        #expect(abs(sleep - PollingStateMachine.horizon * (answeredAt - lastQueued)) < 1e-9, "\(wait.sleeps)")
        #expect(try #require(wait.detectionLatency(script)) < end - script.doneAt)
    }

    @Test("a task sitting at 99 %: the refreshed estimate is trusted once, then the schedule restarts from interval")
    func sitsAt99() throws {
        let wait = ScriptedWait(Self.sits, policy: Self.policy)
        // The estimate points at about 9.3 s (99 % at 9 s); from there the gaps are the estimate's once, then the
        // schedule's base delays (no jitter on them): 1, 1.5, 2.25, 3.375, 5.0625, each plus the 10-ms answer.
        let overdueFrom = try #require(wait.polls.firstIndex { $0 > 9 })
        let gaps = Array(wait.gaps[overdueFrom...])
        let expected = (0..<5).map { Self.policy.baseDelay(index: $0) + 0.01 }
        #expect(gaps.count == expected.count + 1, "\(wait.polls)")
        #expect(gaps.first.map { $0 < 1 } == true)
        #expect(zip(gaps.dropFirst(), expected).allSatisfy { abs($0 - $1) < 1e-9 }, "\(gaps) vs \(expected)")
    }

    @Test("server hints win over the estimate")
    func hintsWin() {
        let wait = ScriptedWait(Self.steady, policy: Self.policy, hint: 3)
        #expect(wait.sleeps.dropFirst().allSatisfy { $0.seconds == 3 }, "\(wait.sleeps)")
    }

    @Test("the deadline cuts an adaptive sleep short; the last poll comes at the deadline")
    func deadline() throws {
        let long = ProgressScript(name: "steady to 200 s", queuedUntil: 0, doneAt: 200, knots: [(0, 0), (200, 100)])
        let wait = ScriptedWait(long, policy: Self.policy, deadline: 30)
        #expect(wait.detectedAt == nil)
        #expect(abs(try #require(wait.polls.last) - 30) < 1e-9, "\(wait.polls)")
        guard case .failed(let error) = wait.end else {
            Issue.record("expected the deadline error, got \(wait.end as Any)")
            return
        }
        #expect(error.code == .deadline)
    }

    @Test("min_interval and max_interval bound every sleep, whatever the policy", arguments: [
        PollPolicy(interval: 1, maxInterval: 4, multiplier: 1.5, jitter: 0.1, minInterval: 1),
        PollPolicy(interval: 3, maxInterval: 15, multiplier: 1.5, jitter: 0.1, minInterval: 3),
        PollPolicy(interval: 0.5, maxInterval: 30, multiplier: 2, jitter: 0, minInterval: 0),
    ])
    func bounds(_ policy: PollPolicy) {
        for c in Self.cases {
            let wait = ScriptedWait(c.script, policy: policy, random: { 0.999 })
            #expect(wait.detectedAt != nil, "\(c.script.name)")
            for sleep in wait.sleeps {
                #expect(sleep.seconds >= max(policy.minInterval, 0) && sleep.seconds <= policy.maxInterval,
                        "\(c.script.name): \(sleep)")
            }
        }
    }

    @Test("'adaptive' in the configuration's poll object turns it off; anything but a boolean is refused by name")
    func configuration() throws {
        let base = #"{"dialect":"openai","base_url":"https://x","api_key":"k","poll":"#
        let on = try ClientConfiguration(json: JSONValue.parse(base + "{}}"), environment: [:])
        #expect(on.poll.adaptive)
        let off = try ClientConfiguration(json: JSONValue.parse(base + #"{"adaptive":false}}"#), environment: [:])
        #expect(!off.poll.adaptive && off.poll.interval == PollPolicy().interval)
        let error = expectError(.invalidArgument) {
            _ = try ClientConfiguration(json: JSONValue.parse(base + #"{"adaptive":"no"}}"#), environment: [:])
        }
        #expect(error?.message.contains("'adaptive'") == true, "\(error?.message ?? "")")
    }
}
