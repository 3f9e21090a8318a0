import FoundationEssentials

/// The code and message an error body carries, each when present.
public struct ErrorFields: Sendable, Hashable {
    /// The provider's own error code.
    public var code: String?
    /// The provider's message.
    public var message: String?

    /// Creates the pair.
    public init(code: String? = nil, message: String? = nil) {
        self.code = code
        self.message = message
    }
}

/// Turns providers' error answers into `VideoGenError`: the HTTP status decides the code, a provider error code that
/// says more (quota, content policy, bad key) refines it, and the message is taken from whichever of the common
/// error shapes the body uses.
public enum ErrorMapping {
    /// Provider error codes that name a cause more precisely than the HTTP status does. Content refusals have their
    /// own table, `ContentRefusals`, consulted first.
    static let providerCodes: [String: VideoGenError.Code] = [
        "invalid_api_key": .auth, "invalid_token": .auth, "unauthorized": .auth, "authentication_error": .auth,
        "insufficient_quota": .quota, "insufficient_balance": .quota, "quota_exceeded": .quota,
        "billing_hard_limit_reached": .quota, "insufficient_user_quota": .quota,
        "task_not_exist": .notFound, "video_not_found": .notFound, "task_not_found": .notFound, "not_found": .notFound,
        "rate_limit_exceeded": .rateLimited, "too_many_requests": .rateLimited,
    ]

    /// How many relayed bodies inside each other `relayedFields` follows.
    static let maxRelayDepth = 4

    /// The code an HTTP status means.
    public static func code(forStatus status: Int) -> VideoGenError.Code {
        switch status {
        case 401: return .auth
        case 402: return .quota
        case 403: return .permission
        case 404, 410: return .notFound
        case 408: return .timeout
        case 413: return .tooLarge
        case 429: return .rateLimited
        case 500...599: return .server
        case 400...499: return .badRequest
        default: return .protocolError
        }
    }

    /// The (provider code, message) pair of an error body in any of the common shapes:
    /// `{"error":{"message","code","type"}}`, `{"error":"text"}`, `{"code","message"}`, `{"detail": text | [..]}`,
    /// `{"message"}`, `{"fail_reason"}`.
    public static func extract(_ body: JSONValue) -> ErrorFields {
        if let error = body["error"] {
            if error.objectValue != nil {
                let code = error["code"]?.textValue ?? error["type"]?.textValue ?? error["status"]?.textValue
                return ErrorFields(code: code, message: error["message"]?.textValue)
            }
            if let text = error.textValue { return ErrorFields(code: body["code"]?.textValue, message: body["message"]?.textValue ?? text) }
        }
        if let detail = body["detail"] {
            if let text = detail.textValue { return ErrorFields(code: nil, message: text) }
            if let items = detail.arrayValue {
                let texts = items.compactMap { $0["msg"]?.textValue ?? $0.textValue }
                return ErrorFields(code: nil, message: texts.isEmpty ? nil : texts.joined(separator: "; "))
            }
        }
        let code = body["code"]?.textValue
        let message = body["message"]?.textValue ?? body["msg"]?.textValue ?? body["fail_reason"]?.textValue
        return ErrorFields(code: code, message: message)
    }

    /// The fields of an error body (`extract`), following the upstream bodies a gateway relays as text: new-api
    /// answers an upstream's refusal of a submit with `{"code":"fail_to_fetch_task","message":"<the upstream's JSON
    /// body>"}` (relay/relay_task.go), and gateways chained behind each other wrap it again. The innermost body that
    /// has a code or a message wins; its code, or the outer one when it has none.
    public static func relayedFields(_ body: JSONValue) -> ErrorFields {
        unwrapped(extract(body))
    }

    /// `fields` with a message that is itself a JSON error body replaced by that body's fields, repeatedly (at most
    /// `maxRelayDepth` times).
    static func unwrapped(_ fields: ErrorFields) -> ErrorFields {
        var fields = fields
        for _ in 0..<maxRelayDepth {
            guard let message = fields.message,
                  case let text = message.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed(),
                  text.first == "{", text.last == "}",
                  let inner = try? JSONValue.parse(Data(String(text).utf8)), inner.objectValue != nil else { break }
            let found = extract(inner)
            guard found.code != nil || found.message != nil else { break }
            fields = ErrorFields(code: found.code ?? fields.code, message: found.message ?? fields.message)
        }
        return fields
    }

    /// A content refusal named by `fields`.
    struct Refusal {
        /// True when a code said so (it outranks the HTTP status); false for a word or phrase of the message.
        let byCode: Bool
        /// The provider code to report.
        let providerCode: String?
    }

    /// The refusal `fields` name: their code in `ContentRefusals` or, as `.contentPolicy`, in `refinements`; else a
    /// refusal code word or phrase in their message (see `ContentRefusals.refusal(inText:)`).
    static func refusal(in fields: ErrorFields, refinements: [String: VideoGenError.Code]) -> Refusal? {
        if let code = fields.code,
           ContentRefusals.isRefusal(code: code) || refinements[code.lowercased()] == .contentPolicy {
            return Refusal(byCode: true, providerCode: code)
        }
        guard let message = fields.message, let match = ContentRefusals.refusal(inText: message) else { return nil }
        return Refusal(byCode: false, providerCode: match.code ?? fields.code)
    }

    /// The error a non-2xx answer means, for any dialect whose error bodies use the common shapes, relayed upstream
    /// bodies included (`relayedFields`). A content refusal (`ContentRefusals`) is `.contentPolicy`: named by its
    /// code, whatever the HTTP status (gateways answer refusals with 500 too); named only by its message, for a
    /// 4xx answer.
    /// - Parameter refinements: a dialect's own provider codes (lower-case), consulted before the common table.
    public static func error(from response: HTTPResponse, now: Date = Date(),
                             refinements: [String: VideoGenError.Code] = [:]) -> VideoGenError {
        var parsed = (try? JSONValue.parse(response.body)).map(relayedFields) ?? ErrorFields()
        var code = code(forStatus: response.status)
        if let refusal = refusal(in: parsed, refinements: refinements),
           refusal.byCode || (400...499).contains(response.status) {
            code = .contentPolicy
            parsed.code = refusal.providerCode
        } else if let providerCode = parsed.code?.lowercased(),
                  let refined = refinements[providerCode] ?? providerCodes[providerCode] {
            // A body can only make a client error more precise; a 5xx stays a server error, so it is retried.
            if !(500...599).contains(response.status) || refined == .rateLimited { code = refined }
        }
        let message: String
        if let text = parsed.message, !text.isEmpty {
            message = Sanitize.text(text)
        } else if response.body.isEmpty {
            message = "the service answered HTTP \(response.status) with an empty body"
        } else {
            message = "the service answered HTTP \(response.status)"
        }
        var error = VideoGenError(code, message, httpStatus: response.status,
                                  providerCode: parsed.code.map { Sanitize.text($0, limit: 100) },
                                  retryAfter: RetryHint.retryAfter(response.headers, now: now))
        // The service may forbid retrying an answer that would otherwise be retried (OpenAI's x-should-retry,
        // Stripe's Stripe-Should-Retry).
        let shouldRetry = response.headers["x-should-retry"] ?? response.headers["stripe-should-retry"]
        if shouldRetry?.trimmingWhitespace().lowercased() == "false" { error.isFinal = true }
        return error
    }

    /// The error of a task that ended unsuccessfully, from the provider's code and reason: `.contentPolicy` when they
    /// name a content refusal (`ContentRefusals`: by the code, or by a refusal code word or phrase in the reason, as
    /// new-api keeps only the reason), `.taskFailed` otherwise. A reason that is a relayed JSON error body is read
    /// like one (`relayedFields`).
    /// - Parameter refinements: a dialect's own provider codes (lower-case); only their `.contentPolicy` entries
    ///   matter here.
    public static func taskFailure(code providerCode: String?, message: String?, state: TaskState,
                                   refinements: [String: VideoGenError.Code] = [:]) -> VideoGenError {
        let fields = unwrapped(ErrorFields(code: providerCode, message: message))
        var code = VideoGenError.Code.taskFailed
        var reportedCode = fields.code
        if let refusal = refusal(in: fields, refinements: refinements) {
            code = .contentPolicy
            reportedCode = refusal.providerCode
        }
        let reason = fields.message.map { Sanitize.text($0) }.flatMap { $0.isEmpty ? nil : $0 }
            ?? "the task ended \(state.rawValue) without a reason"
        return VideoGenError(code, reason, providerCode: reportedCode.map { Sanitize.text($0, limit: 100) })
    }
}
