import FoundationEssentials

/// What a verified callback carries beyond its body: who sent it and when, for de-duplication and ordering.
public struct VerifiedWebhook: Sendable, Hashable {
    /// The scheme that verified it.
    public var scheme: WebhookScheme
    /// True when a signature was checked; false for an unsigned callback accepted as a hint (never trusted for the
    /// task's result: it only makes the client poll).
    public var signed: Bool
    /// The delivery's own id where the scheme has one (`webhook-id`, fal's request id, Vidu's nonce, OpenRouter's
    /// idempotency key): the same id twice is the same delivery.
    public var deliveryID: String?
    /// The signed send time (Unix seconds) where the scheme has one.
    public var timestamp: Double?
}

/// Checks callbacks of one scheme against the client's webhook secret or the provider's public keys.
///
/// Pure but for its clock: give `clock` a manual time in tests. Every refusal says which check failed
/// (`WebhookRefusal.Reason`) and carries no secret.
public struct WebhookVerifier: Sendable {
    /// The default distance allowed between a signed timestamp and the clock, in seconds (Standard Webhooks' 5 min).
    public static let defaultTolerance = 300.0
    /// The default body cap: 1 MiB (callbacks are JSON task objects, a few KiB).
    public static let defaultMaxBodyBytes = 1 << 20

    /// The scheme.
    public var scheme: WebhookScheme
    /// The shared secret of the HMAC schemes: `whsec_<base64>` (Standard Webhooks), the API token (Vidu), the
    /// workspace signing secret (OpenRouter).
    public var secret: String?
    /// fal's ED25519 keys (from its JWKS).
    public var publicKeys: [WebhookPublicKey]
    /// Where the client fetches the keys when `publicKeys` is empty (`VideoGenClient.resolvingKeys`): fal's JWKS
    /// document, `https://rest.alpha.fal.ai/.well-known/jwks.json` as fal's verification examples fetch it.
    public var jwksURL: String?
    /// Seconds a signed timestamp may be away from the clock, either way.
    public var tolerance: Double
    /// The largest body accepted, in bytes.
    public var maxBodyBytes: Int
    /// Accepts unsigned callbacks (scheme `.unsigned`) as hints: they only make the client poll the task.
    public var acceptUnsigned: Bool
    /// Unix seconds now.
    public var clock: @Sendable () -> Double

    /// Creates a verifier.
    public init(scheme: WebhookScheme, secret: String? = nil, publicKeys: [WebhookPublicKey] = [], jwksURL: String? = nil,
                tolerance: Double = WebhookVerifier.defaultTolerance, maxBodyBytes: Int = WebhookVerifier.defaultMaxBodyBytes,
                acceptUnsigned: Bool = false, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.scheme = scheme
        self.secret = secret
        self.publicKeys = publicKeys
        self.jwksURL = jwksURL
        self.tolerance = tolerance
        self.maxBodyBytes = maxBodyBytes
        self.acceptUnsigned = acceptUnsigned
        self.clock = clock
    }

    /// Verifies `delivery`.
    /// - Returns: what the signature vouches for.
    /// - Throws: `WebhookRefusal` naming the check that failed.
    public func verify(_ delivery: WebhookDelivery) throws(WebhookRefusal) -> VerifiedWebhook {
        guard delivery.body.count <= maxBodyBytes else {
            throw WebhookRefusal(.bodyTooLarge, "the body is \(delivery.body.count) bytes, over the \(maxBodyBytes)-byte cap")
        }
        switch scheme {
        case .standardWebhooks: return try verifyStandard(delivery)
        case .fal: return try verifyFal(delivery)
        case .vidu: return try verifyVidu(delivery)
        case .openrouter: return try verifyOpenRouter(delivery)
        case .unsigned:
            guard acceptUnsigned else {
                throw WebhookRefusal(.unsigned, "this provider does not sign its callbacks; accept them as hints explicitly (accept_unsigned)")
            }
            return VerifiedWebhook(scheme: .unsigned, signed: false, deliveryID: nil, timestamp: nil)
        }
    }

    // MARK: - Standard Webhooks

    private func verifyStandard(_ delivery: WebhookDelivery) throws(WebhookRefusal) -> VerifiedWebhook {
        let key = try standardKey()
        let id = try required(delivery, "webhook-id")
        let stamp = try required(delivery, "webhook-timestamp")
        let header = try required(delivery, "webhook-signature")
        let time = try checkedTime(seconds: stamp, header: "webhook-timestamp")
        var message = Array("\(id).\(stamp).".utf8)
        message.append(contentsOf: delivery.body)
        guard let expected = WebhookCrypto.hmacSHA256(key: key, data: message) else {
            throw WebhookRefusal(.badSignature, "HMAC-SHA256 failed")
        }
        var sawV1 = false
        var matched = false
        for entry in header.split(separator: " ", omittingEmptySubsequences: true) {
            let parts = entry.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw WebhookRefusal(.malformedHeader, "webhook-signature entries are '<version>,<base64>'")
            }
            // Other versions (v1a: asymmetric) are skipped, as the reference implementation does.
            guard parts[0] == "v1" else { continue }
            sawV1 = true
            guard let signature = WebhookEncoding.base64(parts[1]) else {
                throw WebhookRefusal(.malformedHeader, "a webhook-signature v1 entry is not base64")
            }
            // Every entry is compared (no early exit), each in constant time.
            if WebhookCrypto.constantTimeEqual(signature, expected) { matched = true }
        }
        guard sawV1 else { throw WebhookRefusal(.malformedHeader, "webhook-signature has no v1 entry") }
        guard matched else { throw WebhookRefusal(.badSignature, "no webhook-signature entry matches the body") }
        return VerifiedWebhook(scheme: .standardWebhooks, signed: true, deliveryID: id, timestamp: time)
    }

    /// The HMAC key of a `whsec_` secret: the base64 after the prefix (a bare base64 secret is accepted too, as the
    /// reference implementation does).
    private func standardKey() throws(WebhookRefusal) -> [UInt8] {
        guard let secret, !secret.isEmpty else { throw WebhookRefusal(.noKey, "no webhook secret is configured") }
        let encoded = secret.hasPrefix("whsec_") ? secret.dropFirst(6) : Substring(secret)
        guard let key = WebhookEncoding.base64(encoded), !key.isEmpty else {
            throw WebhookRefusal(.noKey, "the webhook secret is not 'whsec_' followed by base64")
        }
        return key
    }

    // MARK: - fal

    private func verifyFal(_ delivery: WebhookDelivery) throws(WebhookRefusal) -> VerifiedWebhook {
        guard !publicKeys.isEmpty else {
            throw WebhookRefusal(.noKey, jwksURL == nil ? "no fal public key (JWKS) is configured"
                                                        : "the fal keys of jwks_url were not fetched (a client fetches them: apply the callback through one)")
        }
        let requestID = try required(delivery, "x-fal-webhook-request-id")
        let userID = try required(delivery, "x-fal-webhook-user-id")
        let stamp = try required(delivery, "x-fal-webhook-timestamp")
        let signatureText = try required(delivery, "x-fal-webhook-signature")
        let time = try checkedTime(seconds: stamp, header: "x-fal-webhook-timestamp")
        guard let signature = WebhookEncoding.hex(Substring(signatureText)), signature.count == 64 else {
            throw WebhookRefusal(.malformedHeader, "x-fal-webhook-signature is not 64 bytes of hex")
        }
        let message = Array(WebhookVerifier.falMessage(requestID: requestID, userID: userID, timestamp: stamp,
                                                       body: [UInt8](delivery.body)).utf8)
        // fal's headers name no key: any key of its JWKS may have signed (fal rotates them), so each is tried.
        guard publicKeys.contains(where: { WebhookCrypto.ed25519Verify(publicKey: $0.bytes, message: message, signature: signature) }) else {
            throw WebhookRefusal(.badSignature, "the ED25519 signature matches no configured fal key")
        }
        return VerifiedWebhook(scheme: .fal, signed: true, deliveryID: requestID + "@" + stamp, timestamp: time)
    }

    /// The text fal signs: request id, user id, timestamp and the body's hex SHA-256, one per line.
    static func falMessage(requestID: String, userID: String, timestamp: String, body: [UInt8]) -> String {
        [requestID, userID, timestamp, WebhookCrypto.sha256Hex(body)].joined(separator: "\n")
    }

    // MARK: - Vidu

    private func verifyVidu(_ delivery: WebhookDelivery) throws(WebhookRefusal) -> VerifiedWebhook {
        guard let secret, !secret.isEmpty else { throw WebhookRefusal(.noKey, "no Vidu API token is configured") }
        let signatureText = try required(delivery, "x-hmac-signature")
        let signedList = try required(delivery, "x-hmac-signed-headers")
        let date = try required(delivery, "date")
        if let algorithm = delivery.header("x-hmac-algorithm"), algorithm.lowercased() != "hmac-sha256" {
            throw WebhookRefusal(.malformedHeader, "x-hmac-algorithm is not hmac-sha256")
        }
        guard let sent = RetryHint.parseHTTPDate(date) else {
            throw WebhookRefusal(.malformedHeader, "the Date header is not an HTTP date")
        }
        let time = sent.timeIntervalSince1970
        try checkWindow(time, header: "date")
        let names = signedList.split(separator: ";", omittingEmptySubsequences: true).map { String($0).trimmingWhitespace() }
        // The nonce is what makes a replay within the window a duplicate; it must be signed.
        guard names.contains(where: { $0.lowercased() == "x-request-nonce" }), names.contains(where: { $0.lowercased() == "date" }) else {
            throw WebhookRefusal(.malformedHeader, "x-hmac-signed-headers must list Date and x-request-nonce")
        }
        var signing = "\(delivery.method.uppercased())\n\(delivery.path)\n\(delivery.query)\nvidu\n\(date)\n"
        for name in names {
            guard let value = delivery.header(name) else {
                throw WebhookRefusal(.malformedHeader, "a header listed in x-hmac-signed-headers is missing")
            }
            signing += "\(name):\(value)\n"
        }
        guard let signature = WebhookEncoding.base64(Substring(signatureText)) else {
            throw WebhookRefusal(.malformedHeader, "x-hmac-signature is not base64")
        }
        guard let expected = WebhookCrypto.hmacSHA256(key: Array(secret.utf8), data: Array(signing.utf8)),
              WebhookCrypto.constantTimeEqual(signature, expected) else {
            throw WebhookRefusal(.badSignature, "x-hmac-signature does not match the request")
        }
        return VerifiedWebhook(scheme: .vidu, signed: true, deliveryID: delivery.header("x-request-nonce"), timestamp: time)
    }

    // MARK: - OpenRouter

    private func verifyOpenRouter(_ delivery: WebhookDelivery) throws(WebhookRefusal) -> VerifiedWebhook {
        guard let secret, !secret.isEmpty else { throw WebhookRefusal(.noKey, "no OpenRouter signing secret is configured") }
        let header = try required(delivery, "x-openrouter-signature")
        var stamp: String?
        var signatures: [[UInt8]] = []
        for part in header.split(separator: ",", omittingEmptySubsequences: true) {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { throw WebhookRefusal(.malformedHeader, "x-openrouter-signature is 't=<seconds>,v1=<hex>'") }
            let name = String(pair[0]).trimmingWhitespace()
            let value = Substring(String(pair[1]).trimmingWhitespace())
            if name == "t" {
                stamp = String(value)
            } else if name == "v1" {
                guard let bytes = WebhookEncoding.hex(value) else { throw WebhookRefusal(.malformedHeader, "an x-openrouter-signature v1 is not hex") }
                signatures.append(bytes)
            }
        }
        guard let stamp, !signatures.isEmpty else {
            throw WebhookRefusal(.malformedHeader, "x-openrouter-signature needs t= and v1=")
        }
        let time = try checkedTime(seconds: stamp, header: "x-openrouter-signature t")
        var message = Array("\(stamp),".utf8)
        message.append(contentsOf: delivery.body)
        guard let expected = WebhookCrypto.hmacSHA256(key: Array(secret.utf8), data: message) else {
            throw WebhookRefusal(.badSignature, "HMAC-SHA256 failed")
        }
        var matched = false
        for signature in signatures where WebhookCrypto.constantTimeEqual(signature, expected) { matched = true }
        guard matched else { throw WebhookRefusal(.badSignature, "no x-openrouter-signature v1 matches the body") }
        let id = delivery.header("x-openrouter-idempotency-key") ?? "\(stamp):\(WebhookEncoding.hexString(expected))"
        return VerifiedWebhook(scheme: .openrouter, signed: true, deliveryID: id, timestamp: time)
    }

    // MARK: - Shared checks

    private func required(_ delivery: WebhookDelivery, _ name: String) throws(WebhookRefusal) -> String {
        guard let value = delivery.header(name), !value.isEmpty else {
            throw WebhookRefusal(.malformedHeader, "the \(name) header is missing")
        }
        return value
    }

    /// A timestamp header of decimal Unix seconds, inside the tolerance.
    private func checkedTime(seconds text: String, header: String) throws(WebhookRefusal) -> Double {
        guard !text.isEmpty, text.count <= 12, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int64(text) else {
            throw WebhookRefusal(.malformedHeader, "\(header) is not Unix seconds")
        }
        let time = Double(value)
        try checkWindow(time, header: header)
        return time
    }

    private func checkWindow(_ time: Double, header: String) throws(WebhookRefusal) {
        let now = clock()
        guard abs(now - time) <= tolerance else {
            let direction = time < now ? "old" : "in the future"
            throw WebhookRefusal(.timestampOutsideTolerance,
                                 "\(header) is \(Int((abs(now - time)).rounded())) s \(direction), beyond the \(Int(tolerance)) s tolerance")
        }
    }
}
