import FoundationEssentials

/// MiniMax's status codes (`base_resp.status_code` in v1, the number in parentheses at the end of a v2 error
/// message, "... (1026)"), from its API reference's error code table.
enum MiniMaxErrors {
    /// Code → videogen code. 1026 / 1027 (sensitive input / output) are content refusals (`ContentRefusals`).
    static let codes: [String: VideoGenError.Code] = [
        "1000": .server, "1001": .timeout, "1002": .rateLimited, "1004": .auth, "1008": .quota,
        "1013": .server, "1026": .contentPolicy, "1027": .contentPolicy, "1039": .rateLimited, "1041": .rateLimited,
        "1042": .badRequest, "1043": .badRequest, "2013": .badRequest, "2049": .auth, "2056": .quota,
    ]

    /// Throws the error a v1 answer's non-zero `base_resp.status_code` means.
    static func checkBaseResponse(_ body: JSONValue, status: Int) throws {
        guard let base = body["base_resp"], let code = base["status_code"]?.intValue, code != 0 else { return }
        throw error(code: String(code), message: base["status_msg"]?.textValue, httpStatus: status)
    }

    /// The error of `code` (a MiniMax status code) with MiniMax's message.
    static func error(code: String, message: String?, httpStatus: Int?) -> VideoGenError {
        let text = Sanitize.text(message.flatMap { $0.isEmpty ? nil : $0 } ?? "MiniMax answered status code \(code)")
        var mapped = codes[code] ?? (httpStatus.map { ErrorMapping.code(forStatus: $0) } ?? .server)
        if code == "2013" && text.lowercased().contains("task_id") { mapped = .notFound }
        return VideoGenError(mapped, text, httpStatus: httpStatus, providerCode: code)
    }

    /// The error of a non-2xx answer: v2's `{type: "error", error: {type, message: "... (NNNN)"}}`, a v1 body with
    /// `base_resp`, or the common shapes.
    static func error(from response: HTTPResponse) -> VideoGenError {
        guard let body = try? JSONValue.parse(response.body) else { return ErrorMapping.error(from: response) }
        if let base = body["base_resp"], let code = base["status_code"]?.intValue, code != 0 {
            return withRetryHint(error(code: String(code), message: base["status_msg"]?.textValue, httpStatus: response.status), response)
        }
        if let message = body["error"]?["message"]?.textValue, let code = trailingCode(message) {
            return withRetryHint(error(code: code, message: message, httpStatus: response.status), response)
        }
        return ErrorMapping.error(from: response)
    }

    /// The failure of a task: a refusal (1026 / 1027) as `.contentPolicy`, anything else `.taskFailed`.
    static func taskFailure(code: String?, message: String?, state: TaskState) -> VideoGenError {
        let code = code ?? message.flatMap(trailingCode)
        return ErrorMapping.taskFailure(code: code, message: message, state: state,
                                        refinements: codes.filter { $0.value == .contentPolicy })
    }

    /// "invalid params (2013)" → "2013".
    static func trailingCode(_ message: String) -> String? {
        let trimmed = message.trimmingWhitespace()
        guard trimmed.hasSuffix(")"), let open = trimmed.lastIndex(of: "(") else { return nil }
        let digits = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        guard !digits.isEmpty, digits.count <= 8, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return String(digits)
    }

    private static func withRetryHint(_ error: VideoGenError, _ response: HTTPResponse) -> VideoGenError {
        var error = error
        error.retryAfter = RetryHint.retryAfter(response.headers)
        return error
    }
}
