import FoundationEssentials

/// The poll schedule of a wait, as data: an interval growing geometrically to a ceiling, jittered downwards so that
/// many tasks submitted together spread out, with a floor that server hints cannot go below. With `adaptive`, a
/// task that reports progress is polled just after the end its progress rate points to instead (see
/// `PollingStateMachine`), never sooner than `minInterval` and never later than `maxInterval` after the last poll.
public struct PollPolicy: Sendable, Hashable {
    /// Delay before the first poll after a submit, and the base of the schedule, in seconds.
    public var interval: Double = 1
    /// Ceiling of the schedule, in seconds.
    public var maxInterval: Double = 15
    /// Growth factor per poll (1 = fixed interval).
    public var multiplier: Double = 1.5
    /// Fraction (0...1) by which a delay may be shortened at random.
    public var jitter: Double = 0.1
    /// No poll comes sooner than this after the previous one, whatever a server hint says, in seconds.
    public var minInterval: Double = 0.2
    /// Server poll hints are clamped to this, in seconds.
    public var maxHint: Double = 60
    /// Place polls from the progress rate when the service reports progress (false: the schedule alone).
    public var adaptive: Bool = true

    /// The default policy.
    public init() {}

    /// A policy with the given values.
    public init(interval: Double, maxInterval: Double, multiplier: Double = 1, jitter: Double = 0, minInterval: Double = 0.2,
                maxHint: Double = 60, adaptive: Bool = true) {
        self.interval = interval
        self.maxInterval = max(interval, maxInterval)
        self.multiplier = multiplier
        self.jitter = jitter
        self.minInterval = minInterval
        self.maxHint = maxHint
        self.adaptive = adaptive
    }

    /// The delay before poll number `index` (0 = first) when the server gave no hint, before jitter.
    public func baseDelay(index: Int) -> Double {
        var delay = interval
        for _ in 0..<min(index, 64) {
            delay *= multiplier
            if delay >= maxInterval { return maxInterval }
        }
        return max(minInterval, min(delay, maxInterval))
    }

    /// The delay before poll `index`, with `unit` (uniform in 0..<1) applying the jitter, or the server's hint.
    public func delay(index: Int, hint: Double?, unit: Double) -> Double {
        if let hint {
            return min(max(hint, minInterval), maxHint)
        }
        let base = baseDelay(index: index)
        return max(minInterval, base * (1 - jitter * unit))
    }

    init(reading reader: inout FieldReader, defaults: PollPolicy) throws {
        self = defaults
        interval = try reader.double("interval", in: 0.01...3600) ?? interval
        maxInterval = try reader.double("max_interval", in: 0.01...3600) ?? max(maxInterval, interval)
        multiplier = try reader.double("multiplier", in: 1...10) ?? multiplier
        jitter = try reader.double("jitter", in: 0...1) ?? jitter
        minInterval = try reader.double("min_interval", in: 0...3600) ?? minInterval
        maxHint = try reader.double("max_hint", in: 0...86400) ?? maxHint
        adaptive = try reader.bool("adaptive") ?? adaptive
        guard maxInterval >= interval else {
            throw VideoGenError(.invalidArgument, "configuration 'poll': max_interval (\(maxInterval)) is below interval (\(interval))")
        }
    }
}

/// How a failed request is retried: full-jitter exponential backoff, server hints honoured up to a cap.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts per request, the first included (1 = no retry).
    public var maxAttempts: Int = 4
    /// Backoff base, in seconds: attempt n waits uniform(0, min(maxDelay, baseDelay * 2^n)).
    public var baseDelay: Double = 0.5
    /// Backoff ceiling, in seconds.
    public var maxDelay: Double = 8
    /// A server retry hint above this many seconds is not waited for: the request fails at once with
    /// `.rateLimited` carrying the hint.
    public var maxRetryAfter: Double = 120
    /// Tokens in the client's retry budget (see `RetryBudget`); 0 disables retries.
    public var budget: Int = 500

    /// The default policy.
    public init() {}

    /// A policy with the given values.
    public init(maxAttempts: Int, baseDelay: Double, maxDelay: Double, maxRetryAfter: Double = 120) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait before retry number `retry` (0 = first retry), with `unit` uniform in 0..<1 (full jitter).
    public func backoff(retry: Int, unit: Double) -> Double {
        let ceiling = min(maxDelay, baseDelay * Double(sign: .plus, exponent: min(retry, 62), significand: 1))
        return ceiling * unit
    }

    init(reading reader: inout FieldReader, defaults: RetryPolicy) throws {
        self = defaults
        maxAttempts = Int(try reader.int("max_attempts", in: 1...20) ?? Int64(maxAttempts))
        baseDelay = try reader.double("base_delay", in: 0...600) ?? baseDelay
        maxDelay = try reader.double("max_delay", in: 0...3600) ?? maxDelay
        maxRetryAfter = try reader.double("max_retry_after", in: 0...86400) ?? maxRetryAfter
        budget = Int(try reader.int("budget", in: 0...1_000_000) ?? Int64(budget))
    }
}
