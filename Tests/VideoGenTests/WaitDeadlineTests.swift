import Foundation
import Synchronization
import Testing
@testable import VideoGen

@Suite("wait deadline reaches the poll in flight")
struct WaitDeadlineTests {
    @Test("a poll gets what is left of the wait's deadline when that is sooner than request_timeout")
    func pollBoundedByDeadline() async throws {
        var configuration = try TestConfig.make(.openai, retry: RetryPolicy(maxAttempts: 1, baseDelay: 0, maxDelay: 0))
        configuration.requestTimeout = 30
        // A silent service: every poll lasts its whole timeout, then times out.
        let transport = SilentTransport()
        let client = VideoGenClient(configuration: configuration, transport: transport, random: { 0 })
        let task = TaskSnapshot(id: "video_1", dialect: "openai", baseURL: "http://127.0.0.1:9")
        let error = await expectError(.deadline) { _ = try await client.wait(for: task, timeout: 1, pollImmediately: true) }
        #expect(error?.message.contains("no answer") == true)
        let timeouts = transport.timeouts
        #expect(timeouts.count == 1, "one poll, cut at the deadline, and the wait ends: \(timeouts)")
        #expect(timeouts.allSatisfy { $0 <= 1 }, "the poll ends by the wait's deadline, not after request_timeout: \(timeouts)")
    }

    @Test("request_timeout still bounds a poll when the deadline is further away")
    func requestTimeoutWhenSooner() async throws {
        var configuration = try TestConfig.make(.openai)
        configuration.requestTimeout = 5
        let transport = FakeTransport([.respond(.json(200, #"{"id":"video_1","object":"video","status":"completed","progress":100}"#))])
        let client = VideoGenClient(configuration: configuration, transport: transport, random: { 0 })
        let task = TaskSnapshot(id: "video_1", dialect: "openai", baseURL: "http://127.0.0.1:9")
        let final = try await client.wait(for: task, timeout: 600, pollImmediately: true)
        #expect(final.state == .succeeded)
        #expect(transport.timeouts == [5])
    }
}

/// A service that never answers: each request lasts its whole timeout, then fails with `.timeout`.
final class SilentTransport: HTTPTransport {
    private let given = Mutex<[Double]>([])

    /// The timeout each request was given.
    var timeouts: [Double] { given.withLock { $0 } }

    func stream(_ request: HTTPRequest, timeout: Double, progressBytes: Int64, sink: any ResponseSink) async throws -> HTTPResponseHead {
        given.withLock { $0.append(timeout) }
        try await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
        throw VideoGenError(.timeout, "no answer within \(timeout) s")
    }
}
