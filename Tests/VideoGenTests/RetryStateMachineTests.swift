import Testing
@testable import VideoGen

/// The one retry machine of submits, polls and downloads, driven by scripted failures: each row is a kind, a
/// sequence of failures, and the actions the machine must answer.
@Suite("retry state machine: one set of rules for submit, poll and download")
struct RetryStateMachineTests {
    typealias Action = RetryStateMachine.Action

    static let policy = RetryPolicy(maxAttempts: 3, baseDelay: 1, maxDelay: 8, maxRetryAfter: 30)

    static func error(_ code: VideoGenError.Code, status: Int? = nil, retryAfter: Double? = nil, notSent: Bool = false,
                      final: Bool = false) -> VideoGenError {
        var error = VideoGenError(code, "scripted", httpStatus: status, retryAfter: retryAfter)
        error.requestNotSent = notSent
        error.isFinal = final
        return error
    }

    struct Row: Sendable, CustomStringConvertible {
        let name: String
        let kind: RetryStateMachine.Kind
        let failures: [VideoGenError]
        /// Expected per failure: a retry delay, "schedule" (poll waits for its schedule), or the code it fails with.
        let expected: [Expect]
        var budget = 500
        var description: String { name }
    }

    enum Expect: Sendable, Equatable {
        case retry(Double)
        case schedule
        case fail(VideoGenError.Code)
    }

    static let rows: [Row] = [
        Row(name: "GET: 5xx retried with full-jitter backoff until max_attempts", kind: .idempotent,
            failures: [error(.server, status: 503), error(.server, status: 503), error(.server, status: 503)],
            expected: [.retry(0.5), .retry(1), .fail(.server)]),
        Row(name: "GET: Retry-After wins over the backoff", kind: .idempotent,
            failures: [error(.rateLimited, status: 429, retryAfter: 7)], expected: [.retry(7)]),
        Row(name: "GET: Retry-After above max_retry_after fails at once", kind: .idempotent,
            failures: [error(.rateLimited, status: 429, retryAfter: 31)], expected: [.fail(.rateLimited)]),
        Row(name: "GET: auth is not retried", kind: .idempotent,
            failures: [error(.auth, status: 401)], expected: [.fail(.auth)]),
        Row(name: "GET: X-Should-Retry false is final", kind: .idempotent,
            failures: [error(.server, status: 500, final: true)], expected: [.fail(.server)]),
        Row(name: "GET: an empty budget ends retries", kind: .idempotent,
            failures: [error(.network)], expected: [.fail(.network)], budget: 13),
        Row(name: "submit: a lost answer is an unknown outcome, never re-sent", kind: .submit(idempotencyKey: "k"),
            failures: [error(.network)], expected: [.fail(.unknownOutcome)]),
        Row(name: "submit: a timeout is an unknown outcome", kind: .submit(idempotencyKey: "k"),
            failures: [error(.timeout)], expected: [.fail(.unknownOutcome)]),
        Row(name: "submit: connection refused (never sent) is retried", kind: .submit(idempotencyKey: "k"),
            failures: [error(.network, notSent: true)], expected: [.retry(0.5)]),
        Row(name: "submit: 429 with Retry-After is retried after the hint", kind: .submit(idempotencyKey: "k"),
            failures: [error(.rateLimited, status: 429, retryAfter: 2)], expected: [.retry(2)]),
        Row(name: "submit: 503 without a hint is reported, not retried", kind: .submit(idempotencyKey: "k"),
            failures: [error(.server, status: 503)], expected: [.fail(.server)]),
        Row(name: "submit: a TLS failure before sending is not retried", kind: .submit(idempotencyKey: "k"),
            failures: [error(.insecure, notSent: true)], expected: [.fail(.insecure)]),
        Row(name: "poll: no attempt limit, the deadline is the limit", kind: .poll,
            failures: [error(.server), error(.server), error(.server), error(.server)],
            expected: [.retry(0.5), .retry(1), .retry(2), .retry(4)]),
        Row(name: "poll: a final transient failure waits for the schedule", kind: .poll,
            failures: [error(.server, final: true)], expected: [.schedule]),
        Row(name: "poll: an empty budget waits for the schedule", kind: .poll,
            failures: [error(.server)], expected: [.schedule], budget: 0),
        Row(name: "poll: not found ends the wait", kind: .poll,
            failures: [error(.notFound, status: 404)], expected: [.fail(.notFound)]),
        Row(name: "download: like a GET", kind: .download,
            failures: [error(.network), error(.timeout), error(.network)], expected: [.retry(0.5), .retry(1), .fail(.network)]),
        Row(name: "cancelled is never retried", kind: .poll,
            failures: [error(.cancelled)], expected: [.fail(.cancelled)]),
    ]

    @Test("each row's failures get the row's actions", arguments: rows)
    func table(_ row: Row) {
        var machine = RetryStateMachine(policy: Self.policy, kind: row.kind)
        let budget = RetryBudget(capacity: row.budget)
        for (failure, expected) in zip(row.failures, row.expected) {
            let action = machine.failed(failure, budget: budget, unit: 0.5)
            switch (action, expected) {
            case (.retry(let delay), .retry(let want)): #expect(delay == want, "\(row.name)")
            case (.waitForSchedule, .schedule): break
            case (.fail(let error), .fail(let code)): #expect(error.code == code, "\(row.name): \(error)")
            default: Issue.record("\(row.name): got \(action), expected \(expected)")
            }
        }
    }

    @Test("a success pays back the retry's cost and starts a fresh series")
    func successRefunds() {
        var machine = RetryStateMachine(policy: Self.policy, kind: .idempotent)
        let budget = RetryBudget(capacity: 500)
        #expect(machine.failed(Self.error(.server), budget: budget, unit: 0) == .retry(after: 0))
        #expect(budget.available == 500 - RetryBudget.transientCost)
        machine.succeeded(budget: budget)
        #expect(budget.available == 500)
        #expect(machine.retries == 0)
    }

    @Test("throttling costs less than a failure")
    func throttlingCost() {
        var machine = RetryStateMachine(policy: Self.policy, kind: .idempotent)
        let budget = RetryBudget(capacity: 500)
        _ = machine.failed(Self.error(.rateLimited, status: 429), budget: budget, unit: 0)
        #expect(budget.available == 500 - RetryBudget.throttlingCost)
    }

    @Test("a download that moved forward gets its attempts back")
    func downloadProgress() {
        var machine = RetryStateMachine(policy: Self.policy, kind: .download)
        let budget = RetryBudget(capacity: 500)
        for _ in 0..<10 {
            #expect(machine.failed(Self.error(.network), budget: budget, unit: 0).isRetry)
            machine.progressed(budget: budget)
        }
        #expect(budget.available == 500, "each partial success paid its retry back")
        _ = machine.failed(Self.error(.network), budget: budget, unit: 0)
        _ = machine.failed(Self.error(.network), budget: budget, unit: 0)
        #expect(!machine.failed(Self.error(.network), budget: budget, unit: 0).isRetry, "three attempts without progress end it")
    }
}

extension RetryStateMachine.Action {
    var isRetry: Bool {
        if case .retry = self { return true }
        return false
    }
}
