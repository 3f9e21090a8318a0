import FoundationEssentials
import Synchronization

/// A Google service-account key file (the JSON the Cloud console downloads): the fields videogen uses. It prints
/// as its e-mail only (`description`, dumps, string interpolation): the private key never reaches a log line.
public struct GoogleServiceAccount: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The account's e-mail, the JWT's issuer.
    public let clientEmail: String
    /// The PEM RSA private key (a secret: never printed).
    let privateKey: String
    /// The key's id, sent as the JWT header's `kid` when present.
    public let privateKeyID: String?
    /// Where tokens are minted (`https://oauth2.googleapis.com/token`).
    public let tokenURI: URL

    /// Reads a key file's JSON.
    /// - Parameter allowInsecureHTTP: whether a plain-http `token_uri` to a non-loopback host is accepted.
    /// - Throws: `.invalidArgument` naming a missing or malformed field (never quoting the key).
    public init(json: JSONValue, allowInsecureHTTP: Bool) throws {
        func field(_ name: String) throws -> String {
            guard let value = json[name]?.stringValue, !value.isEmpty else {
                throw VideoGenError(.invalidArgument, "the service account file has no '\(name)'")
            }
            return value
        }
        if let type = json["type"]?.stringValue, type != "service_account" {
            throw VideoGenError(.invalidArgument, "the service account file is of type '\(Sanitize.text(type, limit: 64))', not service_account")
        }
        clientEmail = try field("client_email")
        privateKey = try field("private_key")
        guard privateKey.contains("-----BEGIN") else {
            throw VideoGenError(.invalidArgument, "the service account file's 'private_key' is not a PEM key")
        }
        privateKeyID = json["private_key_id"]?.stringValue
        let uri = json["token_uri"]?.stringValue ?? "https://oauth2.googleapis.com/token"
        guard let url = URL(string: uri), url.host != nil else {
            throw VideoGenError(.invalidArgument, "the service account file's 'token_uri' is not a URL")
        }
        try OriginPolicy.check(url, allowInsecureHTTP: allowInsecureHTTP, purpose: "service account token_uri")
        tokenURI = url
    }

    public var description: String { "<service account \(clientEmail)>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// OAuth access tokens minted from a service account: an RS256-signed JWT (`iss` the account, `aud` Google's token
/// endpoint, scope `cloud-platform`, one hour) exchanged at `token_uri` with the jwt-bearer grant, renewed
/// `refreshMargin` seconds before it expires. The JWT, the tokens and the private key are remembered by the
/// client's `APIKey`, so they are scrubbed from errors and records like a key.
///
/// Requests that find no fresh token each ask for one (the engine's token hook is per request); the last
/// accepted token is kept.
public final class GoogleServiceAccountAuthenticator: Authenticator, Sendable, CustomStringConvertible, CustomReflectable {
    /// The OAuth scope requested.
    public static let scope = "https://www.googleapis.com/auth/cloud-platform"
    /// The JWT's `aud`: "always https://oauth2.googleapis.com/token" (Google's OAuth documentation for service
    /// accounts), whatever the key file's `token_uri`; google-auth does the same.
    public static let audience = "https://oauth2.googleapis.com/token"
    /// Seconds before expiry at which a token is renewed.
    public static let refreshMargin: Double = 300
    /// Lifetime of the signed JWT (Google's maximum).
    static let assertionLifetime: Double = 3600

    let account: GoogleServiceAccount
    let secrets: APIKey
    /// The current token and when it is renewed (`refreshMargin` before it expires, or halfway through a lifetime
    /// shorter than twice the margin, so that a fresh token is always usable).
    private let token = Mutex<(value: String, renewAt: Double)?>(nil)

    public var description: String { "<tokens of \(account)>" }
    public var customMirror: Mirror { Mirror(self, children: []) }

    /// Creates the authenticator; `secrets` (the client's key holder) learns every token it mints.
    public init(account: GoogleServiceAccount, secrets: APIKey) {
        self.account = account
        self.secrets = secrets
        secrets.remember(account.privateKey)
    }

    /// `Authorization: Bearer <token>` until the token's renewal time; nil before the first token and after.
    public func headers(now: Double) throws -> [(name: String, value: String)]? {
        guard let current = token.withLock({ $0 }), current.renewAt > now else {
            return nil
        }
        return [("Authorization", "Bearer " + current.value)]
    }

    /// The signed JWT `now` (Unix seconds), as the token endpoint's `assertion`.
    func assertion(now: Double) throws -> String {
        var header: [String: JSONValue] = ["alg": "RS256", "typ": "JWT"]
        if let kid = account.privateKeyID { header["kid"] = .string(kid) }
        let issued = Int64(now.rounded(.down))
        let claims: [String: JSONValue] = [
            "iss": .string(account.clientEmail), "scope": .string(GoogleServiceAccountAuthenticator.scope),
            "aud": .string(GoogleServiceAccountAuthenticator.audience), "iat": .int(issued),
            "exp": .int(issued + Int64(GoogleServiceAccountAuthenticator.assertionLifetime)),
        ]
        let signingInput = RS256.base64URL(Array(JSONValue.object(header).serialized()))
            + "." + RS256.base64URL(Array(JSONValue.object(claims).serialized()))
        let signature = try RS256.sign(pem: account.privateKey, message: Array(signingInput.utf8))
        return signingInput + "." + RS256.base64URL(signature)
    }

    /// `POST token_uri` with `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`.
    public func tokenRequest(now: Double) throws -> HTTPRequest? {
        let jwt = try assertion(now: now)
        secrets.remember(jwt)
        let body = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + jwt
        return HTTPRequest(method: "POST", url: account.tokenURI,
                           headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                           body: Data(body.utf8))
    }

    /// Keeps `access_token` for `expires_in` seconds (3600 when absent); an error answer (`{"error",
    /// "error_description"}`) is `.auth` with its description.
    public func acceptToken(_ response: HTTPResponse, now: Double) throws {
        let body = try? JSONValue.parse(response.body)
        guard response.isSuccess else {
            let reason = body?["error_description"]?.stringValue ?? body?["error"]?.stringValue
                ?? body?["error"]?["message"]?.stringValue ?? "no reason given"
            throw VideoGenError(.auth, "the service account's token endpoint refused (HTTP \(response.status)): \(Sanitize.text(secrets.redact(reason), limit: 300))",
                                httpStatus: response.status)
        }
        guard let value = body?["access_token"]?.stringValue, !value.isEmpty,
              value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw VideoGenError(.auth, "the service account's token endpoint answered no usable access_token")
        }
        if let type = body?["token_type"]?.stringValue, type.lowercased() != "bearer" {
            throw VideoGenError(.auth, "the service account's token endpoint answered a '\(Sanitize.text(type, limit: 32))' token, not a bearer token")
        }
        let lifetime = body?["expires_in"]?.doubleValue ?? 3600
        guard lifetime.isFinite, lifetime > 0 else {
            throw VideoGenError(.auth, "the service account's token endpoint answered an expires_in that is not positive")
        }
        secrets.remember(value)
        let renewAt = now + lifetime - min(GoogleServiceAccountAuthenticator.refreshMargin, lifetime / 2)
        token.withLock { $0 = (value, renewAt) }
    }
}
