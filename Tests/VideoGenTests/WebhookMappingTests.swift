import Foundation
import Testing
@testable import VideoGen

/// What each direct provider's callback body means once verified: the adapters' payload mapping on bodies of the
/// providers' documented shapes (the emulator posts the same). OpenRouter's `{type, data}` event through its own
/// mapping; Vidu's creations answer, Luma's Generation, Ark's task and MiniMax's query answer through `parseStatus`.
@Suite("webhook payload mapping of the direct providers")
struct WebhookMappingTests {
    static let base = URL(string: "https://openrouter.ai/api/v1")!

    static func event(_ adapter: some ProviderAdapter, _ body: String, base: URL = base) throws -> WebhookEvent {
        try adapter.webhookEvent(body: Data(body.utf8), baseURL: base)
    }

    @Test("OpenRouter: data is the job; its unsigned URLs are made absolute on the service's origin")
    func openRouterCompleted() throws {
        let body = #"""
        {"type":"video.generation.completed","data":{"id":"gen-vid-7Yk2","polling_url":"/api/v1/videos/gen-vid-7Yk2",
        "status":"completed","generation_id":"gen-7Yk2","unsigned_urls":["/api/v1/videos/gen-vid-7Yk2/content?index=0",
        "/api/v1/videos/gen-vid-7Yk2/content?index=1"],"expires_at":1767003600,"usage":{"cost":1.6,"is_byok":false}}}
        """#
        let event = try Self.event(OpenRouterVideosAdapter(), body)
        #expect(event.taskID == "gen-vid-7Yk2" && event.eventType == "video.generation.completed")
        let report = try #require(event.report)
        #expect(report.state == .succeeded)
        #expect(report.videoURL == "https://openrouter.ai/api/v1/videos/gen-vid-7Yk2/content?index=0")
        #expect(report.outputs?.count == 2)
        #expect(report.usage?["cost"]?.doubleValue == 1.6)
    }

    @Test("OpenRouter: a failed event carries the job's error; a cancelled or expired one ends the task too")
    func openRouterFailed() throws {
        let failed = try Self.event(OpenRouterVideosAdapter(),
            #"{"type":"video.generation.failed","data":{"id":"gen-vid-1","status":"failed","error":"Content flagged"}}"#)
        #expect(failed.report?.state == .failed && failed.report?.error?.message.contains("Content flagged") == true)
        for word in ["cancelled", "expired"] {
            let ended = try Self.event(OpenRouterVideosAdapter(),
                #"{"type":"video.generation.\#(word)","data":{"id":"gen-vid-2","status":"\#(word)"}}"#)
            #expect(ended.report?.state.isTerminal == true && ended.taskID == "gen-vid-2")
        }
        // A body that is the job itself (a gateway posting its status answer) is read as one.
        let bare = try Self.event(OpenRouterVideosAdapter(), #"{"id":"gen-vid-3","status":"in_progress"}"#)
        #expect(bare.report?.state == .running && bare.eventType == nil)
    }

    @Test("OpenRouter: an event without a job, or a job without an id, names no task")
    func openRouterUnreadable() {
        for body in [#"{"type":"video.generation.completed"}"#, #"{"type":"video.generation.completed","data":[1]}"#,
                     #"{"type":"video.generation.completed","data":{"status":"completed"}}"#, "[]"] {
            #expect(throws: VideoGenError.self) { try Self.event(OpenRouterVideosAdapter(), body) }
        }
    }

    @Test("Vidu: the callback is the creations answer (id, state, creations)")
    func vidu() throws {
        let body = #"""
        {"id":"812345678901234567","state":"success","err_code":"","credits":4,"payload":"",
        "creations":[{"id":"c0","url":"https://cdn.vidu.com/a.mp4","cover_url":"https://cdn.vidu.com/a.jpg","watermarked_url":""}]}
        """#
        let event = try Self.event(ViduAdapter(), body)
        #expect(event.taskID == "812345678901234567" && event.report?.state == .succeeded)
        #expect(event.report?.videoURL == "https://cdn.vidu.com/a.mp4")
        let failed = try Self.event(ViduAdapter(), #"{"id":"8","state":"failed","err_code":"CreationPolicyViolation","creations":[]}"#)
        #expect(failed.report?.state == .failed)
        #expect(throws: VideoGenError.self) { try Self.event(ViduAdapter(), #"{"state":"success","creations":[]}"#) }
    }

    @Test("Luma: the callback is the Generation object")
    func luma() throws {
        let body = #"""
        {"id":"0b1c6f0e-5a4e-4d3b-9d55-0e8e3b9f3c11","generation_type":"video","state":"completed","failure_reason":null,
        "created_at":"2026-12-02T05:00:00.000Z","model":"ray-2","assets":{"video":"https://storage.cdn-luma.com/v.mp4"},
        "request":{"prompt":"a fox"}}
        """#
        let event = try Self.event(LumaAdapter(), body)
        #expect(event.taskID == "0b1c6f0e-5a4e-4d3b-9d55-0e8e3b9f3c11" && event.report?.state == .succeeded)
    }

    @Test("Ark: the callback is the task object")
    func ark() throws {
        let body = #"""
        {"id":"cgt-20261202050000-abcde","model":"doubao-seedance-1-0-pro-250528","status":"succeeded",
        "content":{"video_url":"https://ark-content.example/v.mp4"},"usage":{"completion_tokens":108900,"total_tokens":108900},
        "created_at":1764651600,"updated_at":1764651660}
        """#
        let event = try Self.event(ArkAdapter(), body)
        #expect(event.taskID == "cgt-20261202050000-abcde" && event.report?.state == .succeeded)
        let running = try Self.event(ArkAdapter(), #"{"id":"cgt-1","status":"running"}"#)
        #expect(running.report?.state == .running)
    }

    @Test("MiniMax: the query answer's shape (v1 and v2); its verification challenge names no task")
    func miniMax() throws {
        let v1 = try Self.event(MiniMaxAdapter(),
            #"{"task_id":"106916112212032","status":"Processing","file_id":"","base_resp":{"status_code":0,"status_msg":"success"}}"#)
        #expect(v1.taskID == "106916112212032" && v1.report?.state == .running)
        let v2 = try Self.event(MiniMaxAdapter(), #"{"task":{"id":"106916112212033","status":"queued"}}"#)
        #expect(v2.taskID == "106916112212033")
        #expect(throws: VideoGenError.self) { try Self.event(MiniMaxAdapter(), #"{"challenge":"1a3cs1j-601a118y"}"#) }
    }

    @Test("a signed OpenRouter event and an unsigned Luma post, applied by a client: applied with its state / hint only")
    func applied() throws {
        let body = #"{"type":"video.generation.completed","data":{"id":"gen-vid-9","status":"completed","unsigned_urls":["/api/v1/videos/gen-vid-9/content?index=0"]}}"#
        let mac = WebhookCrypto.hmacSHA256(key: Array("s3cret".utf8), data: Array("1767000000,\(body)".utf8))!
        let delivery = WebhookDelivery(headers: [("X-OpenRouter-Signature", "t=1767000000,v1=\(WebhookEncoding.hexString(mac))"),
                                                 ("X-OpenRouter-Idempotency-Key", "idem-1")], body: Data(body.utf8))
        let openrouter = VideoGenClient(configuration: try TestConfig.make(.openrouter), transport: FakeTransport([]))
        let outcome = try openrouter.applyWebhook(delivery, verifier: WebhookVerifier(scheme: .openrouter, secret: "s3cret",
                                                                                     clock: { 1_767_000_000 }))
        #expect(outcome.kind == .unwatched && outcome.state == .succeeded && outcome.taskID == "gen-vid-9")
        #expect(outcome.eventType == "video.generation.completed" && outcome.verified.deliveryID == "idem-1")

        let luma = VideoGenClient(configuration: try TestConfig.make(.luma), transport: FakeTransport([]))
        let post = WebhookDelivery(headers: [], body: Data(#"{"id":"g1","state":"completed","assets":{"video":"https://x/v.mp4"}}"#.utf8))
        let hint = try luma.applyWebhook(post, verifier: WebhookVerifier(scheme: .unsigned, acceptUnsigned: true))
        #expect(hint.state == nil && hint.taskID == "g1" && !hint.verified.signed)
        #expect(throws: WebhookRefusal.self) { try luma.applyWebhook(post, verifier: WebhookVerifier(scheme: .unsigned)) }
    }
}

/// The Gemini API's project webhooks, and the dialects that take no per-request callback.
@Suite("webhook payload mapping: Gemini API; callback_url refused where there is no per-request webhook")
struct WebhookRequestSideTests {
    @Test("Gemini API: the video.generated envelope is a hint about data.id; an operation is read as a status")
    func gemini() throws {
        let base = URL(string: "https://generativelanguage.googleapis.com")!
        let envelope = #"""
        {"type":"video.generated","version":"v1","timestamp":"2026-12-02T05:00:00Z",
        "data":{"id":"models/veo-3.1-generate-preview/operations/op1","output_file_uri":"https://generativelanguage.googleapis.com/v1beta/files/f1","file_name":"files/f1"}}
        """#
        let hint = try GeminiVeoAdapter().webhookEvent(body: Data(envelope.utf8), baseURL: base)
        #expect(hint.taskID == "models/veo-3.1-generate-preview/operations/op1" && hint.report == nil)
        #expect(hint.eventType == "video.generated")
        let operation = #"{"name":"models/veo-3.1-generate-preview/operations/op2","done":false}"#
        let status = try GeminiVeoAdapter().webhookEvent(body: Data(operation.utf8), baseURL: base)
        #expect(status.taskID == "models/veo-3.1-generate-preview/operations/op2" && status.report?.state == .running)
        #expect(throws: VideoGenError.self) {
            try GeminiVeoAdapter().webhookEvent(body: Data(#"{"type":"video.generated","data":{}}"#.utf8), baseURL: base)
        }
    }

    @Test("callback_url is refused by name where the service takes no per-request webhook",
          arguments: [Dialect.gemini, .vertex, .runway, .dashscope, .openai])
    func refusedByName(_ dialect: Dialect) throws {
        let configuration = try TestConfig.make(dialect)
        var request = VideoRequest(model: "m", prompt: "a fox")
        request.callbackURL = "https://hooks.example.com/cb"
        let error = #expect(throws: VideoGenError.self) {
            _ = try configuration.adapter.submitRequest(request, baseURL: configuration.baseURL)
        }
        #expect(error?.code == .unsupported)
        #expect(error?.message.contains("'callback_url'") == true, "\(String(describing: error?.message))")
    }
}
