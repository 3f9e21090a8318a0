import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// Routes URLSession's delegate calls to the context of each request.
final class SessionDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private let contexts = Mutex<[Int: RequestContext]>([:])
    /// The session's delegate queue, which cancels are run exclusively of.
    let queue: CallerRunsOperationQueue

    init(queue: CallerRunsOperationQueue) {
        self.queue = queue
    }

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
            cancel(dataTask)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let context = context(dataTask), context.isActive else { return }
        context.touch(bytes: data.count)
        do {
            try context.sink.receive(data: data)
        } catch {
            context.noteFailure(VideoGenError.wrap(error))
            cancel(dataTask)
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
        // corelibs answers this disposition with task.cancel(), which must not run on the session's work queue,
        // nor alongside a delegate call (see `cancel`).
        let answer = UncheckedSendable(completionHandler)
        let queue = UncheckedSendable(self.queue)
        SessionDelegate.cancellations.async {
            queue.value.runExclusively { answer.value(.cancelAuthenticationChallenge, nil) }
        }
    }

    /// Where tasks are cancelled: off the sessions' work queues and off Swift concurrency's threads. Concurrent, so
    /// that a cancel waiting for the download session's queue never holds up one for the control session.
    static let cancellations = DispatchQueue(label: "videogen.urlsession.cancel", attributes: .concurrent)

    /// Cancels `task` soon, on `cancellations` (see the transport's notes on `workQueue.sync`), exclusively of the
    /// session's delegate calls (see `CallerRunsOperationQueue.runExclusively`).
    func cancel(_ task: URLSessionTask) {
        let task = UncheckedSendable(task)
        let queue = UncheckedSendable(self.queue)
        SessionDelegate.cancellations.async { queue.value.runExclusively { task.value.cancel() } }
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
