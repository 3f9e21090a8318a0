import Foundation
import Testing
@testable import VideoGen

@Suite("error answers and retry hints")
struct ErrorMappingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let status: Int
        let body: String
        let code: VideoGenError.Code
        let providerCode: String?
        let message: String
        var testDescription: String { "\(status) \(body.prefix(40))" }
    }

    @Test("HTTP status and provider codes map to one vocabulary", arguments: [
        Case(status: 401, body: #"{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
             code: .auth, providerCode: "invalid_api_key", message: "Incorrect API key provided."),
        Case(status: 400, body: #"{"code":"task_not_exist","message":"task_not_exist","data":null}"#,
             code: .notFound, providerCode: "task_not_exist", message: "task_not_exist"),
        Case(status: 404, body: #"{"error":{"message":"Video with id 'x' not found.","type":"invalid_request_error","code":"video_not_found"}}"#,
             code: .notFound, providerCode: "video_not_found", message: "Video with id 'x' not found."),
        Case(status: 429, body: #"{"error":{"message":"quota","type":"insufficient_quota","code":"insufficient_quota"}}"#,
             code: .quota, providerCode: "insufficient_quota", message: "quota"),
        Case(status: 429, body: #"{"code":"rate_limited","message":"当前分组上游负载已饱和，请稍后再试","data":null}"#,
             code: .rateLimited, providerCode: "rate_limited", message: "当前分组上游负载已饱和，请稍后再试"),
        Case(status: 400, body: #"{"error":{"message":"Your prompt violates policy","code":"content_policy_violation"}}"#,
             code: .contentPolicy, providerCode: "content_policy_violation", message: "Your prompt violates policy"),
        Case(status: 403, body: #"{"error":"AccessDenied","message":"Request has expired"}"#,
             code: .permission, providerCode: nil, message: "Request has expired"),
        Case(status: 422, body: #"{"detail":[{"loc":["body","prompt"],"msg":"field required"}]}"#,
             code: .badRequest, providerCode: nil, message: "field required"),
        Case(status: 500, body: #"{"error":{"message":"boom","code":"invalid_api_key"}}"#,
             code: .server, providerCode: "invalid_api_key", message: "boom"),
        Case(status: 502, body: "<html>Bad Gateway</html>", code: .server, providerCode: nil, message: "the service answered HTTP 502"),
        Case(status: 503, body: "", code: .server, providerCode: nil, message: "the service answered HTTP 503 with an empty body"),
        Case(status: 408, body: "", code: .timeout, providerCode: nil, message: "the service answered HTTP 408 with an empty body"),
        Case(status: 413, body: #"{"message":"too big"}"#, code: .tooLarge, providerCode: nil, message: "too big"),
        Case(status: 400, body: #"{"message":"line1\nline2\u001b[31m"}"#, code: .badRequest, providerCode: nil, message: "line1 line2 [31m"),
    ])
    func mapping(_ item: Case) {
        let error = ErrorMapping.error(from: .json(item.status, item.body))
        #expect(error.code == item.code)
        #expect(error.httpStatus == item.status)
        #expect(error.providerCode == item.providerCode)
        #expect(error.message == item.message)
    }

    @Test("long messages are cut")
    func longMessage() {
        let error = ErrorMapping.error(from: .json(400, "{\"message\":\"\(String(repeating: "x", count: 10_000))\"}"))
        #expect(error.message.count <= 501)
    }

    @Test("Retry-After in seconds, milliseconds and HTTP dates", arguments: [
        (["retry-after": "7"], 7.0),
        (["retry-after": "1.5"], 1.5),
        (["retry-after-ms": "1500"], 1.5),
        (["retry-after-ms": "250", "retry-after": "9"], 0.25),
        (["retry-after": "Sun, 06 Nov 1994 08:49:47 GMT"], 10.0),
        (["retry-after": "Sun, 06 Nov 1994 08:49:27 GMT"], 0.0),
    ])
    func hints(_ headers: [String: String], _ expected: Double) {
        let now = Date(timeIntervalSince1970: 784_111_777) // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryHint.retryAfter(headers, now: now) == expected)
    }

    @Test("malformed hints give nil, never a crash", arguments: [
        "-1", "NaN", "nan", "inf", "1e309", "9223372036854775808999999999999999", "", " ", "abc", "1.2.3", "+5", "0x10",
        "Sun, 06 Nov 1994", "\u{0}", String(repeating: "9", count: 400), "5, 6", "１２",
        "S\u{032B}", "s\u{032B}", "Sun, 06 Nov 1994 08:49:37 GMT\u{032B}", "Sun, 36 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 UTC",
    ])
    func malformedHints(_ value: String) {
        #expect(RetryHint.retryAfter(["retry-after": value]) == nil)
        #expect(RetryHint.retryAfter(["retry-after-ms": value]) == nil)
        #expect(RetryHint.pollAfter(["openai-poll-after-ms": value]) == nil)
    }

    @Test("HTTP dates are computed exactly", arguments: [
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0), ("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777.0),
        ("Tue, 29 Feb 2000 12:00:00 GMT", 951_825_600.0), ("Fri, 31 Dec 2099 23:59:59 GMT", 4_102_444_799.0),
    ])
    func httpDates(_ text: String, _ epoch: Double) {
        #expect(RetryHint.parseHTTPDate(text)?.timeIntervalSince1970 == epoch)
    }

    @Test("absurd but valid hints are capped")
    func hugeHint() {
        #expect(RetryHint.retryAfter(["retry-after": "99999999999"]) == RetryHint.ceiling)
        #expect(RetryHint.pollAfter(["openai-poll-after-ms": "2000"]) == 2)
    }

    @Test("status synonyms", arguments: [
        ("queued", TaskState.queued), ("PENDING", .queued), ("Submitted", .queued), ("NOT_START", .queued),
        ("in_progress", .running), ("Processing", .running), ("RUNNING", .running), ("generating", .running),
        ("succeed", .succeeded), ("SUCCESS", .succeeded), ("completed", .succeeded), ("Succeeded", .succeeded),
        ("failed", .failed), ("FAILURE", .failed), ("error", .failed), ("canceled", .cancelled),
        ("CANCELLED", .cancelled), ("expired", .expired), ("unknown", .queued), (" in progress ", .running),
    ])
    func synonyms(_ word: String, _ state: TaskState) {
        #expect(StatusVocabulary.unified.state(for: word) == state)
    }

    @Test("progress in every form", arguments: [
        (JSONValue.int(45), 45), (.double(45.9), 45), (.double(0.5), 50), (.string("30%"), 30), (.string(" 7 "), 7),
        (.int(-5), 0), (.int(1000), 100), (.string("abc"), nil), (.null, nil), (.bool(true), nil), (.string("NaN%"), nil),
    ] as [(JSONValue, Int?)])
    func progress(_ value: JSONValue, _ expected: Int?) {
        #expect(LooseNumber.progress(value) == expected)
    }

    @Test("timestamps in seconds and milliseconds")
    func timestamps() {
        #expect(LooseNumber.unixTime(.int(1_722_769_557_708)) == 1_722_769_557.708)
        #expect(LooseNumber.unixTime(.int(1_722_769_557)) == 1_722_769_557)
        #expect(LooseNumber.unixTime(.int(-1)) == nil)
        #expect(LooseNumber.unixTime(.string("x")) == nil)
    }
}
