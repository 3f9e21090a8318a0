import Foundation
import Testing
@testable import VideoGen

@Suite("dashscope dialect adapter")
struct DashScopeAdapterTests {
    let adapter = DashScopeAdapter()
    let base = URL(string: "https://dashscope-intl.aliyuncs.com")!

    static let fixtures: [StatusFixture] = [
        .init(name: "PENDING", body: #"{"request_id":"r","output":{"task_id":"t1","task_status":"PENDING","submit_time":"2025-07-27 21:05:15.212"}}"#,
              state: .queued, progress: nil, url: nil, errorMessage: nil),
        .init(name: "RUNNING", body: #"{"request_id":"r","output":{"task_id":"t1","task_status":"RUNNING","submit_time":"2025-07-27 21:05:15.212","scheduled_time":"2025-07-27 21:05:15.232"}}"#,
              state: .running, progress: nil, url: nil, errorMessage: nil),
        .init(name: "SUCCEEDED with usage", body: #"{"request_id":"r","output":{"task_id":"t1","task_status":"SUCCEEDED","submit_time":"2025-07-27 21:05:15.212","end_time":"2025-07-27 21:07:58.027","video_url":"https://dashscope-result.oss.aliyuncs.com/1d/x.mp4?Expires=1","orig_prompt":"cat","actual_prompt":"a white cat"},"usage":{"video_duration":5,"video_count":1,"SR":1080}}"#,
              state: .succeeded, progress: 100, url: "https://dashscope-result.oss.aliyuncs.com/1d/x.mp4?Expires=1", errorMessage: nil),
        .init(name: "FAILED with DataInspectionFailed is a content refusal", body: #"{"request_id":"r","output":{"task_id":"t1","task_status":"FAILED","code":"DataInspectionFailed","message":"Output data may contain inappropriate content."}}"#,
              state: .failed, progress: nil, url: nil, errorCode: .contentPolicy, errorMessage: "Output data may contain inappropriate content."),
        .init(name: "FAILED with another code", body: #"{"request_id":"r","output":{"task_id":"t1","task_status":"FAILED","code":"InternalError.Algo","message":"An error occurred in the algorithm."}}"#,
              state: .failed, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "An error occurred in the algorithm."),
        .init(name: "CANCELED", body: #"{"request_id":"r","output":{"task_id":"t1","task_status":"CANCELED"}}"#,
              state: .cancelled, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "the task ended cancelled without a reason"),
        .init(name: "UNKNOWN: no such task or past 24 hours", body: #"{"request_id":"r","output":{"task_id":"t1","task_status":"UNKNOWN"}}"#,
              state: .expired, progress: nil, url: nil, errorCode: .notFound,
              errorMessage: "DashScope knows no such task (UNKNOWN): the id is wrong, or the task is older than the 24 hours DashScope keeps it"),
        .init(name: "SUCCEEDED without a video", body: #"{"request_id":"r","output":{"task_id":"t1","task_status":"SUCCEEDED","video_url":""}}"#,
              state: .failed, progress: 100, url: nil, errorCode: .taskFailed, errorMessage: "the service reported the task finished but returned no video"),
    ]

    @Test("every status shape", arguments: fixtures)
    func status(_ fixture: StatusFixture) throws {
        try fixture.check(adapter, taskID: "t1", baseURL: base, expectedID: "t1")
    }

    @Test("usage and submit time are kept")
    func usageAndTime() throws {
        let report = try adapter.parseStatus(.json(200, Self.fixtures[2].body), taskID: "t1", baseURL: base)
        #expect(report.usage?["video_duration"] == .int(5))
        #expect(report.usage?["SR"] == .int(1080))
        // 2025-07-27 21:05:15.212 in UTC+8 is 13:05:15.212 UTC.
        #expect(abs((report.createdAt ?? 0) - 1_753_621_515.212) < 0.001)
    }

    @Test("submit: the async header, input and parameters, keyframes")
    func submitBody() throws {
        var request = VideoRequest(model: "wan2.2-kf2v-flash", prompt: "a cat")
        request.negativePrompt = "blur"
        request.image = .url("https://img.example.com/first.png")
        request.imageTail = .url("https://img.example.com/last.png")
        request.duration = 5; request.size = "1280x720"; request.seed = 7; request.watermark = false
        request.resolution = "720P"
        request.metadata = ["template": "flying"]
        request.extra = ["prompt_extend": false]
        let http = try adapter.submitRequest(request, baseURL: base)
        #expect(http.method == "POST")
        #expect(http.url.absoluteString == "https://dashscope-intl.aliyuncs.com/api/v1/services/aigc/video-generation/video-synthesis")
        #expect(http.headers.contains { $0.name == "X-DashScope-Async" && $0.value == "enable" })
        let body = try JSONValue.parse(http.body!)
        #expect(body["model"] == "wan2.2-kf2v-flash")
        #expect(body["input"] == ["prompt": "a cat", "negative_prompt": "blur", "first_frame_url": "https://img.example.com/first.png",
                                  "last_frame_url": "https://img.example.com/last.png", "template": "flying"])
        #expect(body["parameters"] == ["duration": 5, "size": "1280*720", "seed": 7, "watermark": false, "resolution": "720P",
                                       "prompt_extend": false])
        var single = VideoRequest(model: "wan2.2-i2v-plus", prompt: "go")
        single.image = .url("https://img.example.com/i.png")
        let singleBody = try JSONValue.parse(adapter.submitRequest(single, baseURL: base).body!)
        #expect(singleBody["input"]?["img_url"] == "https://img.example.com/i.png")
        #expect(singleBody["parameters"] == nil)
    }

    @Test("unsupported fields are refused by name", arguments: ["n", "fps", "aspect_ratio", "callback_url", "images"])
    func refused(_ field: String) {
        var request = VideoRequest(model: "wan2.2-t2v-plus", prompt: "p")
        switch field {
        case "n": request.n = 2
        case "fps": request.fps = 24
        case "aspect_ratio": request.aspectRatio = "16:9"
        case "callback_url": request.callbackURL = "https://h.example.com"
        default: request.images = [.url("https://i.example.com/a.png")]
        }
        #expect { try adapter.submitRequest(request, baseURL: base) } throws: { error in
            (error as? VideoGenError)?.code == .unsupported && (error as? VideoGenError)?.message.contains("'\(field)'") == true
        }
    }

    @Test("a last frame alone is refused")
    func lastFrameAlone() {
        var request = VideoRequest(model: "m", prompt: "p")
        request.imageTail = .url("https://i.example.com/a.png")
        #expect(throws: VideoGenError.self) { try adapter.submitRequest(request, baseURL: base) }
    }

    @Test("status and cancel routes")
    func routes() {
        #expect(adapter.statusRequest(taskID: "86ecf553-d340", baseURL: base)?.url.absoluteString == "https://dashscope-intl.aliyuncs.com/api/v1/tasks/86ecf553-d340")
        let cancel = adapter.cancelRequest(taskID: "86ecf553-d340", baseURL: base)
        #expect(cancel?.method == "POST")
        #expect(cancel?.url.absoluteString == "https://dashscope-intl.aliyuncs.com/api/v1/tasks/86ecf553-d340/cancel")
        #expect(adapter.statusRequest(taskID: "..", baseURL: base) == nil)
    }

    @Test("DashScope error codes", arguments: [
        (401, #"{"request_id":"r","code":"InvalidApiKey","message":"Invalid API-key provided."}"#, VideoGenError.Code.auth),
        (400, #"{"request_id":"r","code":"DataInspectionFailed","message":"Input data may contain inappropriate content."}"#, .contentPolicy),
        (429, #"{"request_id":"r","code":"Throttling.RateQuota","message":"Requests rate limit exceeded"}"#, .rateLimited),
        (400, #"{"request_id":"r","code":"Throttling.AllocationQuota","message":"Allocated quota exceeded"}"#, .rateLimited),
        (400, #"{"request_id":"r","code":"Arrearage","message":"Access denied, please make sure your account is in good standing."}"#, .quota),
        (400, #"{"request_id":"r","code":"InvalidParameter","message":"bad"}"#, .badRequest),
        (500, #"{"request_id":"r","code":"InternalError","message":"oops"}"#, .server),
    ])
    func errors(_ status: Int, _ body: String, _ code: VideoGenError.Code) {
        let error = adapter.error(from: .json(status, body))
        #expect(error.code == code)
        #expect(error.providerCode != nil)
    }

    @Test("a 200 answer with an error code and no output is that error")
    func disguisedError() {
        #expect { try adapter.parseSubmit(.json(200, #"{"request_id":"r","code":"InvalidParameter","message":"bad size"}"#), baseURL: base) }
            throws: { ($0 as? VideoGenError)?.code == .badRequest }
    }

    @Test("presets: international, US and Beijing hosts")
    func presets() throws {
        for (name, host) in [("dashscope", "https://dashscope-intl.aliyuncs.com"), ("dashscope-us", "https://dashscope-us.aliyuncs.com"),
                             ("dashscope-cn", "https://dashscope.aliyuncs.com")] {
            let configuration = try ClientConfiguration(json: JSONValue.parse(#"{"provider":"\#(name)","api_key":"k"}"#))
            #expect(configuration.dialect == .dashscope)
            #expect(configuration.baseURL.absoluteString == host)
        }
    }
}
