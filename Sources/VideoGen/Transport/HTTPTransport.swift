import FoundationEssentials

/// The head of an HTTP response: status and headers (names lower-cased), and the URL it finally came from.
public struct HTTPResponseHead: Sendable, Hashable {
    /// The status code.
    public var status: Int
    /// Header fields with lower-cased names.
    public var headers: [String: String]
    /// The URL after redirects.
    public var url: URL?

    /// Creates a head.
    public init(status: Int, headers: [String: String], url: URL? = nil) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.url = url
    }

    /// A head whose header names are lower-case already (the transport's parser made them so).
    init(status: Int, lowercasedHeaders headers: [String: String], url: URL?) {
        self.status = status
        self.headers = headers
        self.url = url
    }

    /// The declared body length, when the server gave a valid one.
    public var contentLength: Int64? {
        headers["content-length"].flatMap { Int64($0.trimmingWhitespace()) }.flatMap { $0 >= 0 ? $0 : nil }
    }
}

/// Receives a streamed response. Calls for one request come one at a time, in order, on a transport thread.
public protocol ResponseSink: AnyObject, Sendable {
    /// The head arrived. Throw to abort the request with that error.
    func receive(head: HTTPResponseHead) throws
    /// A piece of the body arrived. Throw to abort the request with that error.
    func receive(data: Data) throws
    /// A piece of the body arrived, as bytes valid during the call only (the transport's buffer): a sink that can
    /// use them in place saves a copy. Throw to abort the request with that error.
    func receive(bytes: UnsafeRawBufferPointer) throws
    /// True for a sink of a large body (a download). The transport may then call it on its network thread
    /// itself, where a sink that blocks slows the transfer down (flow control) instead of letting data pile up.
    var isBulk: Bool { get }
}

extension ResponseSink {
    /// Sinks are for small answers unless they say otherwise.
    public var isBulk: Bool { false }

    /// Copies the bytes into `Data` for `receive(data:)`.
    public func receive(bytes: UnsafeRawBufferPointer) throws {
        try receive(data: Data(bytes))
    }
}

/// Moves HTTP requests. `CurlTransport` is the real one; tests substitute their own.
public protocol HTTPTransport: Sendable {
    /// Performs `request`, streaming the body into `sink`.
    /// - Parameters:
    ///   - timeout: for a control request (a sink that is not bulk), seconds for the whole request, redirects
    ///     included, however the bytes arrive; for a download (a bulk sink), seconds without progress.
    ///   - progressBytes: for a download, how many body bytes count as progress (its minimum rate times
    ///     `timeout`, so that a slow drip is caught like a stall). Heads and redirects always count.
    /// - Returns: the response head once the whole body has been delivered.
    /// - Throws: `VideoGenError` (`.network`, `.timeout`, `.insecure`, `.auth`, `.cancelled`, or the sink's error).
    func stream(_ request: HTTPRequest, timeout: Double, progressBytes: Int64, sink: any ResponseSink) async throws -> HTTPResponseHead
}

/// A transport with an event loop of its own (`CurlTransport`): requests started with a completion instead of
/// awaited, and timers, both on the loop, so that the engine's waiting tasks are data (a timer, then a transfer)
/// rather than suspended Swift tasks.
protocol LoopTransport: HTTPTransport, EngineScheduler {
    /// Starts `request`, buffering the body up to `maxBodyBytes`; `completion` gets the answer (any status) or the
    /// error, once, on a library thread.
    func start(_ request: HTTPRequest, timeout: Double, maxBodyBytes: Int,
               completion: @escaping @Sendable (Result<HTTPResponse, VideoGenError>) -> Void) -> any Cancellable
}

extension HTTPTransport {
    /// Starts `request` as `LoopTransport.start` does: on the transport's loop when it has one, in a Swift task
    /// running `send` otherwise.
    func begin(_ request: HTTPRequest, timeout: Double, maxBodyBytes: Int,
                       completion: @escaping @Sendable (Result<HTTPResponse, VideoGenError>) -> Void) -> any Cancellable {
        if let loop = self as? any LoopTransport {
            return loop.start(request, timeout: timeout, maxBodyBytes: maxBodyBytes, completion: completion)
        }
        return TaskCancellable(task: Task {
            do {
                completion(.success(try await send(request, timeout: timeout, maxBodyBytes: maxBodyBytes)))
            } catch {
                completion(.failure(VideoGenError.wrap(error)))
            }
        })
    }

    /// Performs `request` with any received byte counting as progress.
    public func stream(_ request: HTTPRequest, timeout: Double, sink: any ResponseSink) async throws -> HTTPResponseHead {
        try await stream(request, timeout: timeout, progressBytes: 1, sink: sink)
    }

    /// Performs `request` and buffers the body, refusing bodies over `maxBodyBytes`.
    public func send(_ request: HTTPRequest, timeout: Double, maxBodyBytes: Int) async throws -> HTTPResponse {
        let sink = BufferSink(limit: maxBodyBytes)
        let head = try await stream(request, timeout: timeout, sink: sink)
        return HTTPResponse(status: head.status, headers: head.headers, body: sink.data)
    }
}

/// A sink that keeps the body in memory up to a limit.
final class BufferSink: ResponseSink, @unchecked Sendable {
    // Unchecked: the transport calls a sink's methods one at a time, and `data` is read only after the request
    // completed, so the stored state is never touched by two threads at once.
    private let limit: Int
    private(set) var data = Data()

    init(limit: Int) {
        self.limit = limit
    }

    func receive(head: HTTPResponseHead) throws {
        if let length = head.contentLength, length > Int64(limit) {
            throw VideoGenError(.tooLarge, "the service's answer declares \(length) bytes, over the \(limit)-byte limit", httpStatus: head.status)
        }
    }

    func receive(data chunk: Data) throws {
        guard data.count + chunk.count <= limit else {
            throw VideoGenError(.tooLarge, "the service's answer exceeds the \(limit)-byte limit")
        }
        data.append(chunk)
    }
}
