import FoundationEssentials
import Synchronization

extension RequestExecutor {
    /// Asks a gateway's content route whether it holds a task's video, without downloading it: one GET with
    /// `Range: bytes=0-0`, abandoned as soon as a 2xx head arrives (new-api's proxy ignores the range for an inline
    /// video and would send the whole file).
    /// - Returns: `route` when it serves a video; nil when it answers 404, 410 or 416 (the task has none).
    /// - Throws: the error any other answer means (through the adapter), or the transport's error.
    func probeContent(_ route: String) async throws -> String? {
        guard let url = URL(string: route) else { return nil }
        let request = HTTPRequest(method: "GET", url: url, headers: [("Accept", "*/*"), ("Range", "bytes=0-0")])
        let sink = ProbeSink(limit: min(configuration.maxResponseBytes, 1 << 20))
        do {
            _ = try await transport.stream(try await authorized(request), timeout: configuration.requestTimeout, sink: sink)
        } catch {
            // The sink stops the transfer itself at a 2xx head, and at the size limit of an error body.
            let outcome = sink.outcome
            if !outcome.found && !outcome.truncated { throw scrubbed(VideoGenError.wrap(error)) }
        }
        let outcome = sink.outcome
        if outcome.found { return route }
        guard let status = outcome.status else {
            throw VideoGenError(.protocolError, "the content route answered without a status")
        }
        if [404, 410, 416].contains(status) { return nil }
        throw scrubbed(adapter.error(from: HTTPResponse(status: status, headers: outcome.headers, body: outcome.body)))
    }
}

/// The sink of a content probe: stops the transfer at a 2xx head, keeps (a bounded part of) any other answer's body
/// for its error.
final class ProbeSink: ResponseSink {
    /// What the probe saw.
    struct Outcome: Sendable {
        var status: Int?
        var headers: [String: String] = [:]
        var body = Data()
        /// A 2xx head arrived: the route serves the video.
        var found = false
        /// The error body reached the size limit; the rest was not read.
        var truncated = false
    }

    private let limit: Int
    private let state = Mutex(Outcome())

    init(limit: Int) {
        self.limit = limit
    }

    /// What the probe saw so far.
    var outcome: Outcome { state.withLock { $0 } }

    func receive(head: HTTPResponseHead) throws {
        let found = (200..<300).contains(head.status)
        state.withLock {
            $0.status = head.status
            $0.headers = head.headers
            $0.found = found
        }
        if found { throw VideoGenError(.cancelled, "the content probe has its answer") }
    }

    func receive(data: Data) throws {
        let full = state.withLock { outcome in
            outcome.body.append(data.prefix(max(0, limit - outcome.body.count)))
            outcome.truncated = outcome.body.count >= limit
            return outcome.truncated
        }
        if full { throw VideoGenError(.tooLarge, "the content route's error answer reached \(limit) bytes") }
    }
}
