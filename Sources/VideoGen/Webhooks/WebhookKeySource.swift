import FoundationEssentials
import Synchronization

/// The JWKS documents a client fetched (fal's signing keys), by URL, with when they were fetched: fetched once,
/// kept `maxAge`, fetched again early when a signature fails with keys older than `refreshAfter` (fal rotates them).
final class WebhookKeySource: Sendable {
    /// How long fetched keys are used: a day, as fal's own verification examples cache them.
    static let maxAge = 86_400.0
    /// Keys at least this old are fetched again when no key verifies a callback (a rotation).
    static let refreshAfter = 300.0

    private let cache = Mutex<[String: (keys: [WebhookPublicKey], fetchedAt: Double)]>([:])

    /// The keys of `url` when fetched less than `maxAge` ago (and, with `olderThan`, at least that long ago).
    func cached(_ url: String, now: Double, olderThan: Double = 0) -> [WebhookPublicKey]? {
        cache.withLock { cache in
            guard let entry = cache[url], now - entry.fetchedAt < Self.maxAge, now - entry.fetchedAt >= olderThan else { return nil }
            return entry.keys
        }
    }

    /// The age of the keys of `url`, nil when none are kept.
    func age(_ url: String, now: Double) -> Double? {
        cache.withLock { $0[url].map { now - $0.fetchedAt } }
    }

    func store(_ keys: [WebhookPublicKey], for url: String, at now: Double) {
        cache.withLock { $0[url] = (keys, now) }
    }

    /// A JWKS URL: https (http only to a loopback host, for tests), no credentials.
    static func checkedURL(_ text: String) throws -> URL {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil,
              let url = components.url else {
            throw VideoGenError(.invalidArgument, "webhook verifier field 'jwks_url' is not an absolute http(s) URL without credentials")
        }
        guard scheme == "https" || (scheme == "http" && OriginPolicy.isLoopback(host: host)) else {
            throw VideoGenError(.insecure, "webhook verifier field 'jwks_url' must be https (http only to a loopback host)")
        }
        return url
    }
}

extension VideoGenClient {
    /// `verifier` with its public keys filled from its `jwksURL` (fal): the client's cached copy, or fetched now
    /// (a GET without the API key, unless the URL is the configured origin's). A verifier with keys, or without a
    /// URL, is returned as it is.
    /// - Parameter refresh: fetch again even when cached keys are fresh (after a failed signature: a rotation).
    /// - Throws: the fetch's error, `.invalidJSON` for a document without Ed25519 keys.
    public func resolvingKeys(_ verifier: WebhookVerifier, refresh: Bool = false) async throws -> WebhookVerifier {
        guard let text = verifier.jwksURL, verifier.publicKeys.isEmpty || refresh else { return verifier }
        let now = Date().timeIntervalSince1970
        var resolved = verifier
        if !refresh, let keys = webhooks.keys.cached(text, now: now) {
            resolved.publicKeys = keys
            return resolved
        }
        let url = try WebhookKeySource.checkedURL(text)
        let response = try await executor.send(HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")]),
                                               mode: .idempotent)
        let keys = try WebhookPublicKey.keys(fromJWKS: try response.json())
        webhooks.keys.store(keys, for: text, at: now)
        resolved.publicKeys = keys
        return resolved
    }

    /// `applyWebhook`, with a fal verifier's keys fetched (and cached) from its `jwksURL` first, and fetched again
    /// once when no key verifies and the keys are older than five minutes (fal rotated them).
    public func applyWebhookFetchingKeys(_ delivery: WebhookDelivery, verifier: WebhookVerifier) async throws -> WebhookOutcome {
        let resolved = try await resolvingKeys(verifier)
        let first = Result { () throws(WebhookRefusal) -> WebhookOutcome in try applyWebhook(delivery, verifier: resolved) }
        guard case .failure(let refusal) = first, refusal.reason == .badSignature, verifier.publicKeys.isEmpty,
              let text = verifier.jwksURL, let age = webhooks.keys.age(text, now: Date().timeIntervalSince1970),
              age >= WebhookKeySource.refreshAfter else {
            return try first.get()
        }
        return try applyWebhook(delivery, verifier: try await resolvingKeys(verifier, refresh: true))
    }
}
