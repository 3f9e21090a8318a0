import FoundationEssentials

/// How requests to the configured service prove who sends them: a key in a header (most services), a token signed
/// per request (Kling's JWT), or an access token obtained from a token endpoint and renewed before it expires
/// (Google's service accounts).
///
/// The client asks for headers only for requests to the configured origin; every other request (a signed download
/// URL, a redirect elsewhere, the token endpoint itself) goes without them. Every secret an authenticator holds or
/// mints is given to the client's `APIKey.remember`, so that it is scrubbed from errors and records like the key.
public protocol Authenticator: Sendable {
    /// The credential headers of one request at `now` (Unix seconds), or nil when fresh credentials must first be
    /// obtained with `tokenRequest(now:)`.
    /// - Throws: `.auth` when no credentials can be made (a malformed secret).
    func headers(now: Double) throws -> [(name: String, value: String)]?
    /// The request that obtains fresh credentials (sent as is: no service credentials are added), or nil when
    /// `headers(now:)` never returns nil.
    func tokenRequest(now: Double) throws -> HTTPRequest?
    /// Takes the token endpoint's answer to `tokenRequest(now:)`, whatever its status.
    /// - Throws: `.auth` when it grants nothing.
    func acceptToken(_ response: HTTPResponse, now: Double) throws
}

extension Authenticator {
    /// No token endpoint.
    public func tokenRequest(now: Double) throws -> HTTPRequest? { nil }

    /// No token endpoint: nothing to accept.
    public func acceptToken(_ response: HTTPResponse, now: Double) throws {
        throw VideoGenError(.internal, "this authenticator has no token endpoint")
    }
}

/// The API key in one header: `Authorization: Bearer <key>` (the default), `x-goog-api-key: <key>`,
/// `Authorization: Key <key>` (fal), `Authorization: Token <key>` (Vidu).
public struct KeyHeaderAuthenticator: Authenticator {
    /// The header's name.
    public let name: String
    /// What precedes the key in the header's value (`"Bearer "`, `"Key "`, or `""`).
    public let prefix: String
    let key: APIKey

    /// Creates an authenticator that sends `key` as `name: <prefix><key>`.
    public init(key: APIKey, name: String = "Authorization", prefix: String = "Bearer ") {
        self.key = key
        self.name = name
        self.prefix = prefix
    }

    /// The one header.
    public func headers(now: Double) throws -> [(name: String, value: String)]? {
        [(name, prefix + key.reveal())]
    }
}
