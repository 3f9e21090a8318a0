/// The polling engine as a pure state machine: it is told what happened (a poll answered, a poll failed) and the
/// time, and answers with the next action. The driver (`TaskWaiter`) performs the actions; tests drive it with a
/// manual clock and a fixed random source.
///
/// Rules: the first poll comes one interval after a submit (at once for a resumed task); server hints win over the
/// schedule; a failed poll is retried with full-jitter backoff until the deadline unless the error cannot heal;
/// when the next poll would land past the deadline, one last poll is made at the deadline.
///
/// Adaptive placement (`PollPolicy.adaptive`, on by default): while the task reports progress, its
/// `ProgressHistory` estimates the end, and the next poll comes `endMargin` after it, never sooner than
/// `minInterval` and never later than `maxInterval` after this poll (a far end is approached in `maxInterval`
/// steps, each refining the estimate), nor further ahead than `horizon` times as long as the task has been seen
/// progressing (unless the schedule's next step is longer): a rate measured over a short stretch is checked again
/// before it is trusted far out. Without an estimate (queued, no progress, progress that has not moved)
/// the schedule applies; with only a latest end (one sample) the poll comes at the sooner of the schedule and that
/// end. A poll placed at the expected end that finds the task still running is overdue: the first time, the
/// refreshed estimate is trusted again (integer progress makes a slightly early estimate common); from the second
/// time on, the estimate has failed (a task sitting at 99 %) and the polls follow the schedule restarted from
/// `interval`, or the estimate when it is later. Adaptive delays are not jittered: they aim at an instant.
public struct PollingStateMachine: Sendable {
    /// What the driver does next.
    public enum Action: Sendable, Equatable {
        /// Send a status request now.
        case poll
        /// Sleep this many seconds, then call `wake(now:)`.
        case sleep(Double)
        /// The task ended; stop.
        case finished(TaskSnapshot)
        /// Stop waiting with this error.
        case failed(VideoGenError)
    }

    /// How long after the expected end an adaptive poll comes, in seconds: the estimate is a straight line through
    /// integer percentages, and a poll that lands just before the end costs a whole extra request.
    public static let endMargin = 0.05
    /// An adaptive sleep reaches at most this many times as far ahead as the task has been seen progressing.
    public static let horizon = 3.0

    private let policy: PollPolicy
    /// The engine's one retry machine, kind `.poll`: whether and when a failed poll is retried early.
    private var retry: RetryStateMachine
    private let deadline: Double
    private var random: @Sendable () -> Double
    private var pollIndex = 0
    private var lastError: VideoGenError?
    private var finalPollSent = false
    private var deadlineSleep = false
    /// The progress this wait has seen.
    public private(set) var history = ProgressHistory()
    /// The instant the last adaptive sleep aimed at (the expected end), nil when the last sleep did not aim at one.
    private var aimedAt: Double?
    /// Polls in a row that came at or after the expected end and found the task still running.
    private var overdue = 0

    /// - Parameters:
    ///   - policy: the poll schedule.
    ///   - retry: the retry policy failed polls follow (`RetryStateMachine`, kind `.poll`).
    ///   - deadline: the absolute time (same clock as every `now`) at which waiting stops.
    ///   - random: a source of uniform numbers in 0..<1 for jitter.
    public init(policy: PollPolicy, retry: RetryPolicy, deadline: Double, random: @escaping @Sendable () -> Double) {
        self.policy = policy
        self.retry = RetryStateMachine(policy: retry, kind: .poll)
        self.deadline = deadline
        self.random = random
    }

    /// The first action for a task last seen as `snapshot`.
    /// - Parameter immediately: poll at once (a resumed task) rather than one interval from now (a fresh submit).
    public mutating func start(_ snapshot: TaskSnapshot, now: Double, immediately: Bool) -> Action {
        if snapshot.state.isTerminal { return .finished(snapshot) }
        // A fresh submit's answer is progress seen now; a resumed record's progress was seen at an unknown time.
        if !immediately { history.record(state: snapshot.state, progress: snapshot.progress, at: now) }
        if immediately { return .poll }
        return schedule(after: policy.delay(index: 0, hint: nil, unit: random()), now: now)
    }

    /// A status answer arrived.
    /// - Parameters:
    ///   - snapshot: the task after applying the answer.
    ///   - hint: the server's poll hint in seconds, if any.
    ///   - budget: the client's retry quota, paid back for the retry that led here (nil: none is kept).
    public mutating func pollSucceeded(_ snapshot: TaskSnapshot, hint: Double?, now: Double, budget: RetryBudget? = nil) -> Action {
        if let budget { retry.succeeded(budget: budget) }
        lastError = nil
        if snapshot.state.isTerminal { return .finished(snapshot) }
        pollIndex += 1
        history.record(state: snapshot.state, progress: snapshot.progress, at: now)
        if hint == nil, policy.adaptive, let delay = adaptiveDelay(now: now) {
            return schedule(after: delay, now: now)
        }
        aimedAt = nil
        overdue = 0
        return schedule(after: policy.delay(index: pollIndex, hint: hint, unit: random()), now: now)
    }

    /// The delay the progress estimate asks for, nil when there is none (the schedule applies).
    private mutating func adaptiveDelay(now: Double) -> Double? {
        let floor = max(policy.minInterval, Self.endMargin)
        let ceiling = max(policy.maxInterval, floor)
        if let aimed = aimedAt, now >= aimed { overdue += 1 } else { overdue = 0 }
        aimedAt = nil
        switch history.estimate {
        case nil:
            overdue = 0
            return nil
        case .latest(let end):
            let scheduled = policy.delay(index: pollIndex, hint: nil, unit: random())
            return min(max(min(scheduled, end + Self.endMargin - now), floor), ceiling)
        case .end(let end):
            var delay = end + Self.endMargin - now
            if overdue >= 2 { delay = max(delay, policy.baseDelay(index: overdue - 2)) }
            delay = max(delay, floor)
            // Never further ahead than `horizon` times as long as the task has been seen progressing (or the
            // schedule's next step, if that is longer): a rate measured over a short stretch (a slow start) checks
            // in again before it is trusted far out.
            let seen = now - (history.notStartedAt ?? history.samples.first?.time ?? now)
            let horizon = min(max(Self.horizon * seen, policy.baseDelay(index: pollIndex), floor), ceiling)
            if delay > horizon { return horizon }
            aimedAt = now + delay
            return delay
        }
    }

    /// A status request failed: the retry machine decides whether it is retried early (after its backoff or the
    /// service's hint, never sooner than `min_interval`), waits for the regular schedule (budget spent, or the
    /// service said not to retry), or ends the wait (an error that cannot heal, a hint beyond `max_retry_after`).
    /// - Parameter budget: the client's retry quota (nil: unlimited).
    public mutating func pollFailed(_ error: VideoGenError, now: Double, budget: RetryBudget? = nil) -> Action {
        switch retry.failed(error, budget: budget ?? RetryBudget(capacity: Int.max / 2), unit: random()) {
        case .retry(let delay):
            lastError = error
            return schedule(after: max(delay, policy.minInterval), now: now)
        case .waitForSchedule(let failure):
            return pollSkipped(failure, now: now)
        case .fail(let failure):
            return .failed(failure)
        }
    }

    /// A status request failed and will not be retried early (the client's retry budget is spent, or the service
    /// said not to retry): the next poll comes on the regular schedule, so waiting adds no traffic, and the wait
    /// still lasts until its deadline.
    mutating func pollSkipped(_ error: VideoGenError, now: Double) -> Action {
        guard error.isTransient else { return .failed(error) }
        lastError = error
        pollIndex += 1
        return schedule(after: policy.delay(index: pollIndex, hint: error.retryAfter, unit: random()), now: now)
    }

    /// A sleep ended.
    public mutating func wake(now: Double) -> Action {
        if deadlineSleep { finalPollSent = true }
        return .poll
    }

    private mutating func schedule(after delay: Double, now: Double) -> Action {
        if finalPollSent || now >= deadline { return deadlineError() }
        if now + delay >= deadline {
            deadlineSleep = true
            return .sleep(max(0, deadline - now))
        }
        return .sleep(delay)
    }

    private func deadlineError() -> Action {
        var message = "the wait's deadline passed while the task was still running"
        if let lastError { message += " (last poll failed: \(lastError.message))" }
        return .failed(VideoGenError(.deadline, message))
    }
}
