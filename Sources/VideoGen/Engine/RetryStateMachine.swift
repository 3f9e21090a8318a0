/// The retry rules of one logical request (a submit, a status poll, a download), as a pure machine: it is told
/// that an attempt failed or succeeded and answers what to do; the driver carries it out. One set of rules for the
/// whole engine (attempt limit, backoff with full jitter, `Retry-After`, `max_retry_after`, the client's shared
/// `RetryBudget`, what a submit may repeat); the error's own classification comes from `ErrorClassification`.
///
/// Kinds differ only where they must:
/// - `idempotent` (GETs, deletes) and `download`: any retryable failure, up to `maxAttempts`;
/// - `submit`: only a failure that provably created no task (`submitMayRetry`); a lost answer becomes
///   `.unknownOutcome`, never a second send;
/// - `poll`: no attempt limit (the wait's deadline is the limit); a transient failure the budget cannot pay for,
///   or one the service said not to retry, waits for the next scheduled poll instead of ending the wait.
struct RetryStateMachine: Sendable {
    /// What the request is, for the rules that differ.
    enum Kind: Sendable, Equatable {
        /// Safe to repeat: GET, DELETE.
        case idempotent
        /// Must not create a second task; carries the Idempotency-Key it is sent with.
        case submit(idempotencyKey: String)
        /// A status poll inside a wait.
        case poll
        /// A download attempt (resumable).
        case download
    }

    /// What the driver does after a failure.
    enum Action: Sendable, Equatable {
        /// Send the request again after this many seconds.
        case retry(after: Double)
        /// Do not retry early; poll again on the regular schedule (polls only).
        case waitForSchedule(VideoGenError)
        /// Give up with this error.
        case fail(VideoGenError)
    }

    let policy: RetryPolicy
    let kind: Kind
    /// Retries made since the last success or progress.
    private(set) var retries = 0
    /// The failure the last retry followed, whose cost a success pays back.
    private var lastRetried: VideoGenError?

    init(policy: RetryPolicy, kind: Kind) {
        self.policy = policy
        self.kind = kind
    }

    /// An attempt failed with `error`.
    /// - Parameters:
    ///   - budget: the client's retry quota; a retry is made only when it can pay the error's cost.
    ///   - unit: a uniform number in 0..<1 for the backoff's jitter.
    mutating func failed(_ error: VideoGenError, budget: RetryBudget, unit: Double) -> Action {
        if error.code == .cancelled { return .fail(error) }
        switch kind {
        case .submit(let key):
            guard error.submitMayRetry && error.isRetryable else {
                if error.outcomeUnknown {
                    var unknown = VideoGenError(.unknownOutcome, "the submit may have reached the service (\(error.message)); it was not retried, to avoid a duplicate task (Idempotency-Key \(key))")
                    unknown.httpStatus = error.httpStatus
                    return .fail(unknown)
                }
                return .fail(error)
            }
        case .idempotent, .download:
            guard error.isRetryable else { return .fail(error) }
        case .poll:
            guard error.isTransient else { return .fail(error) }
            if error.isFinal { return .waitForSchedule(error) }
        }
        if let hint = error.retryAfter, hint > policy.maxRetryAfter { return .fail(error) }
        if kind != .poll && retries + 1 >= policy.maxAttempts { return .fail(error) }
        guard budget.withdraw(after: error) else {
            return kind == .poll ? .waitForSchedule(error) : .fail(error)
        }
        let delay = error.retryAfter ?? policy.backoff(retry: retries, unit: unit)
        retries += 1
        lastRetried = error
        return .retry(after: delay)
    }

    /// An attempt succeeded: the budget gets back what the retry that led here cost (one token after a first-try
    /// success), and the next failure starts a fresh series.
    mutating func succeeded(budget: RetryBudget) {
        budget.deposit(afterRetryOf: lastRetried)
        lastRetried = nil
        retries = 0
    }

    /// A failed download attempt nevertheless moved the download forward, past any point reached before, in bytes
    /// the next attempt keeps: a partial success. It pays back like a success and the attempts start over, so a long
    /// download over a link that drops now and then is limited by its progress (and `download_timeout`), not by the
    /// number of drops.
    mutating func progressed(budget: RetryBudget) {
        succeeded(budget: budget)
    }
}
