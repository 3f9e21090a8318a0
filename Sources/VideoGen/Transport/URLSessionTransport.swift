import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// The real transport: FoundationNetworking's URLSession, with the guards its Linux implementation needs.
///
/// - One session for the whole process, created once and never invalidated: short-lived sessions can abort the
///   process on Linux (swift-corelibs-foundation #5203), and tearing one down at exit races OpenSSL (#5469).
/// - No URL cache, no cookies, no credential storage.
/// - Credentials are stripped from every redirect that changes scheme, host or port, and https→http redirects are
///   refused (corelibs copies every header onto the redirected request).
/// - Non-idempotent requests (submits) go out on a connection of their own (`Connection: close`): libcurl re-sends
///   a request whose reused connection dies before the answer, which would post a submit twice (or, here, hang it).
/// - Authentication challenges are cancelled at once: a 401 with `WWW-Authenticate: Basic` otherwise hangs the task
///   forever on Swift 6.3.1 (#5456).
/// - Every request has an idle deadline of its own, independent of URLSession's timers, kept by one periodic
///   sweep (`IdleWatchdog`) rather than a sleeping task per request.
/// - Delegate calls run right on URLSession's network thread (`CallerRunsOperationQueue`): corelibs otherwise wraps
///   each of them (every 16 KiB that libcurl hands over, every head and completion) into an Operation for another
///   thread, which costs more CPU than the transfer itself, and queues them without limit when the consumer is
///   slower than the network (memory growing with the file). Run inline, a sink that blocks stops libcurl reading
///   the socket, so memory stays bounded. Downloads (sinks that say `isBulk`) go through a second session of their
///   own, so that a download held up by a slow disk never delays control requests.
/// - Nothing here calls `URLSessionTask.cancel()` or a challenge's completion handler from a delegate call or a
///   Swift concurrency thread: both block on the session's work queue (`workQueue.sync`), which deadlocks when
///   the delegate call runs on that queue, and holds a concurrency thread while a download's disk write finishes.
///   They run on a Dispatch queue instead (`SessionDelegate.cancel`).
public final class URLSessionTransport: HTTPTransport {
    /// The process-wide transport.
    public static let shared = URLSessionTransport()

    /// Most redirects followed for one request.
    public static let maxRedirects = 20

    private let session: URLSession
    private let delegate: SessionDelegate
    private let bulkSession: URLSession
    private let bulkDelegate: SessionDelegate

    private init() {
        delegate = SessionDelegate()
        let queue = CallerRunsOperationQueue()
        queue.name = "videogen.urlsession"
        session = URLSession(configuration: URLSessionTransport.configuration(), delegate: delegate, delegateQueue: queue)
        bulkDelegate = SessionDelegate()
        let bulkQueue = CallerRunsOperationQueue()
        bulkQueue.name = "videogen.urlsession.bulk"
        bulkSession = URLSession(configuration: URLSessionTransport.configuration(), delegate: bulkDelegate,
                                 delegateQueue: bulkQueue)
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
        if !URLSessionTransport.isIdempotent(request.method) {
            // libcurl silently sends a request again on a fresh connection when a reused one dies before any
            // answer byte ("Connection died, retrying a fresh connect"), even after the whole body went out. For a
            // submit that is a second POST the service may run twice, and on this toolchain the re-sent request
            // has no body (corelibs cannot rewind it), so the task hangs until the watchdog. A non-idempotent
            // request therefore never rides a reused connection: it asks for its own, which libcurl does not
            // retry, and a reset is reported at once (as unknown_outcome by the submit logic).
            urlRequest.setValue("close", forHTTPHeaderField: "Connection")
        }
        let context = RequestContext(sink: sink, progressBytes: progressBytes)
        let (session, delegate) = sink.isBulk ? (bulkSession, bulkDelegate) : (self.session, self.delegate)
        let task = session.dataTask(with: urlRequest)
        delegate.register(context, for: task)
        defer { delegate.unregister(task) }

        let host = request.url.host ?? "the service"
        let watch = IdleWatchdog.shared.watch(context, timeout: timeout) {
            context.finish(error: VideoGenError(.timeout, progressBytes > 1
                ? "the transfer from \(host) went slower than \(progressBytes) bytes in \(Int(timeout.rounded())) s"
                : "no answer from \(host) for \(Int(timeout.rounded())) s"))
            SessionDelegate.cancel(task)
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
            SessionDelegate.cancel(task)
        }
    }
}

/// The delegate queue of the download session: each delegate call runs at once on the thread that queues it
/// (URLSession's network thread) instead of becoming an Operation for another thread. Calls are still one at a
/// time and in order: one queued while another runs (from another thread, or from within a delegate call) waits
/// in a list that the running thread works through before it returns.
final class CallerRunsOperationQueue: OperationQueue, @unchecked Sendable {
    // Unchecked: the only stored state is the Mutex.
    private struct State {
        var running = false
        var queued: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    override func addOperation(_ block: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.running {
                state.queued.append(block)
                return false
            }
            state.running = true
            return true
        }
        guard runNow else { return }
        var next: (@Sendable () -> Void)? = block
        while let current = next {
            current()
            next = state.withLock { state -> (@Sendable () -> Void)? in
                if state.queued.isEmpty {
                    state.running = false
                    return nil
                }
                return state.queued.removeFirst()
            }
        }
    }
}

/// Routes URLSession's delegate calls to the context of each request.
final class SessionDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private let contexts = Mutex<[Int: RequestContext]>([:])

    func register(_ context: RequestContext, for task: URLSessionTask) {
        contexts.withLock { $0[task.taskIdentifier] = context }
    }

    func unregister(_ task: URLSessionTask) {
        _ = contexts.withLock { $0.removeValue(forKey: task.taskIdentifier) }
    }

    private func context(_ task: URLSessionTask) -> RequestContext? {
        contexts.withLock { $0[task.taskIdentifier] }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let context = context(dataTask), context.isActive, context.notedFailure == nil,
              let http = response as? HTTPURLResponse else {
            context(dataTask)?.noteFailure(VideoGenError(.protocolError, "the answer is not HTTP"))
            completionHandler(.cancel)
            return
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        let head = HTTPResponseHead(status: http.statusCode, headers: headers, url: http.url)
        context.touch()
        context.setHead(head)
        do {
            try context.sink.receive(head: head)
            completionHandler(.allow)
        } catch {
            context.noteFailure(VideoGenError.wrap(error))
            completionHandler(.cancel)
            // corelibs ignores the disposition: stop the transfer for real.
            SessionDelegate.cancel(dataTask)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let context = context(dataTask), context.isActive else { return }
        context.touch(bytes: data.count)
        do {
            try context.sink.receive(data: data)
        } catch {
            context.noteFailure(VideoGenError.wrap(error))
            SessionDelegate.cancel(dataTask)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let context = context(task) else { return }
        context.finish(error: error.map { SessionDelegate.map($0, task: task) })
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        guard let context = context(task), let target = request.url else {
            completionHandler(nil)
            return
        }
        context.touch()
        let source = response.url ?? task.currentRequest?.url ?? target
        switch OriginPolicy.redirect(from: source, to: target, hops: context.countRedirect(),
                                     maxHops: URLSessionTransport.maxRedirects) {
        case .refuse(let error):
            context.noteFailure(error)
            completionHandler(nil)
        case .follow(let stripCredentials):
            var next = request
            if stripCredentials {
                for name in next.allHTTPHeaderFields?.keys.map({ $0 }) ?? []
                where OriginPolicy.credentialHeaders.contains(name.lowercased()) {
                    next.setValue(nil, forHTTPHeaderField: name)
                }
            }
            completionHandler(next)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        // corelibs verifies TLS peers inside libcurl and raises no server-trust challenge: every challenge that
        // arrives here is an HTTP authentication request (401/407).
        context(task)?.noteFailure(VideoGenError(.auth, "the service rejected the credentials and asked for \(challenge.protectionSpace.authenticationMethod == NSURLAuthenticationMethodHTTPBasic ? "HTTP Basic" : "other") authentication", httpStatus: 401))
        // corelibs answers this disposition with task.cancel(), which must not run on the session's work queue.
        let answer = UncheckedSendable(completionHandler)
        SessionDelegate.cancellations.async { answer.value(.cancelAuthenticationChallenge, nil) }
    }

    /// Where tasks are cancelled: off the sessions' work queues and off Swift concurrency's threads. Concurrent, so
    /// that a cancel waiting for the download session's queue never holds up one for the control session.
    static let cancellations = DispatchQueue(label: "videogen.urlsession.cancel", attributes: .concurrent)

    /// Cancels `task` soon, on `cancellations` (see the type's notes on `workQueue.sync`).
    static func cancel(_ task: URLSessionTask) {
        let task = UncheckedSendable(task)
        cancellations.async { task.value.cancel() }
    }

    /// The library error a URLSession error means.
    static func map(_ error: any Error, task: URLSessionTask) -> VideoGenError {
        let nsError = error as NSError
        guard nsError.domain == NSURLErrorDomain else {
            return VideoGenError(.network, "transfer failed: \(Sanitize.text(nsError.localizedDescription, limit: 200))")
        }
        let host = task.originalRequest?.url?.host ?? "the service"
        switch nsError.code {
        case NSURLErrorCancelled:
            return VideoGenError(.cancelled, "the request was cancelled")
        case NSURLErrorTimedOut:
            return VideoGenError(.timeout, "the request to \(host) timed out")
        case NSURLErrorCannotConnectToHost, NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed,
             NSURLErrorNotConnectedToInternet:
            var failure = VideoGenError(.network, "cannot connect to \(host)")
            failure.requestNotSent = task.countOfBytesSent == 0
            return failure
        case NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateUntrusted, NSURLErrorServerCertificateHasBadDate,
             NSURLErrorServerCertificateNotYetValid, NSURLErrorServerCertificateHasUnknownRoot:
            var failure = VideoGenError(.insecure, "the TLS connection to \(host) could not be verified")
            failure.requestNotSent = true
            return failure
        case NSURLErrorHTTPTooManyRedirects, NSURLErrorRedirectToNonExistentLocation:
            var failure = VideoGenError(.network, "bad redirect from \(host) (a loop, or too many hops)")
            failure.isFinal = true
            return failure
        default:
            return VideoGenError(.network, "the connection to \(host) failed (\(nsError.code))")
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
