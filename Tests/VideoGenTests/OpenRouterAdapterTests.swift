import Foundation
import Testing
@testable import VideoGen

@Suite("openrouter dialect adapter")
struct OpenRouterAdapterTests {
    let adapter = OpenRouterVideosAdapter()
    let base = URL(string: "https://openrouter.ai")!

    static let fixtures: [StatusFixture] = [
        .init(name: "pending", body: #"{"id":"gen-vid-1-a","polling_url":"/api/v1/videos/gen-vid-1-a","status":"pending"}"#,
              state: .queued, progress: nil, url: nil, errorMessage: nil),
        .init(name: "in_progress", body: #"{"id":"gen-vid-1-a","polling_url":"/api/v1/videos/gen-vid-1-a","status":"in_progress","generation_id":"gen-1"}"#,
              state: .running, progress: nil, url: nil, errorMessage: nil),
        .init(name: "completed: the unsigned URL wins", body: #"{"id":"gen-vid-1-a","polling_url":"/api/v1/videos/gen-vid-1-a","status":"completed","unsigned_urls":["https://openrouter.ai/api/v1/videos/gen-vid-1-a/content?index=0"],"urls":["https://storage.example.com/x.mp4?sig=s"],"expires_at":1800000000,"usage":{"cost":0.5,"is_byok":false}}"#,
              state: .succeeded, progress: 100, url: "https://openrouter.ai/api/v1/videos/gen-vid-1-a/content?index=0", errorMessage: nil),
        .init(name: "completed with signed URLs only", body: #"{"id":"gen-vid-1-a","polling_url":"p","status":"completed","urls":["https://storage.example.com/x.mp4?sig=s"]}"#,
              state: .succeeded, progress: 100, url: "https://storage.example.com/x.mp4?sig=s", errorMessage: nil),
        .init(name: "failed with the error text", body: #"{"id":"gen-vid-1-a","polling_url":"p","status":"failed","error":"Provider returned error"}"#,
              state: .failed, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "Provider returned error"),
        .init(name: "failed by a safety system", body: #"{"id":"gen-vid-1-a","polling_url":"p","status":"failed","error":"rejected by the safety system"}"#,
              state: .failed, progress: nil, url: nil, errorCode: .contentPolicy, errorMessage: "rejected by the safety system"),
        .init(name: "cancelled", body: #"{"id":"gen-vid-1-a","polling_url":"p","status":"cancelled"}"#,
              state: .cancelled, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "the task ended cancelled without a reason"),
        .init(name: "expired", body: #"{"id":"gen-vid-1-a","polling_url":"p","status":"expired"}"#,
              state: .expired, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "the task ended expired without a reason"),
    ]

    @Test("every status shape", arguments: fixtures)
    func status(_ fixture: StatusFixture) throws {
        try fixture.check(adapter, taskID: "gen-vid-1-a", baseURL: base, expectedID: "gen-vid-1-a")
    }

    @Test("several outputs, expiry and usage")
    func outputs() throws {
        let body = #"{"id":"j","polling_url":"p","status":"completed","unsigned_urls":["https://openrouter.ai/api/v1/videos/j/content?index=0","https://openrouter.ai/api/v1/videos/j/content?index=1"],"expires_at":1800000000,"usage":{"cost":0.64,"is_byok":true}}"#
        let report = try adapter.parseStatus(.json(200, body), taskID: "j", baseURL: base)
        #expect(report.outputs?.count == 2)
        #expect(report.outputs?[1] == "https://openrouter.ai/api/v1/videos/j/content?index=1")
        #expect(report.expiresAt == 1_800_000_000)
        #expect(report.usage == ["cost": 0.64, "is_byok": true])
    }

    @Test("content URLs given as paths are on the service's origin")
    func relativeURLs() throws {
        let body = #"{"id":"j","polling_url":"/api/v1/videos/j","status":"completed","unsigned_urls":["/api/v1/videos/j/content?index=0"]}"#
        let mirror = URL(string: "http://[::1]:8080/openrouter")!
        let report = try adapter.parseStatus(.json(200, body), taskID: "j", baseURL: mirror)
        #expect(report.videoURL == "http://[::1]:8080/api/v1/videos/j/content?index=0")
    }

    @Test("the submit body: frames, references, fields, extra")
    func submitBody() throws {
        var request = VideoRequest(model: "google/veo-3.1", prompt: "a beach")
        request.image = .url("https://i.example.com/first.png")
        request.imageTail = .url("https://i.example.com/last.png")
        request.images = [.url("https://i.example.com/ref.png")]
        request.duration = 8; request.aspectRatio = "16:9"; request.resolution = "720p"; request.seed = 42
        request.callbackURL = "https://hooks.example.com/or"
        request.extra = ["generate_audio": true]
        let http = try adapter.submitRequest(request, baseURL: base)
        #expect(http.method == "POST" && http.url.absoluteString == "https://openrouter.ai/api/v1/videos")
        let body = try JSONValue.parse(http.body!)
        #expect(body["frame_images"] == [
            ["type": "image_url", "image_url": ["url": "https://i.example.com/first.png"], "frame_type": "first_frame"],
            ["type": "image_url", "image_url": ["url": "https://i.example.com/last.png"], "frame_type": "last_frame"],
        ])
        #expect(body["input_references"] == [["type": "image_url", "image_url": ["url": "https://i.example.com/ref.png"]]])
        #expect(body["duration"] == 8 && body["aspect_ratio"] == "16:9" && body["resolution"] == "720p" && body["seed"] == 42)
        #expect(body["callback_url"] == "https://hooks.example.com/or" && body["generate_audio"] == true)
    }

    @Test("unsupported fields are refused by name", arguments: ["negative_prompt", "n", "fps", "watermark", "metadata"])
    func refused(_ field: String) {
        var request = VideoRequest(model: "m", prompt: "p")
        switch field {
        case "negative_prompt": request.negativePrompt = "x"
        case "n": request.n = 2
        case "fps": request.fps = 24
        case "watermark": request.watermark = true
        default: request.metadata = ["a": 1]
        }
        #expect { try adapter.submitRequest(request, baseURL: base) } throws: {
            ($0 as? VideoGenError)?.code == .unsupported && ($0 as? VideoGenError)?.message.contains("'\(field)'") == true
        }
    }

    @Test("no cancel; the status route")
    func routes() {
        #expect(adapter.cancelRequest(taskID: "j", baseURL: base) == nil)
        #expect(adapter.statusRequest(taskID: "gen-vid-1-a", baseURL: base)?.url.absoluteString == "https://openrouter.ai/api/v1/videos/gen-vid-1-a")
    }

    @Test("OpenRouter errors", arguments: [
        (401, #"{"error":{"code":401,"message":"No auth credentials found"}}"#, VideoGenError.Code.auth),
        (402, #"{"error":{"code":402,"message":"Insufficient credits"}}"#, .quota),
        (429, #"{"error":{"code":429,"message":"Rate limit exceeded"}}"#, .rateLimited),
        (403, #"{"error":{"code":403,"message":"Your input was flagged for \"violence\"","metadata":{"reasons":["violence"]}}}"#, .contentPolicy),
        (403, #"{"error":{"code":403,"message":"Key disabled"}}"#, .permission),
        (404, #"{"error":{"code":404,"message":"Video generation job not found"}}"#, .notFound),
    ])
    func errors(_ status: Int, _ body: String, _ code: VideoGenError.Code) {
        #expect(adapter.error(from: .json(status, body)).code == code)
    }
}
