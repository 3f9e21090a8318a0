import FoundationEssentials

/// One ED25519 public key a provider signs callbacks with (fal), with its key id when the JWKS gives one.
public struct WebhookPublicKey: Sendable, Hashable {
    /// The key id (`kid`), nil when the document gives none.
    public let keyID: String?
    /// The raw 32-byte public key.
    public let bytes: [UInt8]

    /// Creates a key from its raw bytes.
    /// - Throws: `.invalidArgument` when `bytes` is not 32 bytes long.
    public init(keyID: String?, bytes: [UInt8]) throws {
        guard bytes.count == 32 else {
            throw VideoGenError(.invalidArgument, "an ED25519 public key is 32 bytes, not \(bytes.count)")
        }
        self.keyID = keyID
        self.bytes = bytes
    }

    /// The ED25519 keys of a JWKS document (`{"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "<base64url>", "kid"}]}`);
    /// keys of other types are skipped (a JWKS may list several), a malformed ED25519 key is an error.
    /// - Throws: `.invalidJSON` when the document is not a JWKS or holds no ED25519 key.
    public static func keys(fromJWKS document: JSONValue) throws -> [WebhookPublicKey] {
        guard let entries = document["keys"]?.arrayValue else {
            throw VideoGenError(.invalidJSON, "a JWKS document is an object with a 'keys' array")
        }
        var keys: [WebhookPublicKey] = []
        for entry in entries {
            guard entry["kty"]?.stringValue == "OKP", entry["crv"]?.stringValue == "Ed25519" else { continue }
            guard let x = entry["x"]?.stringValue, let bytes = WebhookEncoding.base64URL(x), bytes.count == 32 else {
                throw VideoGenError(.invalidJSON, "a JWKS Ed25519 key has no valid 'x' (32 bytes, base64url)")
            }
            keys.append(try WebhookPublicKey(keyID: entry["kid"]?.stringValue, bytes: bytes))
        }
        guard !keys.isEmpty else { throw VideoGenError(.invalidJSON, "the JWKS document holds no Ed25519 key") }
        return keys
    }
}
