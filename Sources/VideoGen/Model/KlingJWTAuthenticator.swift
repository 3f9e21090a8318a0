import FoundationEssentials
import Synchronization

/// Kling's credentials: an HS256 JSON Web Token made from the access key and signed with the secret key (Kling's
/// "API authentication": header `{"alg":"HS256","typ":"JWT"}`, payload `{"iss": <access key>, "exp": now + 1800,
/// "nbf": now - 5}`), sent as `Authorization: Bearer <token>`.
///
/// A token is reused until `renewBefore` seconds before it expires, then a fresh one is signed: a wait of hours
/// never sends an expired token. The HMAC comes from the system's libcrypto. The secret key and every token are
/// given to the access key's `APIKey.remember`, so that they are scrubbed from errors and records like the key; the
/// secret is remembered again with each token, so the tokens never push it out.
public final class KlingJWTAuthenticator: Authenticator, Sendable {
    /// Seconds a token is valid (Kling's example: 30 minutes).
    public static let lifetime: Double = 1800
    /// Seconds before expiry at which a new token is signed.
    public static let renewBefore: Double = 300
    /// Seconds the validity starts before the signing time (clock skew).
    public static let notBeforeSkew: Double = 5

    private let accessKey: APIKey
    private let secret: Mutex<[UInt8]>
    private let current = Mutex<(token: String, notBefore: Double, expires: Double)?>(nil)

    /// Creates the authenticator.
    /// - Parameters:
    ///   - accessKey: the access key (the JWT's issuer), the client's `APIKey`.
    ///   - secretKey: the secret key that signs.
    /// - Throws: `.invalidArgument` for an empty secret.
    public init(accessKey: APIKey, secretKey: String) throws {
        guard !secretKey.isEmpty else { throw VideoGenError(.invalidArgument, "Kling's secret key must not be empty") }
        self.accessKey = accessKey
        self.secret = Mutex(Array(secretKey.utf8))
        accessKey.remember(secretKey)
    }

    deinit {
        secret.withLock { bytes in for index in bytes.indices { bytes[index] = 0 } }
    }

    /// `Authorization: Bearer <token>`, with the token in force at `now` or a fresh one.
    public func headers(now: Double) throws -> [(name: String, value: String)]? {
        [("Authorization", "Bearer " + (try token(now: now)))]
    }

    /// The token to send at `now`: the last one while it is valid at `now` with more than `renewBefore` seconds left
    /// (a clock set back before its `nbf` gets a new one), else a new one.
    /// - Throws: `.auth` when libcrypto cannot sign.
    public func token(now: Double) throws -> String {
        if let held = current.withLock({ $0 }), held.notBefore <= now, held.expires - KlingJWTAuthenticator.renewBefore > now {
            return held.token
        }
        let issued = now.rounded(.down)
        let expires = issued + KlingJWTAuthenticator.lifetime
        let token = try KlingJWTAuthenticator.sign(issuer: accessKey.reveal(), expires: Int64(expires),
                                                   notBefore: Int64(issued - KlingJWTAuthenticator.notBeforeSkew),
                                                   secret: secret.withLock { $0 })
        secret.withLock { bytes in accessKey.remember(String(decoding: bytes, as: UTF8.self)) }
        accessKey.remember(token)
        current.withLock { $0 = (token, issued - KlingJWTAuthenticator.notBeforeSkew, expires) }
        return token
    }

    /// The compact JWS of `{"iss","exp","nbf"}` under HS256.
    static func sign(issuer: String, expires: Int64, notBefore: Int64, secret: [UInt8]) throws -> String {
        let header = JSONValue.object(["alg": .string("HS256"), "typ": .string("JWT")])
        let payload = JSONValue.object(["iss": .string(issuer), "exp": .int(expires), "nbf": .int(notBefore)])
        let signingInput = base64URL(Array(header.serialized())) + "." + base64URL(Array(payload.serialized()))
        guard let mac = WebhookCrypto.hmacSHA256(key: secret, data: Array(signingInput.utf8)) else {
            throw VideoGenError(.auth, "Kling's token could not be signed (libcrypto HMAC failed)")
        }
        return signingInput + "." + base64URL(mac)
    }

    /// URL-safe base64 without padding (RFC 7515 §2).
    static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }
}
