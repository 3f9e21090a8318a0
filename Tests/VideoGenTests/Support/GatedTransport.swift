import Foundation
@testable import VideoGen

/// A transport that serves one body (200 with an ETag) in two halves and holds the second half back until the test
/// opens the gate: a download that stays in progress exactly as long as a test needs, whatever the machine's speed.
final class GatedTransport: HTTPTransport {
    let body: Data
    /// Yields once the head and the first half were delivered.
    let halfway: AsyncStream<Void>
    private let halfwayContinuation: AsyncStream<Void>.Continuation
    private let gate: AsyncStream<Void>
    private let gateContinuation: AsyncStream<Void>.Continuation

    init(body: Data) {
        self.body = body
        (halfway, halfwayContinuation) = AsyncStream<Void>.makeStream()
        (gate, gateContinuation) = AsyncStream<Void>.makeStream()
    }

    /// Lets the second half go.
    func open() {
        gateContinuation.yield()
        gateContinuation.finish()
    }

    func stream(_ request: HTTPRequest, timeout: Double, progressBytes: Int64, sink: any ResponseSink) async throws -> HTTPResponseHead {
        let head = HTTPResponseHead(status: 200, headers: ["content-length": "\(body.count)", "etag": "\"gated\""], url: request.url)
        try sink.receive(head: head)
        let half = body.count / 2
        try sink.receive(data: body.prefix(half))
        halfwayContinuation.yield()
        for await _ in gate { break }
        try sink.receive(data: body.suffix(from: half))
        return head
    }
}
