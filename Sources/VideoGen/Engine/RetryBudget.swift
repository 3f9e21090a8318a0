import Synchronization

/// A client's retry quota, a token bucket shared by all its requests (the AWS SDKs' standard retry mode, with the
/// costs of its 2026 rules): each retry costs tokens, successes pay some back, and an empty bucket means no
/// retries, so a dead service fails fast instead of multiplying traffic, and the client recovers as soon as
/// requests succeed again. A full bucket of 500 pays for 35 retries after transient failures (5xx, resets,
/// timeouts) or 100 after throttling (429): a service that says "slow down" is still answering.
public final class RetryBudget: Sendable {
    /// Tokens in a full bucket.
    public let capacity: Int
    /// Cost of retrying after a transient failure: a 5xx answer, a dropped connection, a timeout.
    public static let transientCost = 14
    /// Cost of retrying after throttling: a 429 answer or a rate-limit error.
    public static let throttlingCost = 5

    private let tokens: Mutex<Int>

    /// A full bucket of `capacity` tokens (0 disables retries).
    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        tokens = Mutex(max(0, capacity))
    }

    /// Tokens left.
    public var available: Int { tokens.withLock { $0 } }

    /// Takes the cost of retrying after `error`; false (and nothing taken) when the bucket cannot pay.
    public func withdraw(after error: VideoGenError) -> Bool {
        let cost = error.retryCost
        return tokens.withLock { tokens in
            guard tokens >= cost else { return false }
            tokens -= cost
            return true
        }
    }

    /// Pays back after a success: the cost of the retry that led to it (`lastRetried` is the failure that retry
    /// followed), or one token for a first-try success.
    public func deposit(afterRetryOf lastRetried: VideoGenError?) {
        let refund = lastRetried?.retryCost ?? 1
        tokens.withLock { $0 = min(capacity, $0 + refund) }
    }
}
