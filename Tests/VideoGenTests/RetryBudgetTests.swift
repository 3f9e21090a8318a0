import Foundation
import Testing
@testable import VideoGen

@Suite("retry budget")
struct RetryBudgetTests {
    @Test("transient retries cost 14 tokens, throttled ones 5, successes pay back the last retry's cost up to capacity")
    func bucket() {
        let budget = RetryBudget(capacity: 40)
        #expect(budget.withdraw(after: VideoGenError(.server, "503", httpStatus: 503)))
        #expect(budget.available == 26)
        #expect(budget.withdraw(after: VideoGenError(.timeout, "slow")))
        #expect(budget.available == 12)
        #expect(!budget.withdraw(after: VideoGenError(.network, "reset")), "cannot pay 14")
        #expect(budget.withdraw(after: VideoGenError(.rateLimited, "slow down", httpStatus: 429)), "throttling costs 5")
        #expect(budget.available == 7)
        budget.deposit(afterRetryOf: VideoGenError(.server, "503", httpStatus: 503))
        #expect(budget.available == 21)
        budget.deposit(afterRetryOf: VideoGenError(.server, "busy", httpStatus: 429))
        #expect(budget.available == 26)
        budget.deposit(afterRetryOf: nil)
        #expect(budget.available == 27, "a first-try success pays back 1")
        for _ in 0..<100 { budget.deposit(afterRetryOf: nil) }
        #expect(budget.available == 40)
        #expect(!RetryBudget(capacity: 0).withdraw(after: VideoGenError(.network, "x")))
        #expect(500 / RetryBudget.transientCost == 35 && 500 / RetryBudget.throttlingCost == 100)
    }

    @Test("a spent budget makes requests fail fast instead of retrying")
    func failsFast() async throws {
        var configuration = try TestConfig.make(.openai, retry: RetryPolicy(maxAttempts: 5, baseDelay: 0, maxDelay: 0))
        configuration.retry.budget = 30
        var script: [FakeTransport.Outcome] = []
        for _ in 0..<20 { script.append(.respond(.json(503, ""))) }
        let transport = FakeTransport(script)
        let client = VideoGenClient(configuration: configuration, transport: transport, random: { 0 })
        let task = TaskSnapshot(id: "v", dialect: "openai", baseURL: "http://127.0.0.1:9")
        await expectError(.server) { _ = try await client.refresh(task) }
        #expect(transport.requests.count == 3, "first try + 2 retries of 14 tokens")
        await expectError(.server) { _ = try await client.refresh(task) }
        #expect(transport.requests.count == 4, "no token left: one attempt only")
    }

    @Test("configuration reads the budget")
    func configured() throws {
        let configuration = try ClientConfiguration(json: JSONValue.parse(
            #"{"dialect":"openai","base_url":"https://x","api_key":"k","retry":{"budget":42}}"#), environment: [:])
        #expect(configuration.retry.budget == 42)
        #expect(VideoGenClient(configuration: configuration).retryBudget.capacity == 42)
    }

    @Test("a skipped retry keeps the regular schedule and still reaches the deadline")
    func skipped() {
        var machine = PollingStateMachine(policy: PollPolicy(interval: 1, maxInterval: 4, multiplier: 2, jitter: 0, minInterval: 0),
                                          retry: RetryPolicy(), deadline: 10, random: { 0 })
        _ = machine.start(TaskSnapshot(id: "t", dialect: "openai", baseURL: "https://x"), now: 0, immediately: true)
        #expect(machine.pollSkipped(VideoGenError(.server, "503"), now: 0) == .sleep(2))
        #expect(machine.pollSkipped(VideoGenError(.auth, "no"), now: 2) == .failed(VideoGenError(.auth, "no")))
    }
}
