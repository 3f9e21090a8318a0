import FoundationEssentials

/// One callback as it reached the receiver: method, request target, raw headers and raw body, untouched. Verification
/// needs the exact bytes the service signed: a body parsed and re-serialized no longer verifies.
public struct WebhookDelivery: Sendable {
    /// The HTTP method, e.g. `POST`.
    public var method: String
    /// The request target (path and query, e.g. `/hooks/vidu?tenant=1`); Vidu signs both.
    public var target: String
    /// Header fields, names lower-cased; a field sent more than once keeps its first value.
    public private(set) var headers: [String: String]
    /// The raw body.
    public var body: Data

    /// Creates a delivery from header pairs (names in any case).
    public init(method: String = "POST", target: String = "/", headers: [(String, String)], body: Data) {
        self.method = method
        self.target = target
        var fields: [String: String] = [:]
        for (name, value) in headers where fields[name.lowercased()] == nil {
            fields[name.lowercased()] = value
        }
        self.headers = fields
        self.body = body
    }

    /// Creates a delivery from a raw header block: `Name: value` lines separated by CRLF or LF (a request line or a
    /// blank line ends nothing; lines without a colon are refused).
    /// - Throws: `WebhookRefusal` `.malformedHeader` for a line that is not a header field.
    public init(method: String = "POST", target: String = "/", rawHeaders: String, body: Data) throws {
        var pairs: [(String, String)] = []
        for line in rawHeaders.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let text = line.hasSuffix("\r") ? line.dropLast() : line[...]
            if text.isEmpty { continue }
            guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
                throw WebhookRefusal(.malformedHeader, "a header line has no field name and colon")
            }
            let name = String(text[..<colon]).trimmingWhitespace()
            let value = String(text[text.index(after: colon)...]).trimmingWhitespace()
            pairs.append((name, value))
        }
        self.init(method: method, target: target, headers: pairs, body: body)
    }

    /// The value of the header `name` (any case), nil when absent.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The target's path (before `?`), "/" when empty.
    var path: String {
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return path.isEmpty ? "/" : path
    }

    /// The target's query (after `?`), "" when there is none.
    var query: String {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count > 1 ? String(parts[1]) : ""
    }
}

/// Why a callback was refused. Refusals carry no secret and no signature: only which check failed.
public struct WebhookRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The check that failed.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// No signature matches the body under the configured secret or keys.
        case badSignature = "bad_signature"
        /// The signed timestamp is further from the clock than the tolerance (stale, replayed or from the future).
        case timestampOutsideTolerance = "timestamp_outside_tolerance"
        /// A signature header is missing or not of its documented form.
        case malformedHeader = "malformed_header"
        /// The signature names a key id the configured keys do not have. Reserved for schemes whose callbacks name
        /// their key: none of today's do (fal's headers name none, so every key of its JWKS is tried).
        case unknownKeyID = "unknown_key_id"
        /// The body is longer than the verifier's cap.
        case bodyTooLarge = "body_too_large"
        /// The scheme does not sign (Kling, Luma) and the verifier was not told to accept unsigned hints.
        case unsigned = "unsigned"
        /// The verifier has no secret or key for its scheme.
        case noKey = "no_key"
        /// The callback verified but its payload names no task this client can read.
        case unreadablePayload = "unreadable_payload"
    }

    /// The check that failed.
    public let reason: Reason
    /// A sentence for logs, without secrets.
    public let message: String

    /// Creates a refusal.
    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// `reason: message`.
    public var description: String { "\(reason.rawValue): \(message)" }
}
