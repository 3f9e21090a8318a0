import Foundation
import Testing
@testable import VideoGen

/// Content refusals arrive wrapped: new-api relays an upstream's refusal of a submit as
/// `{"code":"fail_to_fetch_task","message":"<the upstream's body as text>"}` and keeps only a reason (or a code) of a
/// refused task. Every one of them is `.contentPolicy`, from one table of upstream vocabularies (`ContentRefusals`).
@Suite("content refusals in every vocabulary, however relayed")
struct ContentRefusalTests {
    let base = URL(string: "https://gw.example.com")!

    // MARK: - Refused submits (error answers)

    struct Wrapped: Sendable, CustomTestStringConvertible {
        let name: String
        let status: Int
        let body: String
        let code: VideoGenError.Code
        let providerCode: String?
        let message: String
        var testDescription: String { name }
    }

    /// new-api answers every non-200 upstream submit with `TaskErrorWrapper(fmt.Errorf("%s", body),
    /// "fail_to_fetch_task", resp.StatusCode)` (relay/relay_task.go `RelayTaskSubmit`, service/error.go), rendered by
    /// controller/relay.go `respondTaskError` as dto/task.go `TaskError` `{code, message, data}`; the upstream bodies are
    /// the providers' own error shapes.
    static let wrapped: [Wrapped] = [
        Wrapped(name: "Kling 1301 (Kling's error body as text)", status: 400,
                body: #"{"code":"fail_to_fetch_task","message":"{\"code\":1301,\"message\":\"Trigger content security policy\",\"request_id\":\"6b6c8d2e-9a44-4f0e-8f3a-2f1f0e6b7a10\"}","data":null}"#,
                code: .contentPolicy, providerCode: "1301", message: "Trigger content security policy"),
        Wrapped(name: "DashScope DataInspectionFailed", status: 400,
                body: #"{"code":"fail_to_fetch_task","message":"{\"code\":\"DataInspectionFailed\",\"message\":\"Input data may contain inappropriate content.\",\"request_id\":\"2a40fa5d-4851-9156-99bd-165780427b4b\"}","data":null}"#,
                code: .contentPolicy, providerCode: "DataInspectionFailed", message: "Input data may contain inappropriate content."),
        Wrapped(name: "Ark InputTextSensitiveContentDetected", status: 400,
                body: #"{"code":"fail_to_fetch_task","message":"{\"error\":{\"code\":\"InputTextSensitiveContentDetected\",\"message\":\"The request failed because the input text may contain sensitive information. Request id: 0217612048770000\",\"param\":\"\",\"type\":\"BadRequest\"}}","data":null}"#,
                code: .contentPolicy, providerCode: "InputTextSensitiveContentDetected",
                message: "The request failed because the input text may contain sensitive information. Request id: 0217612048770000"),
        Wrapped(name: "Ark image with a real person (a sub-code)", status: 400,
                body: #"{"code":"fail_to_fetch_task","message":"{\"error\":{\"code\":\"InputImageSensitiveContentDetected.PrivacyInformation\",\"message\":\"The request failed because the input image may contain real person.\",\"type\":\"BadRequest\"}}","data":null}"#,
                code: .contentPolicy, providerCode: "InputImageSensitiveContentDetected.PrivacyInformation",
                message: "The request failed because the input image may contain real person."),
        Wrapped(name: "OpenAI moderation_blocked", status: 400,
                body: #"{"code":"fail_to_fetch_task","message":"{\"error\":{\"message\":\"Your request was blocked by our moderation system.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"moderation_blocked\"}}","data":null}"#,
                code: .contentPolicy, providerCode: "moderation_blocked", message: "Your request was blocked by our moderation system."),
        // relay/channel/task/hailuo/adaptor.go DoResponse: the MiniMax status code itself as the TaskError code.
        Wrapped(name: "MiniMax 1026 (Hailuo adaptor)", status: 400,
                body: #"{"code":"1026","message":"hailuo api error: video description contains sensitive content","data":null}"#,
                code: .contentPolicy, providerCode: "1026", message: "hailuo api error: video description contains sensitive content"),
        // Gateways chained behind new-api wrap again.
        Wrapped(name: "wrapped twice", status: 400,
                body: #"{"error":{"code":"upstream_error","message":"{\"code\":\"fail_to_fetch_task\",\"message\":\"{\\\"code\\\":1301,\\\"message\\\":\\\"Trigger content security policy\\\"}\"}"}}"#,
                code: .contentPolicy, providerCode: "1301", message: "Trigger content security policy"),
        // A refusal named by its code is one even when the gateway answers 5xx (and is then not retried).
        Wrapped(name: "a refusal code under a 500", status: 500,
                body: #"{"error":{"message":"Your request was blocked by our moderation system.","type":"server_error","code":"moderation_blocked"}}"#,
                code: .contentPolicy, providerCode: "moderation_blocked", message: "Your request was blocked by our moderation system."),
        // Relayed bodies that are not refusals keep their own meaning.
        Wrapped(name: "relayed quota error", status: 403,
                body: #"{"error":{"code":"fail_to_fetch_task","message":"{\"code\":\"insufficient_user_quota\",\"message\":\"预扣费额度失败, 用户剩余额度: ¥5.20\",\"data\":null}","data":null}}"#,
                code: .quota, providerCode: "insufficient_user_quota", message: "预扣费额度失败, 用户剩余额度: ¥5.20"),
        Wrapped(name: "a relayed 429 (new-api replaces its message)", status: 429,
                body: #"{"code":"fail_to_fetch_task","message":"当前分组上游负载已饱和，请稍后再试","data":null}"#,
                code: .rateLimited, providerCode: "fail_to_fetch_task", message: "当前分组上游负载已饱和，请稍后再试"),
        Wrapped(name: "a phrase alone does not override a 5xx", status: 502,
                body: #"{"code":"fail_to_fetch_task","message":"upstream said: may contain sensitive information","data":null}"#,
                code: .server, providerCode: "fail_to_fetch_task", message: "upstream said: may contain sensitive information"),
        Wrapped(name: "Ark's moderation service failing is no refusal", status: 400,
                body: #"{"code":"fail_to_fetch_task","message":"{\"error\":{\"code\":\"ContentSecurityDetectionError\",\"message\":\"Internal error.\",\"type\":\"BadRequest\"}}","data":null}"#,
                code: .badRequest, providerCode: "ContentSecurityDetectionError", message: "Internal error."),
        Wrapped(name: "not JSON inside", status: 400,
                body: #"{"code":"fail_to_fetch_task","message":"{not json}","data":null}"#,
                code: .badRequest, providerCode: "fail_to_fetch_task", message: "{not json}"),
    ]

    @Test("refused submits relayed by a gateway", arguments: wrapped)
    func refusedSubmit(_ item: Wrapped) {
        for adapter in [UnifiedTaskAdapter() as any ProviderAdapter, OpenAIVideosAdapter(), KlingAdapter()] {
            let error = adapter.error(from: .json(item.status, item.body))
            #expect(error.code == item.code, "\(adapter.dialect): \(error)")
            #expect(error.providerCode == item.providerCode)
            #expect(error.message == item.message)
            #expect(error.httpStatus == item.status)
        }
    }

    @Test("an envelope answered with HTTP 200 and a wrapped refusal is the refusal")
    func envelopeWithRefusal() {
        let body = #"{"code":"fail_to_fetch_task","message":"{\"code\":1301,\"message\":\"Trigger content security policy\"}","data":null}"#
        let error = expectError(.contentPolicy) { _ = try UnifiedTaskAdapter().parseSubmit(.json(200, body), baseURL: base) }
        #expect(error?.providerCode == "1301")
        #expect(error?.message == "Trigger content security policy")
        #expect(error?.httpStatus == 200)
    }

    @Test("relayed bodies nested without end are followed a bounded number of times, never a crash")
    func deepNesting() {
        var text = #"{"code":1301,"message":"Trigger content security policy"}"#
        for _ in 0..<8 {
            text = JSONValue.object(["code": "fail_to_fetch_task", "message": .string(text)]).serialized().utf8String
        }
        let error = ErrorMapping.error(from: .json(400, text))
        // Four levels are unwrapped; the rest stays text, which still names the refusal.
        #expect(error.providerCode == "fail_to_fetch_task", "8 levels deep is not followed to the end")
        #expect(error.code == .contentPolicy)
        #expect(error.message.count <= 501)
    }

    // MARK: - Refused tasks (failed task answers)

    struct Refused: Sendable, CustomTestStringConvertible {
        let name: String
        let route: UnifiedTaskAdapter.StatusRoute
        let body: String
        let code: VideoGenError.Code
        let providerCode: String?
        var testDescription: String { name }
    }

    /// Failed tasks as new-api answers them: the `{code, data: TaskDto}` envelope on `/v1/video/generations/{id}`
    /// (`fail_reason` is what the adaptor's `ParseTaskResult` kept) and the OpenAI object on `/v1/videos/{id}`
    /// (`error` is what its `ConvertToOpenAIVideo` wrote).
    static let refused: [Refused] = [
        // relay/channel/task/doubao/adaptor.go: ParseTaskResult keeps Error.Message.
        Refused(name: "Doubao, TaskDto reason", route: .generations,
                body: #"{"code":"success","message":"","data":{"id":9,"task_id":"task_D1","platform":"54","status":"FAILURE","fail_reason":"The request failed because the output video may contain sensitive information. Request id: 02176120487700000000000000000000000000000000","progress":"100%"}}"#,
                code: .contentPolicy, providerCode: nil),
        // ... its ConvertToOpenAIVideo: error {message, code: Error.Code}, metadata.url always set ("" here).
        Refused(name: "Doubao, OpenAI object", route: .videos,
                body: #"{"id":"task_D1","task_id":"task_D1","object":"video","model":"doubao-seedance-1-0-pro-250528","status":"failed","progress":100,"created_at":1764590000,"completed_at":1764590050,"error":{"message":"The request failed because the output video may contain sensitive information.","code":"OutputVideoSensitiveContentDetected"},"metadata":{"url":""}}"#,
                code: .contentPolicy, providerCode: "OutputVideoSensitiveContentDetected"),
        // relay/channel/task/ali/adaptor.go: "task failed, code: %s , message: %s" from output.code / output.message.
        Refused(name: "Ali, TaskDto reason", route: .generations,
                body: #"{"code":"success","message":"","data":{"id":9,"task_id":"task_A1","platform":"17","status":"FAILURE","fail_reason":"task failed, code: DataInspectionFailed , message: Input data may contain inappropriate content.","progress":"100%"}}"#,
                code: .contentPolicy, providerCode: "DataInspectionFailed"),
        Refused(name: "Ali, OpenAI object", route: .videos,
                body: #"{"id":"task_A1","object":"video","model":"wan2.5-t2v-preview","status":"failed","progress":100,"created_at":1764590000,"completed_at":1764590050,"error":{"message":"Input data may contain inappropriate content.","code":"DataInspectionFailed"},"metadata":{"url":""}}"#,
                code: .contentPolicy, providerCode: "DataInspectionFailed"),
        // relay/channel/task/vidu/adaptor.go: the reason is err_code; ConvertToOpenAIVideo uses it as code and message.
        Refused(name: "Vidu, TaskDto reason", route: .generations,
                body: #"{"code":"success","message":"","data":{"id":9,"task_id":"task_V1","platform":"52","status":"FAILURE","fail_reason":"CreationPolicyViolation","progress":"100%"}}"#,
                code: .contentPolicy, providerCode: "CreationPolicyViolation"),
        Refused(name: "Vidu, OpenAI object", route: .videos,
                body: #"{"id":"task_V1","object":"video","model":"","status":"failed","progress":100,"created_at":1764590000,"completed_at":1764590050,"error":{"message":"AuditSubmitIllegal","code":"AuditSubmitIllegal"}}"#,
                code: .contentPolicy, providerCode: "AuditSubmitIllegal"),
        // relay/channel/task/hailuo/adaptor.go ConvertToOpenAIVideo: error {code: strconv.Itoa(status_code), message}.
        Refused(name: "MiniMax 1027, OpenAI object", route: .videos,
                body: #"{"id":"task_H1","task_id":"task_H1","object":"video","model":"MiniMax-Hailuo-02","status":"failed","progress":100,"created_at":1764590000,"error":{"message":"生成视频涉及敏感内容","code":"1027"}}"#,
                code: .contentPolicy, providerCode: "1027"),
        // relay/channel/task/gemini/adaptor.go: the reason is the operation's error message (Veo's RAI text).
        Refused(name: "Veo RAI, TaskDto reason", route: .generations,
                body: #"{"code":"success","message":"","data":{"id":9,"task_id":"task_G1","platform":"24","status":"FAILURE","fail_reason":"Veo could not generate videos because the input image violates Vertex AI's usage guidelines. If you think this was an error, send feedback. Support codes: 15236754","progress":"100%"}}"#,
                code: .contentPolicy, providerCode: nil),
        Refused(name: "Veo RAI, realtime answer", route: .generations,
                body: #"{"code":"success","message":"","data":{"error":{"message":"Unable to generate videos. Support codes: 42237218","code":"task_failed"},"format":"mp4","metadata":null,"status":"failed","task_id":"task_G1","url":""}}"#,
                code: .contentPolicy, providerCode: "task_failed"),
        Refused(name: "OpenAI moderation, TaskDto reason", route: .generations,
                body: #"{"code":"success","message":"","data":{"id":9,"task_id":"task_S1","status":"FAILURE","fail_reason":"Your request was blocked by our moderation system.","progress":"100%"}}"#,
                code: .contentPolicy, providerCode: nil),
        // Failures that are no refusals stay task failures.
        Refused(name: "new-api's own failure (service/task_polling.go FailTaskInfo)", route: .generations,
                body: #"{"code":"success","message":"","data":{"id":9,"task_id":"task_X1","status":"FAILURE","fail_reason":"upstream returned error","progress":"100%"}}"#,
                code: .taskFailed, providerCode: nil),
        Refused(name: "a plain failure with a code", route: .videos,
                body: #"{"id":"task_X1","object":"video","model":"m","status":"failed","progress":100,"created_at":1764590000,"error":{"message":"video generation timed out","code":"video_generation_failed"}}"#,
                code: .taskFailed, providerCode: "video_generation_failed"),
        Refused(name: "a number in a reason is no code", route: .generations,
                body: #"{"code":"success","message":"","data":{"id":9,"task_id":"task_X1","status":"FAILURE","fail_reason":"task 1301 failed after 1027 seconds","progress":"100%"}}"#,
                code: .taskFailed, providerCode: nil),
    ]

    @Test("refused tasks, in both of new-api's fetch answers", arguments: refused)
    func refusedTask(_ item: Refused) throws {
        let report = try UnifiedTaskAdapter(statusRoute: item.route).parseStatus(.json(200, item.body), taskID: "t", baseURL: base)
        let snapshot = TaskSnapshot(id: "t", dialect: "unified", baseURL: base.absoluteString).applying(report, at: 1)
        #expect(snapshot.state == .failed)
        #expect(snapshot.error?.code == item.code, "\(snapshot.error.map(String.init(describing:)) ?? "no error")")
        #expect(snapshot.error?.providerCode == item.providerCode)
    }

    @Test("the openai dialect reads the same vocabularies from the Video object's error")
    func openaiDialect() throws {
        let body = #"{"id":"video_1","object":"video","model":"doubao-seedance","status":"failed","progress":100,"created_at":1764590000,"error":{"message":"The request failed because the output video may contain sensitive information.","code":"OutputVideoSensitiveContentDetected"}}"#
        let report = try OpenAIVideosAdapter().parseStatus(.json(200, body), taskID: "video_1", baseURL: base)
        #expect(report.error?.code == .contentPolicy)
        #expect(report.error?.providerCode == "OutputVideoSensitiveContentDetected")
    }

    // MARK: - The table itself

    @Test("codes of every vocabulary, in the spellings gateways relay", arguments: [
        "1301", "1026", "1027",
        "OutputVideoSensitiveContentDetected", "InputTextSensitiveContentDetected", "InputImageSensitiveContentDetected",
        "InputVideoSensitiveContentDetected.PrivacyInformation", "OutputAudioSensitiveContentDetected",
        "SensitiveContentDetected", "SensitiveContentDetected.SevereViolation", "InputTextRiskDetection",
        "OutputImageRiskDetection", "DataInspectionFailed", "data_inspection_failed", "DataInspectionFailed.InputImage",
        "AuditSubmitIllegal", "CreationPolicyViolation", "TaskPromptPolicyViolation", "moderation_blocked",
        "content_policy_violation", "ResponsibleAIPolicyViolation", "SAFETY.INPUT.TEXT", "SAFETY.OUTPUT.VIDEO",
        " MODERATION_BLOCKED ",
    ])
    func refusalCodes(_ code: String) {
        #expect(ContentRefusals.isRefusal(code: code))
    }

    @Test("codes that are no refusals", arguments: [
        "1102", "1303", "1000", "2013", "ContentSecurityDetectionError", "InvalidParameter", "fail_to_fetch_task",
        "task_failed", "safety", "SAFETY.", "datainspection", "", "invalid_api_key",
    ])
    func otherCodes(_ code: String) {
        #expect(!ContentRefusals.isRefusal(code: code))
    }

    @Test("reasons: a refusal code word, or a refusal phrase; never a bare number", arguments: [
        ("task failed, code: DataInspectionFailed , message: x", "DataInspectionFailed" as String?, true),
        ("CreationPolicyViolation", "CreationPolicyViolation", true),
        ("failureCode=SAFETY.INPUT.TEXT.", "SAFETY.INPUT.TEXT", true),
        ("The request failed because the output video may contain sensitive information.", nil, true),
        ("video description contains sensitive content (1026)", nil, true),
        ("Trigger content security policy", nil, true),
        ("The request was rejected by the safety system (emulated).", nil, true),
        ("error 1301 at step 1027", nil, false),
        ("task failed", nil, false),
        ("", nil, false),
    ] as [(String, String?, Bool)])
    func reasons(_ text: String, _ code: String?, _ refused: Bool) {
        let match = ContentRefusals.refusal(inText: text)
        #expect((match != nil) == refused)
        #expect(match?.code == code)
    }
}

private extension Data {
    var utf8String: String { String(decoding: self, as: UTF8.self) }
}
