import Foundation
import Testing
@testable import VideoGen

@Suite("routerone dialect adapter")
struct RouterOneAdapterTests {
    let adapter = RouterOneAdapter()
    let base = URL(string: "https://api.router.one")!

    typealias Fixture = StatusFixture

    static let fixtures: [Fixture] = [
        .init(name: "pending", body: #"{"task_id":"v_8f3a","status":"pending"}"#,
              state: .queued, progress: nil, url: nil, errorCode: nil, errorMessage: nil),
        .init(name: "processing with progress", body: #"{"task_id":"v_8f3a","status":"processing","progress":45}"#,
              state: .running, progress: 45, url: nil, errorCode: nil, errorMessage: nil),
        .init(name: "processing with float progress", body: #"{"task_id":"v_8f3a","status":"processing","progress":45.7}"#,
              state: .running, progress: 45, url: nil, errorCode: nil, errorMessage: nil),
        .init(name: "completed with url", body: #"{"task_id":"v_8f3a","status":"completed","progress":100,"url":"https://files.router.one/v.mp4?sig=1","expires_at":1762423316}"#,
              state: .succeeded, progress: 100, url: "https://files.router.one/v.mp4?sig=1", errorCode: nil, errorMessage: nil),
        .init(name: "completed without url is a failure", body: #"{"task_id":"v_8f3a","status":"completed","url":null}"#,
              state: .failed, progress: 100, url: nil, errorCode: .taskFailed, errorMessage: "the service reported the task finished but returned no video"),
        .init(name: "failed with an error object", body: #"{"task_id":"v_8f3a","status":"failed","error":{"code":"upstream_error","message":"The upstream provider failed"}}"#,
              state: .failed, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "The upstream provider failed"),
        .init(name: "failed with an error string", body: #"{"task_id":"v_8f3a","status":"failed","error":"prompt rejected"}"#,
              state: .failed, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "prompt rejected"),
        .init(name: "failed by content policy", body: #"{"task_id":"v_8f3a","status":"failed","error":{"code":"content_policy_violation","message":"unsafe"}}"#,
              state: .failed, progress: nil, url: nil, errorCode: .contentPolicy, errorMessage: "unsafe"),
        .init(name: "case drift", body: #"{"task_id":"v_8f3a","status":"Completed","url":"https://files.router.one/c.mp4"}"#,
              state: .succeeded, progress: 100, url: "https://files.router.one/c.mp4", errorCode: nil, errorMessage: nil),
    ]

    @Test("every status answer", arguments: fixtures)
    func status(_ fixture: Fixture) throws {
        try fixture.check(adapter, taskID: "v_8f3a", baseURL: base)
    }

    @Test("the 202 submit answer is read")
    func submitAnswer() throws {
        let report = try adapter.parseSubmit(.json(202, #"{"task_id":"v_1","status":"pending"}"#), baseURL: base)
        #expect(report.id == "v_1" && report.state == .queued)
    }

    @Test("a word outside Router One's vocabulary is a protocol error naming it")
    func unknownWord() {
        let error = expectError(.protocolError) {
            _ = try adapter.parseStatus(.json(200, #"{"task_id":"v","status":"generating"}"#), taskID: "v", baseURL: base)
        }
        #expect(error?.message.contains("'generating'") == true)
    }

    @Test("error answers", arguments: [
        (401, "invalid_api_key", VideoGenError.Code.auth), (402, "insufficient_balance", .quota),
        (400, "insufficient_balance", .quota), (400, "reference_image_invalid", .badRequest),
        (502, "upstream_error", .server), (400, "upstream_error", .server), (400, "invalid_task_id", .notFound),
        (404, "task_not_found", .notFound), (429, "rate_limit_exceeded", .rateLimited),
    ])
    func errors(_ status: Int, _ code: String, _ expected: VideoGenError.Code) {
        let error = adapter.error(from: .json(status, #"{"error":{"message":"m","type":"invalid_request_error","code":"\#(code)"}}"#))
        #expect(error.code == expected)
        #expect(error.providerCode == code)
        #expect(error.message == "m")
    }

    @Test("submit body: Router One's names; resolution is its size; images are URLs")
    func submitBody() throws {
        let request = try VideoRequest(json: JSONValue.parse(#"""
            {"model":"video-default","prompt":"p","negative_prompt":"n","duration":5,"resolution":"1080p",
             "aspect_ratio":"9:16","image":"https://img/a.png","images":["https://img/1.png","https://img/2.png"],
             "input_reference":"https://img/r.png","extra":{"user":"u"}}
            """#))
        let wire = try adapter.submitRequest(request, baseURL: base)
        #expect(wire.url.absoluteString == "https://api.router.one/v1/videos/generations")
        let body = try JSONValue.parse(try #require(wire.body))
        let expected: JSONValue = [
            "model": "video-default", "prompt": "p", "negative_prompt": "n", "duration": 5, "size": "1080p",
            "aspect_ratio": "9:16", "image_url": "https://img/a.png",
            "image_urls": ["https://img/1.png", "https://img/2.png"], "input_reference": "https://img/r.png", "user": "u",
        ]
        #expect(body == expected)
        #expect(adapter.statusRequest(taskID: "v_1", baseURL: base)?.url.path == "/v1/videos/generations/v_1")
    }

    @Test("local images are refused by name before they are read", arguments: [
        ("image", ImageSource.file("/nonexistent/a.png")),
        ("image", .dataURI("data:image/png;base64,AAAA")),
        ("image", .bytes(Data([1, 2, 3]), mimeType: "image/png")),
    ])
    func localImages(_ field: String, _ source: ImageSource) {
        var request = VideoRequest(model: "m", prompt: "p")
        request.image = source
        let error = expectError(.unsupported) { _ = try adapter.submitRequest(request, baseURL: base) }
        #expect(error?.message.contains("'\(field)'") == true)
        request.image = nil
        request.images = [.url("https://img/1.png"), source]
        let listed = expectError(.unsupported) { _ = try adapter.submitRequest(request, baseURL: base) }
        #expect(listed?.message.contains("'images[1]'") == true)
    }

    @Test("at most three images")
    func tooManyImages() {
        var request = VideoRequest(model: "m", prompt: "p")
        request.images = (0..<4).map { .url("https://img/\($0).png") }
        let error = expectError(.invalidArgument) { _ = try adapter.submitRequest(request, baseURL: base) }
        #expect(error?.message.contains("at most 3") == true)
    }

    @Test("fields Router One cannot carry are refused by name", arguments: [
        ("size", #"{"model":"m","prompt":"p","size":"1280x720"}"#),
        ("seed", #"{"model":"m","prompt":"p","seed":1}"#),
        ("metadata", #"{"model":"m","prompt":"p","metadata":{"a":1}}"#),
        ("image_tail", #"{"model":"m","prompt":"p","image_tail":"https://x/t.png"}"#),
        ("mode", #"{"model":"m","prompt":"p","mode":"pro"}"#),
    ])
    func unsupported(_ field: String, _ json: String) throws {
        let request = try VideoRequest(json: JSONValue.parse(json))
        let error = expectError(.unsupported) { _ = try adapter.submitRequest(request, baseURL: base) }
        #expect(error?.message.contains("'\(field)'") == true)
        #expect(error?.message.contains("through 'extra'") == true)
    }

    @Test("the poll floor is 3 s, even against a server hint or jitter")
    func pollFloor() {
        let policy = adapter.defaultPollPolicy
        #expect(policy.minInterval == 3 && policy.interval == 3)
        #expect(policy.delay(index: 0, hint: 0.5, unit: 0) == 3)
        #expect(policy.delay(index: 0, hint: nil, unit: 0.999) >= 3)
        #expect(policy.delay(index: 10, hint: nil, unit: 0) == 15)
    }
}
