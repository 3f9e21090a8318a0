import Testing
@testable import VideoGen

/// Drives the pure state machine with a manual clock: every test is exact and instant.
@Suite("polling state machine")
struct PollingStateMachineTests {
    let queued = TaskSnapshot(id: "t", dialect: "openai", baseURL: "https://x")
    var running: TaskSnapshot { var s = queued; s.state = .running; return s }
    var done: TaskSnapshot { var s = queued; s.state = .succeeded; s.videoURL = "https://x/v"; return s }

    func machine(deadline: Double = 100, policy: PollPolicy = PollPolicy(interval: 1, maxInterval: 8, multiplier: 2, jitter: 0, minInterval: 0.5, maxHint: 20)) -> PollingStateMachine {
        PollingStateMachine(policy: policy, retry: RetryPolicy(maxAttempts: 4, baseDelay: 1, maxDelay: 4, maxRetryAfter: 30),
                            deadline: deadline, random: { 0.5 })
    }

    @Test("a fresh submit waits one interval; a resumed task polls at once; a finished task stops")
    func start() {
        var fresh = machine()
        #expect(fresh.start(queued, now: 0, immediately: false) == .sleep(1))
        var resumed = machine()
        #expect(resumed.start(queued, now: 0, immediately: true) == .poll)
        var finished = machine()
        #expect(finished.start(done, now: 0, immediately: false) == .finished(done))
    }

    @Test("the interval grows geometrically to its ceiling")
    func schedule() {
        var m = machine()
        _ = m.start(queued, now: 0, immediately: true)
        var delays: [Double] = []
        var now = 0.0
        for _ in 0..<6 {
            guard case .sleep(let delay) = m.pollSucceeded(running, hint: nil, now: now) else {
                Issue.record("expected a sleep")
                return
            }
            delays.append(delay)
            now += delay
            #expect(m.wake(now: now) == .poll)
        }
        #expect(delays == [2, 4, 8, 8, 8, 8])
    }

    @Test("jitter only shortens, within its fraction")
    func jitter() {
        let policy = PollPolicy(interval: 10, maxInterval: 10, multiplier: 1, jitter: 0.2, minInterval: 0)
        #expect(policy.delay(index: 3, hint: nil, unit: 0) == 10)
        #expect(policy.delay(index: 3, hint: nil, unit: 0.999_999) > 8)
        #expect(policy.delay(index: 3, hint: nil, unit: 0.5) == 9)
    }

    @Test("server hints win, clamped to [min_interval, max_hint]", arguments: [(3.0, 3.0), (0.01, 0.5), (500.0, 20.0)])
    func hints(_ hint: Double, _ expected: Double) {
        var m = machine()
        _ = m.start(queued, now: 0, immediately: true)
        #expect(m.pollSucceeded(running, hint: hint, now: 0) == .sleep(expected))
    }

    @Test("retryable poll failures back off and never fail before the deadline")
    func transientFailures() {
        var m = machine(deadline: 30)
        _ = m.start(queued, now: 0, immediately: true)
        var now = 0.0
        for attempt in 0..<50 {
            let action = m.pollFailed(VideoGenError(.server, "503", httpStatus: 503), now: now)
            guard case .sleep(let delay) = action else {
                #expect(now >= 30, "gave up at \(now) after \(attempt) failures: \(action)")
                #expect(action == .failed(VideoGenError(.deadline, "the wait's deadline passed while the task was still running (last poll failed: 503)")))
                return
            }
            #expect(delay <= 4)
            now += delay
            _ = m.wake(now: now)
        }
        Issue.record("never reached the deadline")
    }

    @Test("errors that cannot heal stop at once", arguments: [VideoGenError.Code.auth, .permission, .notFound, .badRequest, .quota])
    func permanentFailures(_ code: VideoGenError.Code) {
        var m = machine()
        _ = m.start(queued, now: 0, immediately: true)
        let error = VideoGenError(code, "x")
        #expect(m.pollFailed(error, now: 1) == .failed(error))
    }

    @Test("a rate-limit hint within the cap is waited; above the cap it fails at once with the hint")
    func rateLimits() {
        var m = machine()
        _ = m.start(queued, now: 0, immediately: true)
        #expect(m.pollFailed(VideoGenError(.rateLimited, "slow", retryAfter: 7), now: 0) == .sleep(7))
        let long = VideoGenError(.rateLimited, "slow", retryAfter: 300)
        #expect(m.pollFailed(long, now: 7) == .failed(long))
    }

    @Test("when the next poll would pass the deadline, one last poll happens at the deadline")
    func finalPoll() {
        var m = machine(deadline: 5)
        #expect(m.start(queued, now: 0, immediately: false) == .sleep(1))
        #expect(m.wake(now: 1) == .poll)
        #expect(m.pollSucceeded(running, hint: nil, now: 1) == .sleep(2))
        #expect(m.wake(now: 3) == .poll)
        #expect(m.pollSucceeded(running, hint: nil, now: 3) == .sleep(2), "sleeps only to the deadline")
        #expect(m.wake(now: 5) == .poll, "the last poll")
        guard case .failed(let error) = m.pollSucceeded(running, hint: nil, now: 5) else {
            Issue.record("expected the deadline error")
            return
        }
        #expect(error.code == .deadline)
    }

    @Test("the last poll can still see the task finish")
    func finalPollFinishes() {
        var m = machine(deadline: 2)
        _ = m.start(queued, now: 0, immediately: false)
        _ = m.wake(now: 1)
        #expect(m.pollSucceeded(running, hint: nil, now: 1) == .sleep(1))
        #expect(m.wake(now: 2) == .poll)
        #expect(m.pollSucceeded(done, hint: nil, now: 2) == .finished(done))
    }
}
