/// The polling engine as a pure state machine: it is told what happened (a poll answered, a poll failed) and the
/// time, and answers with the next action. The driver (`TaskWaiter`) performs the actions; tests drive it with a
/// manual clock and a fixed random source.
///
/// Rules: the first poll comes one interval after a submit (at once for a resumed task); server hints win over the
/// schedule; a failed poll is retried with full-jitter backoff until the deadline unless the error cannot heal;
/// when the next poll would land past the deadline, one last poll is made at the deadline.
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

    private let policy: PollPolicy
    private let retry: RetryPolicy
    private let deadline: Double
    private var random: @Sendable () -> Double
    private var pollIndex = 0
    private var consecutiveFailures = 0
    private var lastError: VideoGenError?
    private var finalPollSent = false
    private var deadlineSleep = false

    /// - Parameters:
    ///   - policy: the poll schedule.
    ///   - retry: backoff rules for failed polls.
    ///   - deadline: the absolute time (same clock as every `now`) at which waiting stops.
    ///   - random: a source of uniform numbers in 0..<1 for jitter.
    public init(policy: PollPolicy, retry: RetryPolicy, deadline: Double, random: @escaping @Sendable () -> Double) {
        self.policy = policy
        self.retry = retry
        self.deadline = deadline
        self.random = random
    }

    /// The first action for a task last seen as `snapshot`.
    /// - Parameter immediately: poll at once (a resumed task) rather than one interval from now (a fresh submit).
    public mutating func start(_ snapshot: TaskSnapshot, now: Double, immediately: Bool) -> Action {
        if snapshot.state.isTerminal { return .finished(snapshot) }
        if immediately { return .poll }
        return schedule(after: policy.delay(index: 0, hint: nil, unit: random()), now: now)
    }

    /// A status answer arrived.
    /// - Parameters:
    ///   - snapshot: the task after applying the answer.
    ///   - hint: the server's poll hint in seconds, if any.
    public mutating func pollSucceeded(_ snapshot: TaskSnapshot, hint: Double?, now: Double) -> Action {
        consecutiveFailures = 0
        lastError = nil
        if snapshot.state.isTerminal { return .finished(snapshot) }
        pollIndex += 1
        return schedule(after: policy.delay(index: pollIndex, hint: hint, unit: random()), now: now)
    }

    /// A status request failed.
    public mutating func pollFailed(_ error: VideoGenError, now: Double) -> Action {
        guard error.isRetryable else { return .failed(error) }
        if let hint = error.retryAfter, hint > retry.maxRetryAfter {
            return .failed(error)
        }
        lastError = error
        let delay = error.retryAfter ?? retry.backoff(retry: consecutiveFailures, unit: random())
        consecutiveFailures += 1
        return schedule(after: max(delay, policy.minInterval), now: now)
    }

    /// A status request failed and will not be retried early (the client's retry budget is spent, or the service
    /// said not to retry): the next poll
    /// comes on the regular schedule, so waiting adds no traffic, and the wait still lasts until its deadline.
    public mutating func pollSkipped(_ error: VideoGenError, now: Double) -> Action {
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
