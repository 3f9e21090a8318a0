import CVideoGenNative
import FoundationEssentials
import Synchronization

/// The real transport: libcurl's multi interface, driven by our own loop threads (`CurlLoop`), with every policy
/// in our code and none left to the HTTP stack.
///
/// - Redirects are followed here (`RedirectFollower`), not by libcurl: credentials only to the first request's
///   origin, http(s) only, no downgrade, a hop limit, a submit re-sent with its body on 307/308 or not at all.
/// - Bounds as bytes arrive: a sink that throws (the response cap, a download's size cap) aborts the transfer at
///   once; an error answer's body is cut at 64 KiB, a redirect's at 16 KiB; a head at 64 KiB (`ResponseHeadParser`);
///   control answers are decoded by libcurl chunk by chunk, so the cap applies to decoded bytes (no bomb gets
///   through); downloads ask for identity and are never decoded, so their sizes are checked on the bytes written.
/// - Time as deadlines: a control request (a sink that is not bulk) has `timeout` for the whole request, redirects
///   included, however slowly the bytes drip; a download has `timeout` of idle time, where only `progressBytes`
///   body bytes count as progress.
/// - A connection cut at any byte is `.network` (with `requestNotSent` when nothing went out); never a crash.
/// - Requests that must not be sent twice (any method but GET, HEAD, OPTIONS, PUT, DELETE) get a connection of their
///   own, closed after the answer: libcurl re-sends a request whose reused connection dies before the answer, which
///   for a submit would be a second task.
/// - No cookies, caches or authentication challenges; TLS verification always on, with the system's CA store;
///   HTTP/2 over TLS where the server offers it; proxies from the environment (`http_proxy`, `HTTPS_PROXY`,
///   `NO_PROXY`, ...) or the client's `proxy` setting.
///
/// Two loops: control requests (polls, submits, small answers) and downloads, so that a download held up by a
/// slow disk (its sink blocks: flow control) never delays a poll.
public final class CurlTransport: HTTPTransport, LoopTransport {
    /// The process-wide transport.
    public static let shared = CurlTransport()

    /// The loops; nil when one could not start (every request then fails with `.internal`, nothing crashes).
    private let control: CurlLoop?
    private let bulk: CurlLoop?

    private init() {
        control = CurlLoop(name: "videogen.http", connectionsPerHost: 16, carriesDownloads: false)
        bulk = CurlLoop(name: "videogen.dl", connectionsPerHost: 8, carriesDownloads: true)
    }

    /// Methods that may be sent twice without harm (RFC 9110 §9.2.2); only these reuse a pooled connection.
    static func isIdempotent(_ method: String) -> Bool {
        ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"].contains(method.uppercased())
    }

    public func stream(_ request: HTTPRequest, timeout: Double, progressBytes: Int64, sink: any ResponseSink) async throws -> HTTPResponseHead {
        let run = TransferRun(transport: self, request: request, timeout: timeout, progressBytes: progressBytes, sink: sink)
        // Whatever the outcome, take the run's lock once after resuming: the loop thread wrote the sink before it
        // released that lock in `finish`, so the caller reads the sink after an edge every thread checker sees (the
        // runtime's resume-before-suspend fast path is an atomic inside the uninstrumented concurrency runtime).
        defer { run.settle() }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in
                run.begin { result in continuation.resume(with: result) }
                if Task.isCancelled { run.cancel() }
            }
        } onCancel: {
            run.cancel()
        }
    }

    func start(_ request: HTTPRequest, timeout: Double, maxBodyBytes: Int,
               completion: @escaping @Sendable (Result<HTTPResponse, VideoGenError>) -> Void) -> any Cancellable {
        let sink = BufferSink(limit: maxBodyBytes)
        let run = TransferRun(transport: self, request: request, timeout: timeout, progressBytes: 1, sink: sink)
        // The handler runs on the thread that wrote the sink (the loop's), or on a cancelling thread before any byte
        // arrived: reading the sink here needs no further synchronisation.
        run.begin { result in
            completion(result.map { head in HTTPResponse(status: head.status, headers: head.headers, body: sink.data) })
        }
        return run
    }

    package func schedule(after seconds: Double, _ fire: @escaping @Sendable () -> Void) -> any Cancellable {
        guard let control else {
            return TaskSleepScheduler.realTime.schedule(after: seconds, fire)
        }
        return control.schedule(at: MonotonicTime.now &+ MonotonicTime.nanoseconds(max(0, seconds)), fire)
    }

    /// The loop a hop of `transfer`'s kind runs on.
    fileprivate func loop(for transfer: CurlTransfer) -> CurlLoop? {
        transfer.isBulk ? bulk : control
    }

    /// The library error a failed transfer's CURLcode means.
    static func error(code: Int32, host: String, nothingSent: Bool) -> VideoGenError {
        let text = String(cString: videogen_curl_strerror(code))
        switch code {
        case 5, 6, 7:
            // CURLE_COULDNT_RESOLVE_PROXY, _RESOLVE_HOST, _CONNECT: the request never left.
            var error = VideoGenError(.network, code == 5 ? "cannot reach the proxy for \(host)" : "cannot connect to \(host)")
            error.requestNotSent = true
            return error
        case 35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91, 98:
            // TLS: handshake, peer verification, certificates, CA store, pinning.
            var error = VideoGenError(.insecure, "the TLS connection to \(host) could not be verified (\(text))")
            error.requestNotSent = nothingSent
            return error
        case 28:
            return VideoGenError(.timeout, "the request to \(host) timed out")
        case 27:
            return VideoGenError(.outOfMemory, "out of memory while talking to \(host)")
        case 61:
            return VideoGenError(.protocolError, "\(host) sent a body in an encoding that cannot be decoded")
        case 1, 3:
            return VideoGenError(.insecure, "refusing a URL that is not http(s)")
        default:
            var error = VideoGenError(.network, "the connection to \(host) failed (\(text))")
            error.requestNotSent = nothingSent
            return error
        }
    }
}

/// One request on the transport: its hops (redirects followed by `RedirectFollower`), each a `CurlTransfer`, and
/// the one result. Cancellable from any thread; the result is delivered once, on a loop thread (or on the
/// cancelling thread when the request had not started).
private final class TransferRun: Cancellable, @unchecked Sendable {
    // Unchecked: `follower`, `current` and `handler` are used by one hop's completion at a time (hops are
    // sequential); `state` is a Mutex.
    private let transport: CurlTransport
    private let timeout: Double
    private let progressBytes: Int64
    private let sink: any ResponseSink
    private let deadline: UInt64
    private var follower: RedirectFollower
    private var current: HTTPRequest
    private var handler: (@Sendable (Result<HTTPResponseHead, VideoGenError>) -> Void)?

    private struct State {
        var hop: CurlTransfer?
        var cancelled = false
    }
    private let state = Mutex(State())

    init(transport: CurlTransport, request: HTTPRequest, timeout: Double, progressBytes: Int64, sink: any ResponseSink) {
        self.transport = transport
        self.timeout = timeout
        self.progressBytes = progressBytes
        self.sink = sink
        self.deadline = MonotonicTime.now &+ MonotonicTime.nanoseconds(timeout)
        self.follower = RedirectFollower(for: request)
        self.current = request
    }

    /// Starts the first hop; `handler` gets the final head (its body went to the sink) or the error.
    func begin(_ handler: @escaping @Sendable (Result<HTTPResponseHead, VideoGenError>) -> Void) {
        self.handler = handler
        hop()
    }

    private func hop() {
        let transfer = CurlTransfer(request: current, sink: sink, timeout: timeout, progressBytes: progressBytes, deadline: deadline)
        guard let loop = transport.loop(for: transfer) else {
            return deliver(.failure(VideoGenError(.internal, "the HTTP transport could not start (libcurl could not be initialised, or no thread could be created)")))
        }
        let cancelled = state.withLock { state -> Bool in
            if !state.cancelled { state.hop = transfer }
            return state.cancelled
        }
        if cancelled { return deliver(.failure(VideoGenError(.cancelled, "the request was cancelled"))) }
        _ = transfer.install { [self] result in
            switch result {
            case .success(.response(let head)):
                deliver(.success(head))
            case .success(.redirect(let head, let location)):
                do {
                    current = try follower.next(after: current, status: head.status, location: location)
                    hop()
                } catch {
                    deliver(.failure(VideoGenError.wrap(error)))
                }
            case .failure(let error):
                deliver(.failure(error))
            }
        }
        loop.start(transfer)
    }

    private func deliver(_ result: Result<HTTPResponseHead, VideoGenError>) {
        let handler = state.withLock { state -> (@Sendable (Result<HTTPResponseHead, VideoGenError>) -> Void)? in
            state.hop = nil
            defer { self.handler = nil }
            return self.handler
        }
        handler?(result)
    }

    package func cancel() {
        let hop = state.withLock { state -> CurlTransfer? in
            state.cancelled = true
            return state.hop
        }
        guard let hop, let loop = transport.loop(for: hop) else { return }
        loop.cancel(hop, with: VideoGenError(.cancelled, "the request was cancelled"))
    }

    /// Synchronises with the loop thread that delivered the result.
    func settle() {
        state.withLock { _ in }
    }
}
