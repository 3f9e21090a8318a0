import Foundation
import Testing
@testable import VideoGen

/// Replicate predictions: what a model names, the bodies and headers, the prediction statuses and outputs, errors.
@Suite("replicate adapter")
struct ReplicateAdapterTests {
    let adapter = ReplicateAdapter()
    let base = URL(string: "http://127.0.0.1:9")!
    static let version = String(repeating: "5c7d", count: 16)

    func client(_ transport: FakeTransport, adapter: ReplicateAdapter = ReplicateAdapter()) throws -> VideoGenClient {
        VideoGenClient(configuration: try TestConfig.make(.replicate, retry: TestConfig.fastRetry), transport: transport,
                       random: { 0 }, scheduler: nil, adapter: adapter)
    }

    @Test("models, versions and deployments go to their own routes", arguments: [
        ("kwaivgi/kling-v2.1", "/v1/models/kwaivgi/kling-v2.1/predictions", nil),
        ("kwaivgi/kling-v2.1:\(version)", "/v1/predictions", "kwaivgi/kling-v2.1:\(version)"),
        (version, "/v1/predictions", version),
        ("deployments/acme/video", "/v1/deployments/acme/video/predictions", nil),
    ] as [(String, String, String?)])
    func targets(_ model: String, _ path: String, _ version: String?) throws {
        let wire = try adapter.submitRequest(VideoRequest(model: model, prompt: "a fox"), baseURL: base)
        #expect(wire.method == "POST" && wire.url.path == path)
        #expect(try JSONValue.parse(wire.body ?? Data())["version"]?.stringValue == version)
    }

    @Test("model names that are none of the three are refused", arguments: ["kling", "a/b/c", "a/b:short", "deployments/a", "../b", "a/b:\(String(repeating: "G", count: 64))"])
    func badModels(_ model: String) {
        expectError(.invalidArgument) { _ = try adapter.submitRequest(VideoRequest(model: model, prompt: "p"), baseURL: base) }
    }

    @Test("the input, the webhook, Prefer: wait and Cancel-After")
    func body() throws {
        var request = VideoRequest(model: "owner/model", prompt: "a fox")
        request.image = .url("https://img.example/a.png"); request.duration = 5; request.aspectRatio = "16:9"
        request.seed = 3; request.fps = 24; request.resolution = "720p"; request.callbackURL = "https://hooks.example/r"
        request.extra = ["go_fast": true]
        let wire = try ReplicateAdapter(preferWait: 5, cancelAfter: 899.5).submitRequest(request, baseURL: base)
        #expect(try JSONValue.parse(wire.body ?? Data()) == [
            "input": ["prompt": "a fox", "image": "https://img.example/a.png", "duration": 5, "aspect_ratio": "16:9",
                      "seed": 3, "fps": 24, "resolution": "720p", "go_fast": true],
            "webhook": "https://hooks.example/r", "webhook_events_filter": ["completed"],
        ])
        #expect(wire.header("Prefer") == "wait=5" && wire.header("Cancel-After") == "900s")
        let plain = try adapter.submitRequest(VideoRequest(model: "owner/model", prompt: "p"), baseURL: base)
        #expect(plain.header("Prefer") == nil && plain.header("Cancel-After") == nil)
    }

    @Test("fields Replicate does not take are refused by name", arguments: ["image_tail", "images", "n", "metadata", "mode", "size"])
    func refused(_ field: String) {
        var request = VideoRequest(model: "owner/model", prompt: "p")
        switch field {
        case "image_tail": request.imageTail = .url("https://img.example/z.png")
        case "images": request.images = [.url("https://img.example/a.png")]
        case "n": request.n = 2
        case "metadata": request.metadata = ["a": "b"]
        case "mode": request.mode = "pro"
        default: request.size = "1280x720"
        }
        let error = expectError(.unsupported) { _ = try adapter.submitRequest(request, baseURL: base) }
        #expect(error?.message.contains("'\(field)'") == true)
    }

    static let urls = #""urls":{"get":"http://127.0.0.1:9/v1/predictions/p1","cancel":"http://127.0.0.1:9/v1/predictions/p1/cancel","web":"https://replicate.com/p/p1"}"#

    @Test("every prediction status and output form", arguments: [
        (#"{"id":"p1","status":"starting","output":null,"logs":"",\#(urls)}"#, TaskState.queued, nil as Int?, [] as [String], nil as VideoGenError.Code?),
        (#"{"id":"p1","status":"processing","logs":"Generating\n 10%|#  | 10/100\n 45%|####5 | 45/100 [00:02<00:03]","output":null}"#, .running, 45, [], nil),
        (#"{"id":"p1","status":"succeeded","output":"https://replicate.delivery/a.mp4","metrics":{"predict_time":12.5,"total_time":14.2},\#(urls)}"#, .succeeded, 100, ["https://replicate.delivery/a.mp4"], nil),
        (#"{"id":"p1","status":"succeeded","output":["https://replicate.delivery/a.mp4","https://replicate.delivery/b.mp4"]}"#, .succeeded, 100, ["https://replicate.delivery/a.mp4", "https://replicate.delivery/b.mp4"], nil),
        (#"{"id":"p1","status":"succeeded","output":{"video":"https://replicate.delivery/v.mp4"}}"#, .succeeded, 100, ["https://replicate.delivery/v.mp4"], nil),
        (#"{"id":"p1","status":"succeeded","output":null}"#, .failed, 100, [], .taskFailed),
        (#"{"id":"p1","status":"failed","error":"CUDA out of memory","output":null}"#, .failed, nil, [], .taskFailed),
        (#"{"id":"p1","status":"failed","error":"NSFW content detected. Try running it again, or try a different prompt."}"#, .failed, nil, [], .contentPolicy),
        (#"{"id":"p1","status":"canceled","output":null}"#, .cancelled, nil, [], .taskFailed),
        (#"{"id":"p1","status":"aborted","output":null}"#, .cancelled, nil, [], .deadline),
    ] as [(String, TaskState, Int?, [String], VideoGenError.Code?)])
    func statuses(_ body: String, _ state: TaskState, _ progress: Int?, _ videos: [String], _ errorCode: VideoGenError.Code?) throws {
        let report = try adapter.parseStatus(.json(200, body), taskID: "p1", baseURL: base)
        let snapshot = TaskSnapshot(id: "p1", dialect: "replicate", baseURL: "http://127.0.0.1:9").applying(report, at: 1)
        #expect(snapshot.state == state && snapshot.progress == progress)
        #expect(snapshot.videoURL == videos.first && snapshot.outputs == (videos.count > 1 ? videos : nil))
        #expect(snapshot.error?.code == errorCode)
        if report.providerStatus == "aborted" { #expect(snapshot.error?.providerCode == "aborted") }
        if body.contains("\"urls\"") {
            #expect(snapshot.links == ["get": "http://127.0.0.1:9/v1/predictions/p1", "cancel": "http://127.0.0.1:9/v1/predictions/p1/cancel"])
        }
        if body.contains("metrics") { #expect(snapshot.usage == ["predict_time": 12.5, "total_time": 14.2]) }
    }

    @Test("a prediction finished within Prefer: wait needs no poll; polls and cancels use its urls")
    func finishedAtOnce() async throws {
        let transport = FakeTransport([
            .respond(.json(201, #"{"id":"p1","status":"succeeded","output":"https://replicate.delivery/a.mp4",\#(Self.urls)}"#)),
            .respond(.json(200, #"{"id":"p1","status":"succeeded","output":"https://replicate.delivery/a.mp4"}"#)),
            .respond(.json(200, #"{"id":"p1","status":"succeeded","output":"https://replicate.delivery/a.mp4"}"#)),
        ])
        let client = try client(transport, adapter: ReplicateAdapter(preferWait: 5))
        let task = try await client.submit(VideoRequest(model: "owner/model", prompt: "p"))
        #expect(task.state == .succeeded && task.videoURL == "https://replicate.delivery/a.mp4")
        let waited = try await client.wait(for: task, timeout: 5)
        #expect(waited.state == .succeeded && transport.requests.count == 1, "no poll")
        #expect(transport.requests[0].header("Prefer") == "wait=5" && transport.requests[0].header("Authorization") == "Bearer \(TestConfig.key)")
        _ = try await client.refresh(task)
        try await client.cancelRemotely(task)
        #expect(transport.requests.dropFirst().map { "\($0.method) \($0.url.path)" } == ["GET /v1/predictions/p1", "POST /v1/predictions/p1/cancel"])
        // A record without links still finds the prediction by id.
        let bare = TaskSnapshot(id: "p1", dialect: "replicate", baseURL: "http://127.0.0.1:9")
        #expect(adapter.statusRequest(for: bare, baseURL: base)?.url.absoluteString == "http://127.0.0.1:9/v1/predictions/p1")
    }

    @Test("problem documents: the detail, a 422's invalid fields, the title as the code, Retry-After")
    func errors() {
        let invalid = adapter.error(from: .json(422, #"{"title":"Input validation failed","detail":"- input.duration: must be one of 5, 10","status":422,"invalid_fields":[{"type":"enum","field":"input.duration","description":"must be one of 5, 10"}]}"#))
        #expect(invalid.code == .badRequest && invalid.message.contains("(input.duration: must be one of 5, 10)"))
        #expect(invalid.providerCode == "Input validation failed")
        let auth = adapter.error(from: .json(401, #"{"title":"Unauthenticated","detail":"You did not pass a valid authentication token","status":401}"#))
        #expect(auth.code == .auth && auth.message == "You did not pass a valid authentication token")
        #expect(adapter.error(from: .json(402, #"{"title":"Insufficient credit","detail":"You have insufficient credit","status":402}"#)).code == .quota)
        let throttled = adapter.error(from: .json(429, #"{"title":"Request was throttled","detail":"Expected available in 2 seconds.","status":429}"#, headers: ["Retry-After": "2"]))
        #expect(throttled.code == .rateLimited && throttled.retryAfter == 2)
    }

    @Test("configuration: prefer_wait within the request timeout, the server deadline from the wait timeout")
    func configuration() throws {
        func parse(_ text: String) throws -> ClientConfiguration { try ClientConfiguration(json: JSONValue.parse(Data(text.utf8))) }
        let defaults = try parse(#"{"provider":"replicate","api_key":"r8-123456"}"#)
        #expect(defaults.baseURL.absoluteString == "https://api.replicate.com" && defaults.requestTimeout == 75)
        #expect((defaults.adapter as? ReplicateAdapter)?.preferWait == 5 && (defaults.adapter as? ReplicateAdapter)?.cancelAfter == nil)
        let set = try parse(#"{"provider":"replicate","api_key":"r8-123456","prefer_wait":60,"server_deadline":true,"wait_timeout":120}"#)
        #expect((set.adapter as? ReplicateAdapter)?.preferWait == 60 && (set.adapter as? ReplicateAdapter)?.cancelAfter == 120)
        #expect((try parse(#"{"provider":"replicate","api_key":"r8-123456","request_timeout":4}"#).adapter as? ReplicateAdapter)?.preferWait == 0)
        expectError(.invalidArgument) { _ = try parse(#"{"provider":"replicate","api_key":"r","prefer_wait":30,"request_timeout":20}"#) }
        expectError(.invalidArgument) { _ = try parse(#"{"provider":"replicate","api_key":"r","prefer_wait":61}"#) }
        expectError(.unsupported) { _ = try parse(#"{"provider":"replicate","api_key":"r","secret_key":"s"}"#) }
    }
}
