import Foundation
import Synchronization
@testable import VideoGen

/// A scripted transport: answers requests from a queue of outcomes and records what was sent.
final class FakeTransport: HTTPTransport {
    enum Outcome: Sendable {
        case respond(HTTPResponse)
        case fail(VideoGenError)
        /// Delivers the head and the body, then fails (a connection dropped before the declared end).
        case respondThenFail(HTTPResponse, VideoGenError)
    }

    private let script: Mutex<[Outcome]>
    private let sent = Mutex<[HTTPRequest]>([])
    private let given = Mutex<[Double]>([])

    init(_ outcomes: [Outcome]) {
        script = Mutex(outcomes)
    }

    /// The requests sent so far.
    var requests: [HTTPRequest] { sent.withLock { $0 } }
    /// The timeout each request was given.
    var timeouts: [Double] { given.withLock { $0 } }

    func stream(_ request: HTTPRequest, timeout: Double, progressBytes: Int64, sink: any ResponseSink) async throws -> HTTPResponseHead {
        sent.withLock { $0.append(request) }
        given.withLock { $0.append(timeout) }
        let outcome = script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        switch outcome {
        case .respond(let response):
            let head = HTTPResponseHead(status: response.status, headers: response.headers, url: request.url)
            try sink.receive(head: head)
            if !response.body.isEmpty { try sink.receive(data: response.body) }
            return head
        case .fail(let error):
            throw error
        case .respondThenFail(let response, let error):
            try sink.receive(head: HTTPResponseHead(status: response.status, headers: response.headers, url: request.url))
            if !response.body.isEmpty { try sink.receive(data: response.body) }
            throw error
        case nil:
            throw VideoGenError(.internal, "the fake transport ran out of scripted answers")
        }
    }
}

extension HTTPResponse {
    /// A JSON answer.
    static func json(_ status: Int, _ text: String, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers.merging(["content-type": "application/json"]) { a, _ in a },
                     body: Data(text.utf8))
    }
}

/// Builds configurations for tests.
enum TestConfig {
    static let key = "sk-CANARY-0a6f1e2d"

    static func make(_ dialect: Dialect, base: String = "http://127.0.0.1:9", retry: RetryPolicy? = nil,
                     poll: PollPolicy? = nil) throws -> ClientConfiguration {
        var configuration = try ClientConfiguration(dialect: dialect, baseURL: base, apiKey: APIKey(key))
        if dialect == .vertex { configuration.google = GoogleSettings(project: "test-project") }
        if let retry { configuration.retry = retry }
        if let poll { configuration.poll = poll }
        return configuration
    }

    /// Retries without waiting.
    static let fastRetry = RetryPolicy(maxAttempts: 3, baseDelay: 0, maxDelay: 0)
}
