import Foundation
import Testing
@testable import VideoGen

@Suite("vidu dialect adapter")
struct ViduAdapterTests {
    let adapter = ViduAdapter()
    let base = URL(string: "https://api.vidu.com")!

    static let fixtures: [StatusFixture] = [
        .init(name: "created", body: #"{"id":"v1","state":"created","err_code":"","credits":0,"payload":"","creations":[]}"#,
              state: .queued, progress: nil, url: nil, errorMessage: nil),
        .init(name: "queueing", body: #"{"id":"v1","state":"queueing","err_code":"","creations":[]}"#,
              state: .queued, progress: nil, url: nil, errorMessage: nil),
        .init(name: "processing", body: #"{"id":"v1","state":"processing","err_code":"","creations":[]}"#,
              state: .running, progress: nil, url: nil, errorMessage: nil),
        .init(name: "success", body: #"{"id":"v1","state":"success","err_code":"","credits":4,"payload":"","creations":[{"id":"c1","url":"https://cdn.vidu.com/v.mp4","cover_url":"https://cdn.vidu.com/c.jpg","watermarked_url":""}]}"#,
              state: .succeeded, progress: 100, url: "https://cdn.vidu.com/v.mp4", errorMessage: nil),
        .init(name: "failed with a policy code", body: #"{"id":"v1","state":"failed","err_code":"CreationPolicyViolation","creations":[]}"#,
              state: .failed, progress: nil, url: nil, errorCode: .contentPolicy, errorMessage: "Vidu reported CreationPolicyViolation"),
        .init(name: "failed with another code", body: #"{"id":"v1","state":"failed","err_code":"ModelUnavailable","creations":[]}"#,
              state: .failed, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "Vidu reported ModelUnavailable"),
        .init(name: "failed without a code", body: #"{"id":"v1","state":"failed","err_code":"","creations":[]}"#,
              state: .failed, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "the task ended failed without a reason"),
        .init(name: "cancelled by its owner", body: #"{"id":"v1","state":"failed","err_code":"UserCancelled","creations":[]}"#,
              state: .cancelled, progress: nil, url: nil, errorCode: .cancelled, errorMessage: "the task was cancelled on the service"),
        .init(name: "success without creations", body: #"{"id":"v1","state":"success","err_code":"","creations":[]}"#,
              state: .failed, progress: 100, url: nil, errorCode: .taskFailed, errorMessage: "the service reported the task finished but returned no video"),
    ]

    @Test("every status shape", arguments: fixtures)
    func status(_ fixture: StatusFixture) throws {
        try fixture.check(adapter, taskID: "v1", baseURL: base, expectedID: "v1")
    }

    @Test("several creations are outputs; the first cover is a link; credits are the usage")
    func creations() throws {
        let body = #"{"id":"v1","state":"success","err_code":"","credits":8,"creations":[{"id":"a","url":"https://cdn.vidu.com/a.mp4","cover_url":"https://cdn.vidu.com/a.jpg"},{"id":"b","url":"https://cdn.vidu.com/b.mp4","cover_url":"https://cdn.vidu.com/b.jpg"}]}"#
        let report = try adapter.parseStatus(.json(200, body), taskID: "v1", baseURL: base)
        #expect(report.outputs == ["https://cdn.vidu.com/a.mp4", "https://cdn.vidu.com/b.mp4"])
        #expect(report.videoURL == "https://cdn.vidu.com/a.mp4")
        #expect(report.links == [ViduAdapter.coverLink: "https://cdn.vidu.com/a.jpg"])
        #expect(report.usage == ["credits": 8])
        let snapshot = TaskSnapshot(id: "v1", dialect: "vidu", baseURL: base.absoluteString).applying(report, at: 1)
        #expect(adapter.assetURL(of: snapshot, variant: .thumbnail) == "https://cdn.vidu.com/a.jpg")
        #expect(adapter.assetURL(of: snapshot, variant: .spritesheet) == nil)
        #expect(try VideoGenClient.outputURL(of: snapshot, index: 1) == "https://cdn.vidu.com/b.mp4")
        #expect { try VideoGenClient.outputURL(of: snapshot, index: 2) } throws: {
            ($0 as? VideoGenError)?.code == .invalidArgument && ($0 as? VideoGenError)?.message.contains("2 outputs") == true
        }
        // The record keeps the cover and the outputs for a later process.
        let record = try TaskSnapshot(json: snapshot.json)
        #expect(record.links == snapshot.links)
        #expect(record.outputs == snapshot.outputs)
    }

    @Test("the submit answer")
    func submitAnswer() throws {
        let report = try adapter.parseSubmit(.json(200, #"{"task_id":"8123","state":"created","model":"viduq2","prompt":"p","credits":4,"created_at":"2025-01-01T15:41:31.968916Z"}"#), baseURL: base)
        #expect(report.id == "8123")
        #expect(report.state == .queued)
        #expect(report.model == "viduq2")
        #expect(abs((report.createdAt ?? 0) - 1_735_746_091.968916) < 0.0001)
    }

    @Test("routes by images: text, first frame, first and last, references", arguments: [
        (0, "/ent/v2/text2video", 0), (1, "/ent/v2/img2video", 1), (2, "/ent/v2/start-end2video", 2), (3, "/ent/v2/reference2video", 3),
    ])
    func routes(_ kind: Int, _ path: String, _ count: Int) throws {
        var request = VideoRequest(model: "viduq2", prompt: "a cat")
        switch kind {
        case 1: request.image = .url("https://i.example.com/1.png")
        case 2: request.image = .url("https://i.example.com/1.png"); request.imageTail = .url("https://i.example.com/2.png")
        case 3: request.images = (1...3).map { .url("https://i.example.com/\($0).png") }
        default: break
        }
        request.duration = 5; request.seed = 3; request.resolution = "720p"; request.watermark = true
        if kind == 0 || kind == 3 { request.aspectRatio = "16:9" }
        request.callbackURL = "https://hooks.example.com/vidu"; request.extra = ["movement_amplitude": "auto", "bgm": false]
        let http = try adapter.submitRequest(request, baseURL: base)
        #expect(http.url.path == path)
        let body = try JSONValue.parse(http.body!)
        #expect((body["images"]?.arrayValue?.count ?? 0) == count)
        #expect(body["duration"] == 5 && body["seed"] == 3 && body["resolution"] == "720p")
        #expect(body["aspect_ratio"] == (kind == 0 || kind == 3 ? "16:9" : nil))
        #expect(body["watermark"] == true && body["callback_url"] == "https://hooks.example.com/vidu")
        #expect(body["movement_amplitude"] == "auto" && body["bgm"] == false)
    }

    @Test("the frame routes take the frame's aspect ratio: 'aspect_ratio' is refused by name there")
    func frameAspectRatio() {
        var request = VideoRequest(model: "viduq2", prompt: "p")
        request.image = .url("https://i.example.com/1.png")
        request.aspectRatio = "16:9"
        #expect { try adapter.submitRequest(request, baseURL: base) } throws: {
            ($0 as? VideoGenError)?.code == .unsupported && ($0 as? VideoGenError)?.message.contains("'aspect_ratio'") == true
        }
    }

    @Test("Token authorization")
    func authorization() throws {
        let headers = try adapter.authenticator(key: APIKey("vda_secret")).headers(now: 0)
        #expect(headers?.first?.name == "Authorization")
        #expect(headers?.first?.value == "Token vda_secret")
    }

    @Test("unsupported fields and image mixes are refused", arguments: ["negative_prompt", "n", "size", "metadata", "mix", "tail", "eight"])
    func refused(_ what: String) {
        var request = VideoRequest(model: "viduq2", prompt: "p")
        switch what {
        case "negative_prompt": request.negativePrompt = "x"
        case "n": request.n = 2
        case "size": request.size = "1280x720"
        case "metadata": request.metadata = ["a": 1]
        case "mix": request.image = .url("https://i.example.com/1.png"); request.images = [.url("https://i.example.com/2.png")]
        case "tail": request.imageTail = .url("https://i.example.com/2.png")
        default: request.images = (1...8).map { .url("https://i.example.com/\($0).png") }
        }
        #expect { try adapter.submitRequest(request, baseURL: base) } throws: { error in
            guard let error = error as? VideoGenError else { return false }
            return ["negative_prompt", "n", "size", "metadata"].contains(what)
                ? error.code == .unsupported && error.message.contains("'\(what)'") : error.code == .invalidArgument
        }
    }

    @Test("status and cancel requests")
    func requests() throws {
        #expect(adapter.statusRequest(taskID: "8123", baseURL: base)?.url.absoluteString == "https://api.vidu.com/ent/v2/tasks/8123/creations")
        let cancel = try #require(adapter.cancelRequest(taskID: "8123", baseURL: base))
        #expect(cancel.method == "POST" && cancel.url.absoluteString == "https://api.vidu.com/ent/v2/tasks/8123/cancel")
        #expect(try JSONValue.parse(cancel.body!) == ["id": "8123"])
    }

    @Test("Vidu error reasons", arguments: [
        (401, "Unauthorized", VideoGenError.Code.auth), (400, "CreditInsufficient", .quota), (400, "AuditSubmitIllegal", .contentPolicy),
        (400, "TaskPromptPolicyViolation", .contentPolicy), (429, "TooManyRequests", .rateLimited), (429, "SystemThrottling", .rateLimited),
        (404, "TaskNotFound", .notFound), (400, "FieldInvalid", .badRequest), (500, "InternalServiceFailure", .server),
    ])
    func errors(_ status: Int, _ reason: String, _ code: VideoGenError.Code) {
        let error = adapter.error(from: .json(status, #"{"code":\#(status),"reason":"\#(reason)","message":"m","metadata":{"trace_id":"x"}}"#))
        #expect(error.code == code)
        #expect(error.providerCode == reason)
    }
}
