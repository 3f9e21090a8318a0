import FoundationEssentials
import Synchronization

extension RequestExecutor {
    /// The authenticator of the configured service: the configuration's, or the adapter's way of sending the key.
    var authenticator: any Authenticator {
        configuration.authenticator ?? adapter.authenticator(key: configuration.apiKey)
    }

    /// `request` with the client's settings (User-Agent, proxy, CA file) and without any credential header.
    func withSettings(_ request: HTTPRequest) -> HTTPRequest {
        var request = request
        request.headers.removeAll { OriginPolicy.credentialHeaders.contains($0.name.lowercased()) }
        request.headers.append(("User-Agent", configuration.userAgent))
        request.proxy = configuration.proxy
        request.caFile = configuration.caFile
        return request
    }

    /// `request` ready to send, given to `completion`: the client's settings and, for the configured origin only,
    /// the service's credentials. At once, unless the authenticator must first fetch a token: then after the one
    /// exchange with its token endpoint that every request needing a token at that moment shares (the returned
    /// handle stops this request's wait for it, not the exchange).
    func authorize(_ request: HTTPRequest, completion: @escaping OperationCompletion<HTTPRequest>) -> any Cancellable {
        var request = withSettings(request)
        guard OriginPolicy.sameOrigin(request.url, configuration.baseURL) else {
            completion(.success(request))
            return NothingToCancel()
        }
        let authenticator = self.authenticator
        do {
            if let headers = try authenticator.headers(now: Date().timeIntervalSince1970) {
                request.headers.append(contentsOf: headers)
                completion(.success(request))
                return NothingToCancel()
            }
            // Fresh credentials first: one exchange with the token endpoint for every request that needs them now
            // (the first starts it, the others wait for its end), then each takes the new headers.
            let unsigned = request
            let once = CompletionOnce<HTTPRequest>(completion)
            let leads = tokenExchange.join { [self] exchanged in
                do {
                    try exchanged.get()
                    guard let headers = try authenticator.headers(now: Date().timeIntervalSince1970) else {
                        throw VideoGenError(.auth, "the token endpoint's answer did not make the credentials usable")
                    }
                    var request = unsigned
                    request.headers.append(contentsOf: headers)
                    once.call(.success(request))
                } catch {
                    once.call(.failure(scrubbed(VideoGenError.wrap(error))))
                }
            }
            if leads { exchangeToken(with: authenticator) }
            return CancelWith { once.call(.failure(VideoGenError(.cancelled, "the request was cancelled"))) }
        } catch {
            completion(.failure(scrubbed(VideoGenError.wrap(error))))
            return NothingToCancel()
        }
    }

    /// Runs the one exchange with the token endpoint and ends it for every request waiting on it. The exchange is
    /// not cancelled with any one request (others may wait on it); the request timeout bounds it.
    private func exchangeToken(with authenticator: any Authenticator) {
        let tokenRequest: HTTPRequest
        do {
            guard let made = try authenticator.tokenRequest(now: Date().timeIntervalSince1970) else {
                throw VideoGenError(.auth, "the service's credentials are not available and cannot be renewed")
            }
            tokenRequest = made
        } catch {
            return tokenExchange.finish(.failure(scrubbed(VideoGenError.wrap(error))))
        }
        _ = transport.begin(withSettings(tokenRequest), timeout: configuration.requestTimeout,
                            maxBodyBytes: 1 << 20) { [self] result in
            do {
                try authenticator.acceptToken(try result.get(), now: Date().timeIntervalSince1970)
                tokenExchange.finish(.success(()))
            } catch {
                tokenExchange.finish(.failure(scrubbed(VideoGenError.wrap(error))))
            }
        }
    }

    /// `request` ready to send (see `authorize(_:completion:)`), for callers that await.
    func authorized(_ request: HTTPRequest) async throws -> HTTPRequest {
        try await awaitOperation { completion in authorize(request, completion: completion) }
    }
}

/// The exchange with a token endpoint in flight for a client, if any: the requests that need fresh credentials
/// while it runs wait for its end instead of starting their own.
final class TokenExchange: Sendable {
    /// The requests waiting on the exchange in flight; nil when none is.
    private let waiters = Mutex<[OperationCompletion<Void>]?>(nil)

    /// Adds `waiter` to the exchange in flight, or starts a new one with it.
    /// - Returns: true when the caller must run the exchange (and end it with `finish`).
    func join(_ waiter: @escaping OperationCompletion<Void>) -> Bool {
        waiters.withLock { waiters in
            if waiters == nil {
                waiters = [waiter]
                return true
            }
            waiters?.append(waiter)
            return false
        }
    }

    /// Ends the exchange in flight, giving `result` to every request waiting on it.
    func finish(_ result: Result<Void, VideoGenError>) {
        let waiting = waiters.withLock { waiters -> [OperationCompletion<Void>] in
            defer { waiters = nil }
            return waiters ?? []
        }
        for waiter in waiting { waiter(result) }
    }
}

/// A cancel that runs a closure.
struct CancelWith: Cancellable {
    let action: @Sendable () -> Void

    func cancel() { action() }
}

/// The cancellable step an operation is on, replaced as it moves from one step to the next; cancelling it cancels
/// the current step and every later one set.
final class StepSlot: Cancellable, Sendable {
    private let state = Mutex<(step: (any Cancellable)?, cancelled: Bool)>((nil, false))

    /// Makes `step` the current one (cancelled at once when the slot already is).
    func set(_ step: any Cancellable) {
        let cancelled = state.withLock { state in
            if !state.cancelled { state.step = step }
            return state.cancelled
        }
        if cancelled { step.cancel() }
    }

    /// Makes `step` the current one unless a step is already set (an operation that finished its first step at once
    /// has set the next before the first's handle is returned).
    func setFirst(_ step: any Cancellable) {
        let cancelled = state.withLock { state in
            if !state.cancelled && state.step == nil { state.step = step }
            return state.cancelled
        }
        if cancelled { step.cancel() }
    }

    /// Cancels the current step and every later one.
    func cancel() {
        let step = state.withLock { state -> (any Cancellable)? in
            state.cancelled = true
            defer { state.step = nil }
            return state.step
        }
        step?.cancel()
    }
}
