import Synchronization

/// A client's retry quota, a token bucket shared by all its requests (the AWS SDKs' standard retry mode): each
/// retry costs tokens, successes pay some back, and an empty bucket means no retries, so a dead service fails fast
/// instead of multiplying traffic, and the client recovers as soon as requests succeed again.
public final class RetryBudget: Sendable {
    /// Tokens in a full bucket.
    public let capacity: Int
    /// Cost of retrying after a timeout.
    public static let timeoutCost = 10
    /// Cost of any other retry.
    public static let retryCost = 5

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
        let cost = error.code == .timeout ? RetryBudget.timeoutCost : RetryBudget.retryCost
        return tokens.withLock { tokens in
            guard tokens >= cost else { return false }
            tokens -= cost
            return true
        }
    }

    /// Pays back after a success: the cost of the retry that led to it, or one token for a first-try success.
    public func deposit(afterRetry retried: Bool) {
        let refund = retried ? RetryBudget.retryCost : 1
        tokens.withLock { $0 = min(capacity, $0 + refund) }
    }
}
