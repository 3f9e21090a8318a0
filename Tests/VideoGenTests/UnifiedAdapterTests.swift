import Foundation
import Testing
@testable import VideoGen

@Suite("unified dialect adapter")
struct UnifiedAdapterTests {
    let adapter = UnifiedTaskAdapter()
    let base = URL(string: "https://gw.example.com")!

    typealias Fixture = StatusFixture

    static let fixtures: [Fixture] = [
        // new-api's general case: the {code, message, data: TaskDto} envelope.
        .init(name: "envelope in progress", body: #"{"code":"success","message":"","data":{"id":42,"task_id":"task_a","platform":"kling","status":"IN_PROGRESS","progress":"30%","fail_reason":"","result_url":"","submit_time":1722769557,"data":{}}}"#,
              state: .running, progress: 30, url: nil, errorMessage: nil),
        .init(name: "envelope not started", body: #"{"code":"success","message":"","data":{"id":42,"task_id":"task_a","status":"NOT_START","progress":"0%"}}"#,
              state: .queued, progress: 0, url: nil, errorMessage: nil),
        .init(name: "envelope success with result_url", body: #"{"code":"success","message":"","data":{"id":42,"task_id":"task_a","status":"SUCCESS","progress":"100%","result_url":"https://cdn.example.com/v.mp4?sig=1"}}"#,
              state: .succeeded, progress: 100, url: "https://cdn.example.com/v.mp4?sig=1", errorMessage: nil),
        .init(name: "envelope success, old row with the URL in fail_reason", body: #"{"code":"success","data":{"task_id":"task_a","status":"SUCCESS","progress":"100%","fail_reason":"https://old.example.com/v.mp4"}}"#,
              state: .succeeded, progress: 100, url: "https://old.example.com/v.mp4", errorMessage: nil),
        .init(name: "envelope failure", body: #"{"code":"success","message":"","data":{"task_id":"task_a","status":"FAILURE","progress":"100%","fail_reason":"upstream rejected the prompt"}}"#,
              state: .failed, progress: 100, url: nil, errorMessage: "upstream rejected the prompt"),
        // Parsed and merged alone; the client first asks the content route (GatewayAnswerTests).
        .init(name: "envelope success without any URL is a failure unless its content route has the video", body: #"{"code":"success","data":{"task_id":"task_a","status":"SUCCESS","progress":"100%","result_url":""}}"#,
              state: .failed, progress: 100, url: nil, errorMessage: "the service reported the task finished but returned no video"),
        // The docs' flat shape.
        .init(name: "flat queued", body: #"{"task_id":"task_a","status":"queued"}"#,
              state: .queued, progress: nil, url: nil, errorMessage: nil),
        .init(name: "flat completed", body: #"{"task_id":"task_a","status":"completed","url":"https://cdn.example.com/f.mp4","format":"mp4","metadata":{"duration":5,"fps":24,"width":1280,"height":720,"seed":7}}"#,
              state: .succeeded, progress: 100, url: "https://cdn.example.com/f.mp4", errorMessage: nil),
        .init(name: "flat failed with error object", body: #"{"task_id":"task_a","status":"failed","error":{"code":"task_failed","message":"no credits upstream"}}"#,
              state: .failed, progress: nil, url: nil, errorMessage: "no credits upstream"),
        .init(name: "flat older vocabulary", body: #"{"task_id":"task_a","status":"processing","progress":0.5}"#,
              state: .running, progress: 50, url: nil, errorMessage: nil),
        // The OpenAI video object with id and task_id.
        .init(name: "openai object in progress", body: #"{"id":"task_a","task_id":"task_a","object":"video","model":"kling-v1","status":"in_progress","progress":55,"created_at":1762336916}"#,
              state: .running, progress: 55, url: nil, errorMessage: nil),
        .init(name: "openai object completed with metadata.url", body: #"{"id":"task_a","task_id":"task_a","object":"video","status":"completed","progress":100,"metadata":{"url":"https://cdn.example.com/m.mp4"}}"#,
              state: .succeeded, progress: 100, url: "https://cdn.example.com/m.mp4", errorMessage: nil),
        .init(name: "openai object completed without URL uses the content proxy", body: #"{"id":"task_a","task_id":"task_a","object":"video","status":"completed","progress":100}"#,
              state: .succeeded, progress: 100, url: "https://gw.example.com/v1/videos/task_a/content", errorMessage: nil),
        // The realtime envelope (Gemini/Vertex and crazyrouter's Kling).
        .init(name: "realtime succeeded", body: #"{"code":"success","message":"","data":{"error":null,"format":"mp4","metadata":null,"status":"succeeded","task_id":"task_a","url":"https://cdn.example.com/r.mp4"}}"#,
              state: .succeeded, progress: 100, url: "https://cdn.example.com/r.mp4", errorMessage: nil),
        .init(name: "realtime failed", body: #"{"code":"success","data":{"error":{"message":"safety filter","code":"task_failed"},"status":"failed","task_id":"task_a","url":""}}"#,
              state: .failed, progress: nil, url: nil, errorMessage: "safety filter"),
        .init(name: "unknown status counts as queued", body: #"{"task_id":"task_a","status":"unknown"}"#,
              state: .queued, progress: nil, url: nil, errorMessage: nil),
        .init(name: "cancelled", body: #"{"task_id":"task_a","status":"canceled"}"#,
              state: .cancelled, progress: nil, url: nil, errorMessage: "the task ended cancelled without a reason"),
        .init(name: "non-http URL is not a video", body: #"{"task_id":"task_a","status":"completed","url":"javascript:alert(1)"}"#,
              state: .failed, progress: 100, url: nil, errorMessage: "the service reported the task finished but returned no video"),
    ]

    @Test("every status shape", arguments: fixtures)
    func status(_ fixture: Fixture) throws {
        try fixture.check(adapter, taskID: "task_a", baseURL: base, expectedID: "task_a")
    }

    @Test("an envelope with a failure code is an error, not a status")
    func envelopeError() {
        let error = expectError(.notFound) {
            _ = try adapter.parseStatus(.json(200, #"{"code":"task_not_exist","message":"task_not_exist","data":{}}"#), taskID: "t", baseURL: base)
        }
        #expect(error?.providerCode == "task_not_exist")
    }

    @Test("submit answers: the OpenAI object with the public id, and the docs' flat answer", arguments: [
        #"{"id":"task_x","task_id":"task_x","object":"video","model":"kling-v1","status":"queued","progress":0,"created_at":1762336916}"#,
        #"{"task_id":"task_x","status":"queued"}"#,
        #"{"code":"success","message":"","data":{"task_id":"task_x","status":"SUBMITTED","progress":"10%"}}"#,
    ])
    func submitAnswers(_ body: String) throws {
        let report = try adapter.parseSubmit(.json(200, body), baseURL: base)
        #expect(report.id == "task_x")
        #expect(report.state == .queued)
    }

    @Test("submit body: typed fields, duration and seconds, vendor fields in metadata, extra at the top")
    func submitBody() throws {
        let json = try JSONValue.parse(#"""
            {"model":"kling-v1","prompt":"p","negative_prompt":"blur","duration":5,"width":1280,"height":720,
             "fps":24,"seed":9007199254740993,"n":1,"aspect_ratio":"16:9","resolution":"720p","watermark":false,
             "image":"https://cdn.example.com/i.png","metadata":{"cfg_scale":0.5},"extra":{"mode":"pro"}}
            """#)
        let wire = try adapter.submitRequest(VideoRequest(json: json), baseURL: base)
        #expect(wire.url.absoluteString == "https://gw.example.com/v1/video/generations")
        #expect(wire.header("Content-Type") == "application/json")
        let body = try JSONValue.parse(try #require(wire.body))
        let expected: JSONValue = [
            "model": "kling-v1", "prompt": "p", "duration": 5, "seconds": "5", "width": 1280, "height": 720,
            "fps": 24, "seed": .int(9_007_199_254_740_993), "n": 1, "image": "https://cdn.example.com/i.png",
            "mode": "pro",
            "metadata": ["cfg_scale": 0.5, "negative_prompt": "blur", "aspect_ratio": "16:9", "resolution": "720p",
                         "watermark": false],
        ]
        #expect(body == expected)
    }

    @Test("a data URI image is checked and passed on; a bad one is refused")
    func dataURI() throws {
        var request = VideoRequest(model: "m", prompt: "p")
        let gif = Data("GIF89a\u{1}\u{0}".utf8)
        request.images = [.dataURI("data:image/gif;base64,\(gif.base64EncodedString())")]
        let body = try JSONValue.parse(try #require(adapter.submitRequest(request, baseURL: base).body))
        #expect(body["images"]?.arrayValue?.first?.stringValue == "data:image/gif;base64,\(gif.base64EncodedString())")
        request.images = [.dataURI("data:image/png;base64,\(Data("not an image".utf8).base64EncodedString())")]
        let error = expectError(.invalidArgument) { _ = try adapter.submitRequest(request, baseURL: base) }
        #expect(error?.message.contains("images[0]") == true)
    }

    @Test("extra may not overwrite a field videogen sends; metadata may not contradict a field")
    func collisions() throws {
        var request = VideoRequest(model: "m", prompt: "p")
        request.extra = ["prompt": "other"]
        expectError(.invalidArgument) { _ = try adapter.submitRequest(request, baseURL: base) }
        request.extra = nil
        request.negativePrompt = "a"
        request.metadata = ["negative_prompt": "b"]
        expectError(.invalidArgument) { _ = try adapter.submitRequest(request, baseURL: base) }
    }
}
