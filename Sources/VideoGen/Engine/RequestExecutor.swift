import FoundationEssentials

/// Sends one logical request through the transport: adds the headers the configured origin needs (the key only
/// there), maps error answers through the adapter, scrubs the key from every message, and retries by the rules.
struct RequestExecutor: Sendable {
    /// Whether a request may be repeated.
    enum Mode: Sendable {
        /// GETs: retried on any transient failure.
        case idempotent
        /// A submit: retried only when it provably never reached the service, or the service refused it with a
        /// retry hint (429/503 + Retry-After); otherwise a transient failure is an unknown outcome.
        case submit(idempotencyKey: String)
    }

    let configuration: ClientConfiguration
    let adapter: any ProviderAdapter
    let transport: any HTTPTransport
    let random: @Sendable () -> Double
    let sleep: @Sendable (Double) async throws -> Void
    /// The client's retry quota, shared by every request of the client.
    let budget: RetryBudget

    /// `request` with the User-Agent and, for the configured origin only, the API key.
    func authorized(_ request: HTTPRequest) -> HTTPRequest {
        var request = request
        request.headers.removeAll { OriginPolicy.credentialHeaders.contains($0.name.lowercased()) }
        request.headers.append(("User-Agent", configuration.userAgent))
        request.proxy = configuration.proxy
        request.caFile = configuration.caFile
        if OriginPolicy.sameOrigin(request.url, configuration.baseURL) {
            request.headers.append(("Authorization", "Bearer \(configuration.apiKey.reveal())"))
        }
        return request
    }

    /// The error with the API key scrubbed from its text.
    func scrubbed(_ error: VideoGenError) -> VideoGenError {
        var error = error
        error.message = configuration.apiKey.redact(error.message)
        error.providerCode = error.providerCode.map(configuration.apiKey.redact)
        return error
    }

    /// One attempt: the 2xx answer, or the error the answer or the failure means.
    /// - Parameter timeout: seconds for the whole request; `request_timeout` when nil (a wait passes what is left
    ///   of its deadline when that is sooner, so the deadline also ends the poll in flight).
    func attempt(_ request: HTTPRequest, timeout: Double? = nil) async throws -> HTTPResponse {
        do {
            let response = try await transport.send(authorized(request), timeout: timeout ?? configuration.requestTimeout,
                                                    maxBodyBytes: configuration.maxResponseBytes)
            if response.isSuccess { return response }
            throw scrubbed(adapter.error(from: response))
        } catch {
            throw scrubbed(VideoGenError.wrap(error))
        }
    }

    /// The 2xx answer to `request`, retrying per `mode` and the client's retry policy.
    func send(_ request: HTTPRequest, mode: Mode) async throws -> HTTPResponse {
        var request = request
        if case .submit(let key) = mode { request.headers.append(("Idempotency-Key", key)) }
        var retries = 0
        var lastRetried: VideoGenError?
        while true {
            if Task.isCancelled { throw VideoGenError(.cancelled, "cancelled") }
            let failure: VideoGenError
            do {
                let response = try await attempt(request)
                budget.deposit(afterRetryOf: lastRetried)
                return response
            } catch let error as VideoGenError {
                failure = error
            }
            if failure.code == .cancelled { throw failure }
            try decideRetry(failure, mode: mode)
            if let hint = failure.retryAfter, hint > configuration.retry.maxRetryAfter { throw failure }
            guard retries + 1 < configuration.retry.maxAttempts, budget.withdraw(after: failure) else { throw failure }
            let delay = failure.retryAfter ?? configuration.retry.backoff(retry: retries, unit: random())
            retries += 1
            lastRetried = failure
            do { try await sleep(delay) } catch { throw VideoGenError(.cancelled, "cancelled") }
        }
    }

    /// Returns when `failure` may be retried in `mode`; throws the error to report otherwise.
    private func decideRetry(_ failure: VideoGenError, mode: Mode) throws {
        switch mode {
        case .idempotent:
            if !failure.isRetryable { throw failure }
        case .submit(let key):
            if failure.requestNotSent { return }
            let refusedWithHint = (failure.httpStatus == 429 || failure.httpStatus == 503) && failure.retryAfter != nil
            if refusedWithHint { return }
            if failure.code == .network || failure.code == .timeout {
                throw VideoGenError(.unknownOutcome, "the submit may have reached the service (\(failure.message)); it was not retried, to avoid a duplicate task (Idempotency-Key \(key))")
            }
            throw failure
        }
    }
}
