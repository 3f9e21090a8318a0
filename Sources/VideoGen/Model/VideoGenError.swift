/// Every failure videogen reports: a stable code plus the details a caller needs to act on it.
///
/// The code is a struct wrapping an integer rather than an enum, so that new codes can be added without breaking
/// callers that switch over the known ones. Its raw values are the C ABI's `vg_code` values.
public struct VideoGenError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable error code; raw values equal the C `vg_code` values and are only ever appended.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// A NULL or out-of-range argument, or a bad value in a configuration or request.
        public static let invalidArgument = Code(rawValue: 1)
        /// A configuration, request or record is not valid JSON of the documented shape.
        public static let invalidJSON = Code(rawValue: 2)
        /// A field or operation the provider dialect does not support.
        public static let unsupported = Code(rawValue: 3)
        /// A NULL, freed, stale or wrong-kind C handle.
        public static let invalidHandle = Code(rawValue: 4)
        /// Refused for safety (plain http to a remote host, https-to-http redirect, ...).
        public static let insecure = Code(rawValue: 5)
        /// Credentials rejected (HTTP 401) or missing.
        public static let auth = Code(rawValue: 6)
        /// Credentials lack permission (HTTP 403).
        public static let permission = Code(rawValue: 7)
        /// Unknown task or resource.
        public static let notFound = Code(rawValue: 8)
        /// The service refused the request as invalid.
        public static let badRequest = Code(rawValue: 9)
        /// Too many requests; see `retryAfter`.
        public static let rateLimited = Code(rawValue: 10)
        /// Out of balance, credits or quota.
        public static let quota = Code(rawValue: 11)
        /// Refused for its content.
        public static let contentPolicy = Code(rawValue: 12)
        /// The service failed (HTTP 5xx).
        public static let server = Code(rawValue: 13)
        /// Connection refused, reset or lost; DNS failure.
        public static let network = Code(rawValue: 14)
        /// A single request or download stalled past its timeout.
        public static let timeout = Code(rawValue: 15)
        /// A wait's deadline passed while the task was still running.
        public static let deadline = Code(rawValue: 16)
        /// Cancelled by the caller.
        public static let cancelled = Code(rawValue: 17)
        /// A callback asked to stop.
        public static let abortedByCallback = Code(rawValue: 18)
        /// The task ended failed, cancelled or expired on the service.
        public static let taskFailed = Code(rawValue: 19)
        /// The operation needs a succeeded task.
        public static let notReady = Code(rawValue: 20)
        /// The service answered outside its documented protocol.
        public static let protocolError = Code(rawValue: 21)
        /// A response, file or download exceeds its size limit.
        public static let tooLarge = Code(rawValue: 22)
        /// A local file could not be read or written.
        public static let io = Code(rawValue: 23)
        /// A submit may or may not have reached the service.
        public static let unknownOutcome = Code(rawValue: 24)
        /// A bug in videogen.
        public static let `internal` = Code(rawValue: 25)
        /// The task already has an operation in progress, or another download (in this process or another) is
        /// writing the same destination.
        public static let busy = Code(rawValue: 26)
        /// Memory for a result could not be allocated (C: a string returned to the caller).
        public static let outOfMemory = Code(rawValue: 27)

        /// The highest code this version knows.
        public static let last: Int32 = 27

        /// A short stable description, identical to the C library's `vg_code_str`.
        public var description: String {
            switch rawValue {
            case 0: return "ok"
            case 1: return "invalid argument"
            case 2: return "invalid JSON"
            case 3: return "unsupported by this provider"
            case 4: return "invalid handle"
            case 5: return "refused as insecure"
            case 6: return "authentication failed"
            case 7: return "permission denied"
            case 8: return "not found"
            case 9: return "bad request"
            case 10: return "rate limited"
            case 11: return "quota exhausted"
            case 12: return "refused by content policy"
            case 13: return "server error"
            case 14: return "network error"
            case 15: return "timed out"
            case 16: return "deadline exceeded"
            case 17: return "cancelled"
            case 18: return "aborted by callback"
            case 19: return "task failed"
            case 20: return "task not ready"
            case 21: return "protocol error"
            case 22: return "too large"
            case 23: return "I/O error"
            case 24: return "unknown outcome"
            case 25: return "internal error"
            case 26: return "task busy"
            case 27: return "out of memory"
            default: return "unknown error code"
            }
        }

        /// The snake_case name used in snapshots ("rate_limited", ...).
        public var name: String {
            description == "ok" ? "ok" : description.replacing(" ", with: "_").lowercased()
        }

        /// Parses `name` back into a code.
        public init?(name: String) {
            for raw in Int32(0)...Code.last where Code(rawValue: raw).name == name {
                self.rawValue = raw
                return
            }
            return nil
        }
    }

    /// What went wrong, as a stable code.
    public var code: Code
    /// A message naming the cause. Never contains the API key.
    public var message: String
    /// The HTTP status of the answer that caused the error, if any.
    public var httpStatus: Int?
    /// The provider's own error code (`invalid_api_key`, `task_not_exist`, `1302`, ...), if any.
    public var providerCode: String?
    /// Seconds the service asked to wait before retrying, if it said.
    public var retryAfter: Double?
    /// True when the request provably never reached the service (connection refused, DNS, TLS handshake), so
    /// even a non-idempotent submit may be retried.
    var requestNotSent = false
    /// True when repeating the request cannot help although the code is usually transient (a redirect loop).
    var isFinal = false

    /// Creates an error.
    public init(_ code: Code, _ message: String, httpStatus: Int? = nil, providerCode: String? = nil,
                retryAfter: Double? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.providerCode = providerCode
        self.retryAfter = retryAfter
    }

    public var description: String {
        var text = "\(code.description): \(message)"
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        return text
    }

    /// The error as a JSON object for snapshots.
    var json: JSONValue {
        var members: [String: JSONValue] = ["code": .string(code.name), "message": .string(message)]
        if let httpStatus { members["http_status"] = .int(Int64(httpStatus)) }
        if let providerCode { members["provider_code"] = .string(providerCode) }
        if let retryAfter { members["retry_after"] = .double(retryAfter) }
        return .object(members)
    }

    /// Reads an error back from its snapshot JSON.
    init?(json: JSONValue) {
        guard let name = json["code"]?.stringValue, let code = Code(name: name) else { return nil }
        self.init(code, json["message"]?.stringValue ?? "", httpStatus: json["http_status"]?.intValue.map { Int($0) },
                  providerCode: json["provider_code"]?.stringValue, retryAfter: json["retry_after"]?.doubleValue)
    }
}
