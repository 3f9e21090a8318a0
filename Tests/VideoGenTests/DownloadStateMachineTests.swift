import Testing
@testable import VideoGen

/// The download's decisions, driven by scripted attempt endings and part-file sizes.
@Suite("download state machine: commit, refresh, resume, give up")
struct DownloadStateMachineTests {
    typealias Outcome = DownloadStateMachine.Outcome

    static let policy = RetryPolicy(maxAttempts: 3, baseDelay: 1, maxDelay: 8)

    func machine(resumable: Int64 = 0) -> DownloadStateMachine {
        DownloadStateMachine(policy: Self.policy, maxURLRefreshes: 2, resumableBytes: resumable)
    }

    static func failure(_ code: VideoGenError.Code, status: Int? = nil) -> Outcome {
        .failed(VideoGenError(code, "scripted", httpStatus: status))
    }

    @Test("a 2xx commits; a 416 on a complete part commits; a 416 on an incomplete part is retried as a protocol error")
    func commits() {
        let budget = RetryBudget(capacity: 500)
        var m = machine()
        #expect(m.attemptEnded(.completed, resumableBytes: 10, foreignURL: false, budget: budget, unit: 0) == .commit)
        #expect(m.attemptEnded(.rangeNotSatisfiable(partComplete: true), resumableBytes: 10, foreignURL: false, budget: budget, unit: 0) == .commit)
        #expect(m.attemptEnded(.rangeNotSatisfiable(partComplete: false), resumableBytes: 10, foreignURL: false, budget: budget, unit: 0.5) == .retry(after: 0.5))
    }

    @Test("an expired signed URL (403/404/410 on another host) is refreshed at most maxURLRefreshes times",
          arguments: [403, 404, 410])
    func refresh(_ status: Int) {
        let budget = RetryBudget(capacity: 500)
        var m = machine()
        let expired = Self.failure(status == 403 ? .permission : .notFound, status: status)
        #expect(m.attemptEnded(expired, resumableBytes: 0, foreignURL: true, budget: budget, unit: 0) == .refreshURL)
        #expect(m.attemptEnded(expired, resumableBytes: 0, foreignURL: true, budget: budget, unit: 0) == .refreshURL)
        guard case .fail(let error) = m.attemptEnded(expired, resumableBytes: 0, foreignURL: true, budget: budget, unit: 0) else {
            Issue.record("a third expiry should end the download")
            return
        }
        #expect(error.httpStatus == status)
        #expect(budget.available == 500, "refreshing costs no retry tokens")
    }

    @Test("the same answers from the service's own host are not expiry: they end the download")
    func ownHost() {
        let budget = RetryBudget(capacity: 500)
        var m = machine()
        #expect(m.attemptEnded(Self.failure(.notFound, status: 404), resumableBytes: 0, foreignURL: false, budget: budget, unit: 0)
                == .fail(VideoGenError(.notFound, "scripted", httpStatus: 404)))
    }

    @Test("drops that move the part file forward never run out of attempts; drops without progress do")
    func progress() {
        let budget = RetryBudget(capacity: 500)
        var m = machine(resumable: 100)
        var bytes: Int64 = 100
        for _ in 0..<20 {
            bytes += 1000
            #expect(m.attemptEnded(Self.failure(.network), resumableBytes: bytes, foreignURL: true, budget: budget, unit: 0) == .retry(after: 0))
        }
        #expect(m.furthest == bytes)
        _ = m.attemptEnded(Self.failure(.network), resumableBytes: bytes, foreignURL: true, budget: budget, unit: 0)
        _ = m.attemptEnded(Self.failure(.network), resumableBytes: bytes, foreignURL: true, budget: budget, unit: 0)
        guard case .fail = m.attemptEnded(Self.failure(.network), resumableBytes: bytes, foreignURL: true, budget: budget, unit: 0) else {
            Issue.record("attempts without progress should end the download")
            return
        }
    }

    @Test("a part file a crash left counts as the starting point, not as progress")
    func startingPart() {
        let budget = RetryBudget(capacity: 500)
        var m = machine(resumable: 5000)
        _ = m.attemptEnded(Self.failure(.network), resumableBytes: 5000, foreignURL: true, budget: budget, unit: 0)
        _ = m.attemptEnded(Self.failure(.network), resumableBytes: 5000, foreignURL: true, budget: budget, unit: 0)
        guard case .fail = m.attemptEnded(Self.failure(.network), resumableBytes: 5000, foreignURL: true, budget: budget, unit: 0) else {
            Issue.record("no progress beyond the starting part: three attempts")
            return
        }
    }
}
