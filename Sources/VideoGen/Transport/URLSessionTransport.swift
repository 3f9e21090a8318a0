import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// The real transport: FoundationNetworking's URLSession, with the guards its Linux implementation needs.
///
/// - Three sessions for the whole process (control requests, submits, downloads), created once and never invalidated: short-lived sessions can abort the
///   process on Linux (swift-corelibs-foundation #5203), and tearing one down at exit races OpenSSL (#5469).
/// - No URL cache, no cookies, no credential storage.
/// - Credentials are stripped from every redirect that changes scheme, host or port, and https→http redirects are
///   refused (corelibs copies every header onto the redirected request).
/// - Non-idempotent requests (submits) have a connection pool of their own and ask for `Connection: close`: libcurl
///   re-sends a request whose reused connection dies before the answer, which would post a submit twice (or, on
///   this toolchain, send it without its body and hang).
/// - Authentication challenges are cancelled at once: a 401 with `WWW-Authenticate: Basic` otherwise hangs the task
///   forever on Swift 6.3.1 (#5456).
/// - Every request has an idle deadline of its own, independent of URLSession's timers, kept by one periodic
///   sweep (`IdleWatchdog`) rather than a sleeping task per request.
/// - Delegate calls run right on URLSession's network thread (`CallerRunsOperationQueue`): corelibs otherwise wraps
///   each of them (every 16 KiB that libcurl hands over, every head and completion) into an Operation for another
///   thread, which costs more CPU than the transfer itself, and queues them without limit when the consumer is
///   slower than the network (memory growing with the file). Run inline, a sink that blocks stops libcurl reading
///   the socket, so memory stays bounded. Downloads (sinks that say `isBulk`) go through a session of their own, so
///   that a download held up by a slow disk never delays control requests.
/// - Nothing here calls `URLSessionTask.cancel()` or a challenge's completion handler from a delegate call or a
///   Swift concurrency thread: both block on the session's work queue (`workQueue.sync`), which deadlocks when
///   the delegate call runs on that queue, and holds a concurrency thread while a download's disk write finishes.
///   They run on a Dispatch queue instead, exclusively of delegate calls (`SessionDelegate.cancel`).
public final class URLSessionTransport: HTTPTransport {
    /// The process-wide transport.
    public static let shared = URLSessionTransport()

    /// Most redirects followed for one request.
    public static let maxRedirects = 20

    /// Control requests that may be sent twice (polls, status, downloads of error bodies): pooled connections.
    private let control: Channel
    /// Downloads (sinks that say `isBulk`).
    private let bulk: Channel
    /// Non-idempotent requests (submits): a pool of their own, which only ever holds connections that were used
    /// for such a request and that the server did not close (each asks it to, `Connection: close`).
    private let submits: Channel

    /// A session, its delegate and its delegate queue: one connection pool (libcurl multi handle).
    private struct Channel {
        let session: URLSession
        let delegate: SessionDelegate

        init(name: String) {
            let queue = CallerRunsOperationQueue()
            queue.name = name
            delegate = SessionDelegate(queue: queue)
            session = URLSession(configuration: URLSessionTransport.configuration(), delegate: delegate, delegateQueue: queue)
        }
    }

    private init() {
        control = Channel(name: "videogen.urlsession")
        bulk = Channel(name: "videogen.urlsession.bulk")
        submits = Channel(name: "videogen.urlsession.submit")
        DebugEnvironment.warnIfHeadersWouldBeLogged()
    }

    private static func configuration() -> URLSessionConfiguration {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCredentialStorage = nil
        configuration.httpMaximumConnectionsPerHost = 16
        configuration.timeoutIntervalForRequest = 300
        configuration.timeoutIntervalForResource = 7 * 86400
        return configuration
    }

    /// Methods that may be sent twice without harm (RFC 9110 §9.2.2); only these reuse a pooled connection.
    static func isIdempotent(_ method: String) -> Bool {
        ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"].contains(method.uppercased())
    }

    public func stream(_ request: HTTPRequest, timeout: Double, progressBytes: Int64, sink: any ResponseSink) async throws -> HTTPResponseHead {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.httpBody = request.body
        // The watchdog below enforces `timeout`. URLSession's own idle timer is a backstop set a second later: on
        // Linux it works in whole seconds, and below one second it fails requests before they are sent.
        urlRequest.timeoutInterval = max(1, timeout) + 1
        urlRequest.httpShouldHandleCookies = false
        for header in request.headers {
            urlRequest.addValue(header.value, forHTTPHeaderField: header.name)
        }
        let idempotent = URLSessionTransport.isIdempotent(request.method)
        if !idempotent {
            // libcurl silently sends a request again on a fresh connection when a reused one dies before any
            // answer byte ("Connection died, retrying a fresh connect"), even after the whole body went out. For a
            // submit that is a second POST the service may run twice, and on this toolchain the re-sent request
            // has no body (corelibs cannot rewind it), so the task hangs until the watchdog. A non-idempotent
            // request therefore never rides a connection a poll left open (it has a pool of its own), and asks
            // the server to close the connection after answering (which a server must do, and should say, so
            // that libcurl drops it too): the next submit starts on a fresh connection, which libcurl does not
            // retry, and a reset is reported at once (as unknown_outcome by the submit logic).
            urlRequest.setValue("close", forHTTPHeaderField: "Connection")
        }
        let context = RequestContext(sink: sink, progressBytes: progressBytes)
        let channel = sink.isBulk ? bulk : idempotent ? control : submits
        let (session, delegate) = (channel.session, channel.delegate)
        let task = session.dataTask(with: urlRequest)
        delegate.register(context, for: task)
        defer { delegate.unregister(task) }

        let host = request.url.host ?? "the service"
        let watch = IdleWatchdog.shared.watch(context, timeout: timeout) {
            context.finish(error: VideoGenError(.timeout, progressBytes > 1
                ? "the transfer from \(host) went slower than \(progressBytes) bytes in \(Int(timeout.rounded())) s"
                : "no answer from \(host) for \(Int(timeout.rounded())) s"))
            delegate.cancel(task)
        }
        defer { IdleWatchdog.shared.unwatch(watch) }

        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if context.install(continuation) {
                    if Task.isCancelled {
                        context.finish(error: VideoGenError(.cancelled, "the request was cancelled"))
                    } else {
                        task.resume()
                    }
                }
            }
        } onCancel: {
            context.finish(error: VideoGenError(.cancelled, "the request was cancelled"))
            delegate.cancel(task)
        }
    }
}

extension VideoGenError {
    /// `error` as a library error: itself if it is one, `.cancelled` for Swift cancellation, `.internal` otherwise.
    static func wrap(_ error: any Error) -> VideoGenError {
        if let error = error as? VideoGenError { return error }
        if error is CancellationError { return VideoGenError(.cancelled, "cancelled") }
        return VideoGenError(.internal, "unexpected error: \(Sanitize.text(String(describing: type(of: error)), limit: 100))")
    }
}

/// Carries a value that corelibs does not mark Sendable (a task, a completion handler) to another queue; both
/// are safe to use from any thread.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Foundation's debug switches that print request headers, keys included, to stderr.
enum DebugEnvironment {
    static let variables = ["URLSessionDebugLibcurl", "URLSessionDebug"]

    /// Warns once on stderr when a switch is set.
    static func warnIfHeadersWouldBeLogged() {
        let environment = ProcessInfo.processInfo.environment
        for name in variables where environment[name] != nil {
            FileHandle.standardError.write(Data("videogen: warning: \(name) is set; Foundation will print request headers, API keys included, to stderr\n".utf8))
        }
    }
}
