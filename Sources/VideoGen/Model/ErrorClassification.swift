/// How the engine treats each failure, in one place: which heal on their own, which may be retried early, what a
/// retry costs the client's budget, and which a submit may repeat without risking a second task. Every retry
/// decision (`RetryStateMachine`, used by submits, polls and downloads alike) reads these and nothing else.
extension VideoGenError {
    /// True for failures of a kind that usually heals: network trouble, timeouts, rate limits, server errors and
    /// unreadable answers (proxies in front of a service sometimes answer HTML), whether or not this one may be
    /// retried early.
    public var isTransient: Bool {
        switch code {
        case .network, .timeout, .rateLimited, .server, .protocolError: return true
        default: return false
        }
    }

    /// True for failures that may be retried: transient ones, unless the service said repeating cannot help
    /// (`X-Should-Retry: false`, a redirect loop).
    public var isRetryable: Bool {
        !isFinal && isTransient
    }

    /// True for throttling: a 429 answer or a rate-limit error. The service is still answering, so retrying after
    /// it costs the budget less than retrying after a failure.
    public var isThrottling: Bool {
        code == .rateLimited || httpStatus == 429
    }

    /// Tokens a retry after this failure takes from the client's `RetryBudget`.
    public var retryCost: Int {
        isThrottling ? RetryBudget.throttlingCost : RetryBudget.transientCost
    }

    /// True when a request that must not run twice (a submit, a remix) may be sent again after this failure: it
    /// provably never reached the service, or the service refused it and said when to come back (429/503 with
    /// Retry-After), so no task was created.
    var submitMayRetry: Bool {
        if requestNotSent { return true }
        return (httpStatus == 429 || httpStatus == 503) && retryAfter != nil
    }

    /// True when a submit failing this way may nevertheless have created a task: the request went out and its
    /// answer was lost.
    var outcomeUnknown: Bool {
        !requestNotSent && (code == .network || code == .timeout)
    }

    /// Any thrown error as a library error: a `VideoGenError` as it is, Swift's cancellation as `.cancelled`,
    /// anything else as `.internal` naming only its type.
    package static func wrap(_ error: any Error) -> VideoGenError {
        if let error = error as? VideoGenError { return error }
        if error is CancellationError { return VideoGenError(.cancelled, "cancelled") }
        return VideoGenError(.internal, "unexpected error: \(Sanitize.text(String(describing: type(of: error)), limit: 100))")
    }
}
