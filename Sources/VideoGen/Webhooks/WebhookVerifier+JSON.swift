import FoundationEssentials

extension WebhookVerifier {
    /// Creates a verifier from its JSON document (the C library's and the bindings' form):
    /// `{"scheme": "standard_webhooks" | "fal" | "vidu" | "openrouter" | "unsigned", "secret": "...",
    /// "jwks": {"keys": [...]}, "jwks_url": "https://...", "tolerance": 300, "max_body_bytes": 1048576, "accept_unsigned": false,
    /// "now": <Unix seconds>}`. `now` fixes the clock (tests); without it the system clock is used. Unknown fields
    /// are refused by name; the secret never appears in a message.
    /// - Throws: `.invalidJSON` / `.invalidArgument` naming the field.
    public init(json: JSONValue) throws {
        var reader = try FieldReader(json, context: "webhook verifier")
        let schemeName = try reader.requiredString("scheme")
        guard let scheme = WebhookScheme(rawValue: schemeName) else {
            let names = WebhookScheme.allCases.map(\.rawValue).joined(separator: ", ")
            throw VideoGenError(.invalidArgument, "webhook verifier field 'scheme' must be one of \(names), not '\(Sanitize.text(schemeName, limit: 60))'")
        }
        let secret = try reader.string("secret")
        let jwks = try reader.object("jwks")
        let jwksURL = try reader.string("jwks_url")
        let tolerance = try reader.double("tolerance", in: 0...86_400) ?? WebhookVerifier.defaultTolerance
        let cap = try reader.int("max_body_bytes", in: 1...(64 << 20)) ?? Int64(WebhookVerifier.defaultMaxBodyBytes)
        let acceptUnsigned = try reader.bool("accept_unsigned") ?? false
        let now = try reader.double("now", in: 0...1e11)
        try reader.finish()
        let keys = try jwks.map { try WebhookPublicKey.keys(fromJWKS: .object($0)) } ?? []
        switch scheme {
        case .standardWebhooks, .vidu, .openrouter:
            guard secret?.isEmpty == false else {
                throw VideoGenError(.invalidArgument, "webhook verifier field 'secret' is required by the \(scheme.rawValue) scheme")
            }
            guard jwks == nil, jwksURL == nil else {
                throw VideoGenError(.invalidArgument, "webhook verifier fields 'jwks' and 'jwks_url' belong to the fal scheme")
            }
        case .fal:
            guard !keys.isEmpty || jwksURL != nil else {
                throw VideoGenError(.invalidArgument, "webhook verifier field 'jwks' or 'jwks_url' is required by the fal scheme")
            }
            if let jwksURL { _ = try WebhookKeySource.checkedURL(jwksURL) }
            guard secret == nil else { throw VideoGenError(.invalidArgument, "webhook verifier field 'secret' does not apply to the fal scheme (it uses 'jwks')") }
        case .unsigned:
            guard secret == nil, jwks == nil, jwksURL == nil else {
                throw VideoGenError(.invalidArgument, "the unsigned scheme takes no 'secret' or 'jwks'")
            }
        }
        if scheme != .unsigned && acceptUnsigned {
            throw VideoGenError(.invalidArgument, "webhook verifier field 'accept_unsigned' applies to the unsigned scheme only")
        }
        if scheme == .standardWebhooks, let secret {
            let encoded = secret.hasPrefix("whsec_") ? secret.dropFirst(6) : Substring(secret)
            guard WebhookEncoding.base64(encoded)?.isEmpty == false else {
                throw VideoGenError(.invalidArgument, "webhook verifier field 'secret' must be 'whsec_' followed by base64")
            }
        }
        let clock: @Sendable () -> Double
        if let now { clock = { now } } else { clock = { Date().timeIntervalSince1970 } }
        self.init(scheme: scheme, secret: secret, publicKeys: keys, jwksURL: jwksURL, tolerance: tolerance, maxBodyBytes: Int(cap),
                  acceptUnsigned: acceptUnsigned, clock: clock)
    }
}
