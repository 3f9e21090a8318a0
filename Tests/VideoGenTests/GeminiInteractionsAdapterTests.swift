import Foundation
import Testing
@testable import VideoGen

/// The Gemini Interactions adapter against recorded-shape bodies (google-genai 3.6.1's generated `Interaction`,
/// `ModelOutputStep`, `VideoContent`, `CreateModelInteraction` types): the create body, refused fields, every
/// interaction status, where the video is (inline `data`, `uri`, `output_video`), errors, cancel, the embedded
/// download's decoding, and the configuration (a dialect of the `gemini` preset).
@Suite("gemini interactions adapter")
struct GeminiInteractionsAdapterTests {
    let adapter = GeminiInteractionsAdapter()
    let base = URL(string: "https://generativelanguage.googleapis.com")!
    static let id = "v1_ChdUZ2hBYUlDYU9QbWI"
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
    static let video = Data("....ftypisom fake mp4 bytes".utf8)

    static func interaction(_ status: String, _ rest: String = "") -> String {
        #"{"id":"\#(id)","model":"gemini-omni-flash-preview","status":"\#(status)","created":"2026-12-02T05:00:00Z","updated":"2026-12-02T05:01:00Z"\#(rest)}"#
    }

    static let steps = #","steps":[{"type":"user_input","content":[{"type":"text","text":"a fox"}]},{"type":"model_output","content":[{"type":"text","text":"Here it is."},{"type":"video","mime_type":"video/mp4","data":"\#(video.base64EncodedString())"}]}],"usage":{"total_tokens":5412}"#

    static let fixtures: [StatusFixture] = [
        .init(name: "queued", body: interaction("queued"), state: .queued, progress: nil, url: nil, errorMessage: nil),
        .init(name: "in progress", body: interaction("in_progress"), state: .running, progress: nil, url: nil, errorMessage: nil),
        .init(name: "completed, video inline", body: interaction("completed", steps),
              state: .succeeded, progress: 100, url: "inline:interaction/videos/0", errorMessage: nil),
        .init(name: "completed, video at a uri", body: interaction("completed", #","steps":[{"type":"model_output","content":[{"type":"video","uri":"https://generativelanguage.googleapis.com/v1beta/files/abc:download?alt=media","mime_type":"video/mp4"}]}]"#),
              state: .succeeded, progress: 100, url: "https://generativelanguage.googleapis.com/v1beta/files/abc:download?alt=media", errorMessage: nil),
        .init(name: "completed, output_video only", body: interaction("completed", #","output_video":{"type":"video","uri":"https://cdn.example/v.mp4"}"#),
              state: .succeeded, progress: 100, url: "https://cdn.example/v.mp4", errorMessage: nil),
        .init(name: "completed without a video", body: interaction("completed", #","steps":[{"type":"model_output","content":[{"type":"text","text":"I cannot."}]}]"#),
              state: .failed, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "the interaction completed without a video"),
        .init(name: "failed with errors", body: interaction("failed", #","errors":[{"code":"INTERNAL","message":"Video generation failed."}]"#),
              state: .failed, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "Video generation failed."),
        .init(name: "failed by the safety filters", body: interaction("failed", #","errors":[{"code":"SAFETY","message":"The request was blocked."}]"#),
              state: .failed, progress: nil, url: nil, errorCode: .contentPolicy, errorMessage: "The request was blocked."),
        .init(name: "failed, the step's google.rpc.Status", body: interaction("failed", #","steps":[{"type":"model_output","error":{"code":3,"message":"bad input image"}}]"#),
              state: .failed, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "bad input image"),
        .init(name: "cancelled", body: interaction("cancelled"), state: .cancelled, progress: nil, url: nil,
              errorMessage: "the task ended cancelled without a reason"),
        .init(name: "budget exceeded", body: interaction("budget_exceeded"), state: .failed, progress: nil, url: nil,
              errorCode: .taskFailed, errorMessage: "the task ended failed without a reason"),
        .init(name: "incomplete", body: interaction("incomplete", #","errors":[{"code":"MAX_TOKENS","message":"ran out"}]"#),
              state: .failed, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "ran out"),
        .init(name: "requires_action cannot be continued", body: interaction("requires_action"), state: .failed, progress: nil, url: nil,
              errorCode: .taskFailed, errorMessage: "the interaction stopped 'requires_action', which a video generation through videogen cannot continue"),
    ]

    @Test("interaction answers", arguments: fixtures)
    func status(_ fixture: StatusFixture) throws {
        try fixture.check(adapter, taskID: Self.id, baseURL: base, expectedID: Self.id)
    }

    @Test("provider codes, usage, several videos, and the last model output's videos first (google-genai's output_video)")
    func details() throws {
        let budget = try adapter.parseStatus(.json(200, Self.interaction("budget_exceeded")), taskID: Self.id, baseURL: base)
        #expect(budget.error?.providerCode == "budget_exceeded" && budget.providerStatus == "budget_exceeded")
        let safety = try adapter.parseStatus(.json(200, Self.fixtures[7].body), taskID: Self.id, baseURL: base)
        #expect(safety.error?.providerCode == "SAFETY")
        let step = try adapter.parseStatus(.json(200, Self.fixtures[8].body), taskID: Self.id, baseURL: base)
        #expect(step.error?.providerCode == "INVALID_ARGUMENT")
        let done = try adapter.parseStatus(.json(200, Self.fixtures[2].body), taskID: Self.id, baseURL: base)
        #expect(done.usage == ["total_tokens": 5412] && done.model == "gemini-omni-flash-preview")
        let two = Self.interaction("completed", #","steps":[{"type":"model_output","content":[{"type":"video","uri":"https://x/older.mp4"}]},{"type":"user_input","content":[]},{"type":"model_output","content":[{"type":"video","uri":"https://x/first.mp4"},{"type":"video","data":"AAAA"}]}]"#)
        let report = try adapter.parseStatus(.json(200, two), taskID: Self.id, baseURL: base)
        // Only the model output after the last user input counts; within it, the last video first (as the SDK).
        #expect(report.videoURL == "inline:interaction/videos/0")
        #expect(report.outputs == ["inline:interaction/videos/0", "https://x/first.mp4"])
    }

    @Test("answers that are not interactions are protocol errors")
    func malformed() {
        for body in [#"[]"#, #"{"status":"queued"}"#, #"{"id":"x"}"#, #"{"id":"x","status":"dreaming"}"#,
                     Self.interaction("completed", #","steps":[{"type":"model_output","content":[{"type":"video"}]}]"#)] {
            let error = #expect(throws: VideoGenError.self) { try adapter.parseStatus(.json(200, body), taskID: Self.id, baseURL: base) }
            #expect(error?.code == .protocolError, "\(body)")
        }
    }

    @Test("create: POST /v1/interactions, background, the prompt as input, the video response format, the seed")
    func submit() throws {
        var request = VideoRequest(model: "gemini-omni-flash-preview", prompt: "a fox")
        request.aspectRatio = "9:16"; request.resolution = "1080p"; request.duration = 8; request.seed = 42
        let http = try adapter.submitRequest(request, baseURL: base)
        #expect(http.method == "POST" && http.url.absoluteString == "https://generativelanguage.googleapis.com/v1/interactions")
        let body = try JSONValue.parse(http.body!)
        #expect(body == ["model": "gemini-omni-flash-preview", "input": "a fox", "background": true,
                         "response_format": ["type": "video", "aspect_ratio": "9:16", "resolution": "1080p", "duration": "8s"],
                         "generation_config": ["seed": 42]])
        let plain = try JSONValue.parse(try adapter.submitRequest(VideoRequest(model: "models/gemini-omni-flash-preview", prompt: "p"), baseURL: base).body!)
        #expect(plain == ["model": "gemini-omni-flash-preview", "input": "p", "background": true, "response_format": ["type": "video"]])
        let answer = try adapter.parseSubmit(.json(200, Self.interaction("queued")), baseURL: base)
        #expect(answer.id == Self.id && answer.state == .queued)
        let refused = #expect(throws: VideoGenError.self) { try adapter.parseSubmit(.json(200, #"{"status":"queued"}"#), baseURL: base) }
        #expect(refused?.code == .protocolError)
    }

    @Test("images: a first frame (image_to_video) or references (reference_to_video) as image blocks; URLs refused")
    func images() throws {
        var request = VideoRequest(model: "gemini-omni-flash-preview", prompt: "animate")
        request.image = .bytes(Self.png, mimeType: "image/png")
        var body = try JSONValue.parse(try adapter.submitRequest(request, baseURL: base).body!)
        #expect(body["input"] == [["type": "text", "text": "animate"],
                                  ["type": "image", "data": .string(Self.png.base64EncodedString()), "mime_type": "image/png"]])
        #expect(body["generation_config"] == ["video_config": ["task": "image_to_video"]])
        request.image = nil
        request.images = [.bytes(Self.png, mimeType: "image/png"), .bytes(Self.png, mimeType: "image/png")]
        body = try JSONValue.parse(try adapter.submitRequest(request, baseURL: base).body!)
        #expect(body["input"]?.arrayValue?.count == 3)
        #expect(body["generation_config"]?["video_config"]?["task"] == "reference_to_video")
        request.image = .bytes(Self.png, mimeType: "image/png")
        let both = #expect(throws: VideoGenError.self) { try adapter.submitRequest(request, baseURL: base) }
        #expect(both?.code == .invalidArgument && both?.message.contains("'images'") == true)
        var url = VideoRequest(model: "gemini-omni-flash-preview", prompt: "p")
        url.image = .url("https://img.example.com/a.png")
        let refused = #expect(throws: VideoGenError.self) { try adapter.submitRequest(url, baseURL: base) }
        #expect(refused?.code == .unsupported && refused?.message.contains("'image'") == true)
    }

    @Test("extra: new members verbatim, members of objects already sent merged, collisions refused by name")
    func extra() throws {
        var request = VideoRequest(model: "gemini-omni-flash-preview", prompt: "p")
        request.aspectRatio = "16:9"
        request.extra = ["response_format": ["delivery": "uri"], "store": false, "generation_config": ["temperature": 0.5]]
        let body = try JSONValue.parse(try adapter.submitRequest(request, baseURL: base).body!)
        #expect(body["response_format"] == ["type": "video", "aspect_ratio": "16:9", "delivery": "uri"])
        #expect(body["store"] == false && body["generation_config"] == ["temperature": 0.5])
        request.extra = ["response_format": ["aspect_ratio": "9:16"]]
        let member = #expect(throws: VideoGenError.self) { try adapter.submitRequest(request, baseURL: base) }
        #expect(member?.message.contains("'response_format.aspect_ratio'") == true)
        request.extra = ["background": false]
        let top = #expect(throws: VideoGenError.self) { try adapter.submitRequest(request, baseURL: base) }
        #expect(top?.message.contains("'background'") == true)
        request.extra = nil
        request.model = "models/a/b"
        #expect(throws: VideoGenError.self) { try adapter.submitRequest(request, baseURL: base) }
    }

    @Test("fields refused by name", arguments: ["negative_prompt", "image_tail", "n", "fps", "size", "watermark",
                                                "callback_url", "metadata", "input_reference", "mode", "external_task_id"])
    func refused(_ field: String) throws {
        var request = VideoRequest(model: "gemini-omni-flash-preview", prompt: "p")
        switch field {
        case "negative_prompt": request.negativePrompt = "blur"
        case "image_tail": request.imageTail = .bytes(Self.png, mimeType: "image/png")
        case "n": request.n = 2
        case "fps": request.fps = 24
        case "size": request.size = "1280x720"
        case "watermark": request.watermark = true
        case "callback_url": request.callbackURL = "https://x.example/cb"
        case "metadata": request.metadata = ["a": "b"]
        case "input_reference": request.inputReference = .bytes(Self.png, mimeType: "image/png")
        case "external_task_id": request.externalTaskID = "mine-1"
        default: request.mode = "pro"
        }
        let error = #expect(throws: VideoGenError.self) { try adapter.submitRequest(request, baseURL: base) }
        #expect(error?.code == .unsupported && error?.message.contains("'\(field)'") == true, "\(error?.message ?? "")")
    }

    @Test("status and cancel requests; ids that are not one path segment get none")
    func requests() throws {
        let status = try #require(adapter.statusRequest(taskID: Self.id, baseURL: base))
        #expect(status.method == "GET" && status.url.absoluteString == "https://generativelanguage.googleapis.com/v1/interactions/\(Self.id)")
        let cancel = try #require(adapter.cancelRequest(taskID: Self.id, baseURL: base))
        #expect(cancel.method == "POST" && cancel.url.absoluteString.hasSuffix("/v1/interactions/\(Self.id)/cancel") && cancel.body == nil)
        for bad in ["", "..", "a\nb"] {
            #expect(adapter.statusRequest(taskID: bad, baseURL: base) == nil)
            #expect(adapter.cancelRequest(taskID: bad, baseURL: base) == nil)
        }
        let auth = adapter.authenticator(key: APIKey("AIza-k"))
        #expect(try auth.headers(now: 0)?.first?.0 == "x-goog-api-key")
    }

    @Test("the inline video is fetched by asking the interaction again and decoded; nothing for a uri")
    func embedded() throws {
        var task = TaskSnapshot(id: Self.id, dialect: "gemini_interactions", baseURL: base.absoluteString)
        task.videoURL = "inline:interaction/videos/0"
        let embedded = try #require(try adapter.embeddedVideo(for: task, baseURL: base))
        #expect(embedded.request.url.absoluteString.hasSuffix("/v1/interactions/\(Self.id)"))
        #expect(try embedded.decode(.json(200, Self.fixtures[2].body)) == Self.video)
        let running = #expect(throws: VideoGenError.self) { try embedded.decode(.json(200, Self.interaction("in_progress"))) }
        #expect(running?.code == .protocolError)
        let gone = #expect(throws: VideoGenError.self) { try embedded.decode(.json(200, Self.interaction("completed"))) }
        #expect(gone?.code == .notReady)
        let broken = Self.interaction("completed", #","steps":[{"type":"model_output","content":[{"type":"video","data":"%%%"}]}]"#)
        #expect(throws: VideoGenError.self) { try embedded.decode(.json(200, broken)) }
        task.videoURL = "inline:interaction/videos/x"
        #expect(throws: VideoGenError.self) { try adapter.embeddedVideo(for: task, baseURL: base) }
        task.videoURL = "https://x/v.mp4"
        #expect(try adapter.embeddedVideo(for: task, baseURL: base) == nil)
    }

    @Test("errors in Google's shape: API_KEY_INVALID is auth, RESOURCE_EXHAUSTED rate limited, NOT_FOUND not found")
    func errors() {
        let invalid = adapter.error(from: .json(400, #"{"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT","details":[{"reason":"API_KEY_INVALID"}]}}"#))
        #expect(invalid.code == .auth && invalid.providerCode == "API_KEY_INVALID")
        #expect(adapter.error(from: .json(429, #"{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}"#)).code == .rateLimited)
        #expect(adapter.error(from: .json(404, #"{"error":{"code":404,"message":"Interaction x not found.","status":"NOT_FOUND"}}"#)).code == .notFound)
    }

    @Test("configuration: a dialect of the gemini preset, 64 MiB answers; Vertex fields refused")
    func configuration() throws {
        let config = try ClientConfiguration(json: JSONValue.parse(#"{"provider":"gemini","dialect":"gemini_interactions","api_key":"AIza-k"}"#), environment: [:])
        #expect(config.dialect == .geminiInteractions && config.baseURL.absoluteString == "https://generativelanguage.googleapis.com")
        #expect(config.maxResponseBytes == 64 * 1024 * 1024 && config.adapter is GeminiInteractionsAdapter)
        let lowered = try ClientConfiguration(json: JSONValue.parse(#"{"dialect":"gemini_interactions","base_url":"https://g.example","api_key":"k","max_response_bytes":2048}"#), environment: [:])
        #expect(lowered.maxResponseBytes == 2048)
        let veo = try ClientConfiguration(json: JSONValue.parse(#"{"provider":"gemini","api_key":"AIza-k"}"#), environment: [:])
        #expect(veo.dialect == .gemini)
        let project = #expect(throws: VideoGenError.self) {
            try ClientConfiguration(json: JSONValue.parse(#"{"provider":"gemini","dialect":"gemini_interactions","api_key":"k","project":"p"}"#), environment: [:])
        }
        #expect(project?.code == .unsupported && project?.message.contains("'project'") == true)
    }
}
