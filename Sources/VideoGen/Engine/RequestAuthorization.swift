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
    /// the service's credentials. At once, unless the authenticator must first fetch a token (then one request to
    /// its token endpoint, which the returned handle cancels).
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
            guard let tokenRequest = try authenticator.tokenRequest(now: Date().timeIntervalSince1970) else {
                throw VideoGenError(.auth, "the service's credentials are not available and cannot be renewed")
            }
            let unsigned = request
            return transport.begin(withSettings(tokenRequest), timeout: configuration.requestTimeout,
                                   maxBodyBytes: 1 << 20) { [self] result in
                var request = unsigned
                do {
                    let response = try result.get()
                    try authenticator.acceptToken(response, now: Date().timeIntervalSince1970)
                    guard let headers = try authenticator.headers(now: Date().timeIntervalSince1970) else {
                        throw VideoGenError(.auth, "the token endpoint's answer did not make the credentials usable")
                    }
                    request.headers.append(contentsOf: headers)
                    completion(.success(request))
                } catch {
                    completion(.failure(scrubbed(VideoGenError.wrap(error))))
                }
            }
        } catch {
            completion(.failure(scrubbed(VideoGenError.wrap(error))))
            return NothingToCancel()
        }
    }

    /// `request` ready to send (see `authorize(_:completion:)`), for callers that await.
    func authorized(_ request: HTTPRequest) async throws -> HTTPRequest {
        try await awaitOperation { completion in authorize(request, completion: completion) }
    }
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
