import Foundation
import Testing
@testable import VideoGen

@Suite("ark dialect adapter")
struct ArkAdapterTests {
    let adapter = ArkAdapter()
    let base = URL(string: "https://ark.cn-beijing.volces.com")!

    static let fixtures: [StatusFixture] = [
        .init(name: "queued", body: #"{"id":"cgt-1","model":"doubao-seedance-1-0-pro","status":"queued","created_at":1743414619}"#,
              state: .queued, progress: nil, url: nil, errorMessage: nil),
        .init(name: "running", body: #"{"id":"cgt-1","status":"running"}"#, state: .running, progress: nil, url: nil, errorMessage: nil),
        .init(name: "succeeded", body: #"{"id":"cgt-1","status":"succeeded","content":{"video_url":"https://ark-content.tos.example/v.mp4"},"usage":{"completion_tokens":108900,"total_tokens":108900}}"#,
              state: .succeeded, progress: 100, url: "https://ark-content.tos.example/v.mp4", errorMessage: nil),
        .init(name: "refused output", body: #"{"id":"cgt-1","status":"failed","error":{"code":"OutputVideoSensitiveContentDetected","message":"The request failed because the output video may contain sensitive information."}}"#,
              state: .failed, progress: nil, url: nil, errorCode: .contentPolicy, errorMessage: "The request failed because the output video may contain sensitive information."),
        .init(name: "cancelled", body: #"{"id":"cgt-1","status":"cancelled"}"#, state: .cancelled, progress: nil, url: nil,
              errorCode: .taskFailed, errorMessage: "the task ended cancelled without a reason"),
        .init(name: "expired", body: #"{"id":"cgt-1","status":"expired"}"#, state: .expired, progress: nil, url: nil,
              errorCode: .taskFailed, errorMessage: "the task ended expired without a reason"),
    ]

    @Test("every status answer", arguments: fixtures)
    func status(_ fixture: StatusFixture) throws {
        try fixture.check(adapter, taskID: "cgt-1", baseURL: base)
    }

    @Test("content items, usage, the SDK's base URL and errors")
    func requests() throws {
        var request = VideoRequest(model: "doubao-seedance-1-0-pro", prompt: "a fox")
        request.image = .url("https://a.example/1.png")
        request.images = [.url("https://a.example/r.png")]
        request.aspectRatio = "16:9"
        request.extra = ["generate_audio": true]
        let submit = try adapter.submitRequest(request, baseURL: base)
        #expect(submit.url.absoluteString == "https://ark.cn-beijing.volces.com/api/v3/contents/generations/tasks")
        let body = try JSONValue.parse(submit.body!)
        #expect(body["content"]?.arrayValue?.map { $0["role"]?.stringValue } == [nil, "first_frame", "reference_image"])
        #expect(body["ratio"] == "16:9" && body["generate_audio"] == true)
        let sdkBase = URL(string: "https://ark.ap-southeast.bytepluses.com/api/v3")!
        #expect(adapter.statusRequest(taskID: "cgt-1", baseURL: sdkBase)?.url.absoluteString == "https://ark.ap-southeast.bytepluses.com/api/v3/contents/generations/tasks/cgt-1")
        #expect(adapter.cancelRequest(taskID: "cgt-1", baseURL: base)?.method == "DELETE")
        let report = try adapter.parseStatus(.json(200, #"{"id":"cgt-1","status":"succeeded","content":{"video_url":"https://x/v.mp4"},"usage":{"completion_tokens":5}}"#), taskID: "cgt-1", baseURL: base)
        #expect(report.usage == ["completion_tokens": 5])
        for (code, expected) in [("AuthenticationError", VideoGenError.Code.auth), ("AccountOverdueError", .quota),
                                 ("InputTextSensitiveContentDetected", .contentPolicy), ("ModelNotOpen", .permission)] {
            let error = adapter.error(from: .json(400, #"{"error":{"code":"\#(code)","message":"m","param":"","type":"BadRequest"}}"#))
            #expect(error.code == expected && error.providerCode == code)
        }
        #expect(try ProviderPreset.named("byteplus").baseURL == "https://ark.ap-southeast.bytepluses.com")
        #expect(try ProviderPreset.named("minimaxi").baseURL == "https://api.minimaxi.com")
    }
}
