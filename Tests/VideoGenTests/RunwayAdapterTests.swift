import Foundation
import Testing
@testable import VideoGen

@Suite("runway dialect adapter")
struct RunwayAdapterTests {
    let adapter = RunwayAdapter(version: "2024-11-06")
    let base = URL(string: "https://api.dev.runwayml.com")!

    static let fixtures: [StatusFixture] = [
        .init(name: "pending", body: #"{"id":"t","status":"PENDING","createdAt":"2026-12-02T04:00:00.000Z","estimatedCost":{"credits":25}}"#,
              state: .queued, progress: nil, url: nil, errorMessage: nil),
        .init(name: "throttled is queued", body: #"{"id":"t","status":"THROTTLED","createdAt":"2026-12-02T04:00:00Z"}"#,
              state: .queued, progress: nil, url: nil, errorMessage: nil),
        .init(name: "running with a fraction", body: #"{"id":"t","status":"RUNNING","progress":0.37}"#, state: .running, progress: 37, url: nil, errorMessage: nil),
        .init(name: "running at 1 is 100 percent", body: #"{"id":"t","status":"RUNNING","progress":1}"#, state: .running, progress: 100, url: nil, errorMessage: nil),
        .init(name: "running at 0", body: #"{"id":"t","status":"RUNNING","progress":0}"#, state: .running, progress: 0, url: nil, errorMessage: nil),
        .init(name: "succeeded", body: #"{"id":"t","status":"SUCCEEDED","output":["https://dnznrvs05pmza.cloudfront.net/a.mp4"],"cost":{"credits":25}}"#,
              state: .succeeded, progress: 100, url: "https://dnznrvs05pmza.cloudfront.net/a.mp4", errorMessage: nil),
        .init(name: "safety failure", body: #"{"id":"t","status":"FAILED","failure":"flagged","failureCode":"SAFETY.INPUT.TEXT"}"#,
              state: .failed, progress: nil, url: nil, errorCode: .contentPolicy, errorMessage: "flagged"),
        .init(name: "preprocessing safety", body: #"{"id":"t","status":"FAILED","failure":"flagged","failureCode":"INPUT_PREPROCESSING.SAFETY.TEXT"}"#,
              state: .failed, progress: nil, url: nil, errorCode: .contentPolicy, errorMessage: "flagged"),
        .init(name: "invalid asset", body: #"{"id":"t","status":"FAILED","failure":"bad image","failureCode":"ASSET.INVALID"}"#,
              state: .failed, progress: nil, url: nil, errorCode: .badRequest, errorMessage: "bad image"),
        .init(name: "internal", body: #"{"id":"t","status":"FAILED","failure":"oops","failureCode":"INTERNAL"}"#,
              state: .failed, progress: nil, url: nil, errorCode: .server, errorMessage: "oops"),
        .init(name: "bad output", body: #"{"id":"t","status":"FAILED","failure":"oops","failureCode":"INTERNAL.BAD_OUTPUT.CODE01"}"#,
              state: .failed, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "oops"),
        .init(name: "cancelled", body: #"{"id":"t","status":"CANCELLED","cost":{"credits":0}}"#, state: .cancelled, progress: nil, url: nil,
              errorCode: .taskFailed, errorMessage: "the task ended cancelled without a reason"),
    ]

    @Test("every status answer", arguments: fixtures)
    func status(_ fixture: StatusFixture) throws {
        try fixture.check(adapter, taskID: "t", baseURL: base)
    }

    @Test("routes, frames, ratio and the version header")
    func requests() throws {
        var request = VideoRequest(model: "veo3.1", prompt: "a fox")
        request.image = .url("https://a.example/1.png")
        request.imageTail = .url("https://a.example/2.png")
        request.size = "1280x720"
        let submit = try adapter.submitRequest(request, baseURL: base)
        #expect(submit.url.path == "/v1/image_to_video" && submit.header("X-Runway-Version") == "2024-11-06")
        let body = try JSONValue.parse(submit.body!)
        #expect(body["ratio"] == "1280:720" && body["promptText"] == "a fox")
        #expect(body["promptImage"]?.arrayValue?.map { $0["position"]?.stringValue } == ["first", "last"])
        var text = VideoRequest(model: "gen4.5", prompt: "a fox")
        #expect(try adapter.submitRequest(text, baseURL: base).url.path == "/v1/text_to_video")
        text.extra = ["videoUri": "https://v.example/a.mp4"]
        #expect(try adapter.submitRequest(text, baseURL: base).url.path == "/v1/video_to_video")
        #expect(adapter.statusRequest(taskID: "t", baseURL: base)?.header("X-Runway-Version") == "2024-11-06")
        let cancel = adapter.cancelRequest(taskID: "t", baseURL: base)
        #expect(cancel?.method == "DELETE" && cancel?.url.path == "/v1/tasks/t" && cancel?.header("X-Runway-Version") == "2024-11-06")
        text.negativePrompt = "blur"
        #expect(throws: VideoGenError.self) { _ = try adapter.submitRequest(text, baseURL: base) }
    }

    @Test("usage and several outputs")
    func usageAndOutputs() throws {
        let report = try adapter.parseStatus(.json(200, #"{"id":"t","status":"SUCCEEDED","output":["https://a/1.mp4","https://a/2.mp4"],"cost":{"credits":10},"createdAt":"2026-12-02T04:00:00.250Z"}"#),
                                             taskID: "t", baseURL: base)
        #expect(report.outputs == ["https://a/1.mp4", "https://a/2.mp4"] && report.usage == ["cost": ["credits": 10]])
        #expect(report.createdAt == 1_796_184_000.25)
        #expect(RunwayAdapter.isDatedVersion("2024-11-06") && !RunwayAdapter.isDatedVersion("latest"))
    }
}
