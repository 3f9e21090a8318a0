import Foundation
import Testing
@testable import VideoGen

@Suite("luma dialect adapter")
struct LumaAdapterTests {
    let adapter = LumaAdapter()
    let base = URL(string: "https://api.lumalabs.ai")!

    static let fixtures: [StatusFixture] = [
        .init(name: "queued", body: #"{"id":"g","state":"queued","created_at":"2026-12-02T04:00:00.123456Z","assets":null}"#,
              state: .queued, progress: nil, url: nil, errorMessage: nil),
        .init(name: "dreaming", body: #"{"id":"g","state":"dreaming"}"#, state: .running, progress: nil, url: nil, errorMessage: nil),
        .init(name: "completed", body: #"{"id":"g","state":"completed","assets":{"video":"https://storage.cdn-luma.com/v.mp4","image":null}}"#,
              state: .succeeded, progress: 100, url: "https://storage.cdn-luma.com/v.mp4", errorMessage: nil),
        .init(name: "moderation failure", body: #"{"id":"g","state":"failed","failure_reason":"400: prompt not allowed because advanced moderation failed"}"#,
              state: .failed, progress: nil, url: nil, errorCode: .contentPolicy, errorMessage: "400: prompt not allowed because advanced moderation failed"),
        .init(name: "other failure", body: #"{"id":"g","state":"failed","failure_reason":"Generation timed out"}"#,
              state: .failed, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "Generation timed out"),
    ]

    @Test("every status answer", arguments: fixtures)
    func status(_ fixture: StatusFixture) throws {
        try fixture.check(adapter, taskID: "g", baseURL: base)
    }

    @Test("keyframes, duration and refusals")
    func requests() throws {
        var request = VideoRequest(model: "ray-2", prompt: "a fox")
        request.image = .url("https://a.example/1.png")
        request.imageTail = .url("https://a.example/2.png")
        request.duration = 9
        let submit = try adapter.submitRequest(request, baseURL: base)
        #expect(submit.url.path == "/dream-machine/v1/generations/video")
        let body = try JSONValue.parse(submit.body!)
        #expect(body["duration"] == "9s" && body["keyframes"]?["frame1"]?["url"] == "https://a.example/2.png")
        request.image = .bytes(Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 24)), mimeType: "image/png")
        #expect(throws: VideoGenError.self) { _ = try adapter.submitRequest(request, baseURL: base) }
        #expect(adapter.cancelRequest(taskID: "g", baseURL: base)?.method == "DELETE")
        #expect(adapter.error(from: .json(401, #"{"detail":"Invalid API key"}"#)).code == .auth)
    }
}
