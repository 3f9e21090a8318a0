import Foundation
import Testing
@testable import VideoGen

/// fal's queue: submit to the app, the returned addresses kept and used, queue positions, results read from the
/// response URL in the usual output schemas, failures, cancel.
@Suite("fal queue adapter")
struct FalQueueAdapterTests {
    let adapter = FalQueueAdapter()
    let base = URL(string: "http://127.0.0.1:9")!
    static let submitAnswer = #"{"request_id":"r-1","response_url":"http://127.0.0.1:9/fal-ai/kling-video/requests/r-1","status_url":"http://127.0.0.1:9/fal-ai/kling-video/requests/r-1/status","cancel_url":"http://127.0.0.1:9/fal-ai/kling-video/requests/r-1/cancel","queue_position":2}"#

    func client(_ transport: FakeTransport, adapter: FalQueueAdapter = FalQueueAdapter()) throws -> VideoGenClient {
        VideoGenClient(configuration: try TestConfig.make(.fal, retry: TestConfig.fastRetry), transport: transport,
                       random: { 0 }, scheduler: nil, adapter: adapter)
    }

    @Test("the submit goes to the app with its input, Key auth, the webhook and the server deadline")
    func submit() async throws {
        var request = VideoRequest(model: "fal-ai/kling-video/v2.1/standard/image-to-video", prompt: "a fox")
        request.image = .url("https://img.example/a.png"); request.imageTail = .url("https://img.example/z.png")
        request.duration = 5; request.aspectRatio = "16:9"; request.seed = 7; request.negativePrompt = "blur"
        request.callbackURL = "https://hooks.example/fal?x=1&y=2"; request.extra = ["generate_audio": true]
        let wire = try FalQueueAdapter(serverDeadline: 899.2).submitRequest(request, baseURL: base)
        #expect(wire.url.absoluteString == "http://127.0.0.1:9/fal-ai/kling-video/v2.1/standard/image-to-video?fal_webhook=https%3A%2F%2Fhooks.example%2Ffal%3Fx%3D1%26y%3D2")
        #expect(wire.header("X-Fal-Request-Timeout") == "900")
        #expect(try JSONValue.parse(wire.body ?? Data()) == [
            "prompt": "a fox", "image_url": "https://img.example/a.png", "tail_image_url": "https://img.example/z.png",
            "duration": "5", "aspect_ratio": "16:9", "seed": 7, "negative_prompt": "blur", "generate_audio": true,
        ])
        #expect(try adapter.submitRequest(VideoRequest(model: "fal-ai/app", prompt: "p"), baseURL: base).header("X-Fal-Request-Timeout") == nil)
        let transport = FakeTransport([.respond(.json(200, Self.submitAnswer))])
        let task = try await client(transport).submit(VideoRequest(model: "fal-ai/kling-video/v2", prompt: "p"))
        #expect(transport.requests[0].header("Authorization") == "Key \(TestConfig.key)")
        #expect(task.id == "r-1" && task.state == .queued && task.queuePosition == 2 && task.providerStatus == "IN_QUEUE")
        #expect(task.links["status_url"] == "http://127.0.0.1:9/fal-ai/kling-video/requests/r-1/status")
        #expect(try TaskSnapshot(json: task.json).links == task.links)
    }

    @Test("app ids and fields fal does not take are refused by name", arguments: ["n", "metadata", "mode", "watermark", "images", "size"])
    func refusedFields(_ field: String) throws {
        var request = VideoRequest(model: "fal-ai/app", prompt: "p")
        switch field {
        case "n": request.n = 2
        case "metadata": request.metadata = ["a": "b"]
        case "mode": request.mode = "pro"
        case "watermark": request.watermark = true
        case "images": request.images = [.url("https://img.example/a.png")]
        default: request.size = "1280x720"
        }
        let error = expectError(.unsupported) { _ = try adapter.submitRequest(request, baseURL: base) }
        #expect(error?.message.contains("'\(field)'") == true)
    }

    @Test("app ids that are not owner/app paths are refused", arguments: ["app", "fal-ai/../x", "fal-ai//x", "/fal-ai/x", "fal-ai/x?y", "fal-ai/x y"])
    func badApps(_ model: String) {
        expectError(.invalidArgument) { _ = try adapter.submitRequest(VideoRequest(model: model, prompt: "p"), baseURL: base) }
    }

    @Test("a submit answer without its addresses, or with one on another origin, is a protocol error", arguments: [
        #"{"request_id":"r","status_url":"http://127.0.0.1:9/s","response_url":"http://127.0.0.1:9/r"}"#,
        #"{"request_id":"r","status_url":"https://evil.example/s","response_url":"http://127.0.0.1:9/r","cancel_url":"http://127.0.0.1:9/c"}"#,
    ])
    func badLinks(_ body: String) {
        expectError(.protocolError) { _ = try adapter.parseSubmit(.json(200, body), baseURL: base) }
    }

    @Test("polls go to the recorded status URL; the output is read from the recorded response URL; usage is fal's metrics")
    func lifecycle() async throws {
        let transport = FakeTransport([
            .respond(.json(200, Self.submitAnswer)),
            .respond(.json(200, #"{"status":"IN_QUEUE","queue_position":1,"response_url":"http://127.0.0.1:9/fal-ai/kling-video/requests/r-1"}"#)),
            .respond(.json(200, #"{"status":"IN_PROGRESS","logs":null,"response_url":"http://127.0.0.1:9/fal-ai/kling-video/requests/r-1"}"#)),
            .respond(.json(200, #"{"status":"COMPLETED","logs":null,"metrics":{"inference_time":41.5}}"#)),
            .respond(.json(200, #"{"video":{"url":"https://v3.fal.media/files/a.mp4","content_type":"video/mp4"},"seed":1}"#)),
        ])
        let client = try client(transport)
        let submitted = try await client.submit(VideoRequest(model: "fal-ai/kling-video/v2", prompt: "p"))
        // A new process: the record alone leads the polls.
        let resumed = try client.resume(record: try JSONValue.parse(submitted.json.serialized()))
        let queued = try await client.refresh(resumed)
        #expect(queued.state == .queued && queued.queuePosition == 1)
        let running = try await client.refresh(queued)
        #expect(running.state == .running && running.queuePosition == nil)
        let done = try await client.refresh(running)
        #expect(done.state == .succeeded && done.videoURL == "https://v3.fal.media/files/a.mp4")
        #expect(done.usage == ["inference_time": 41.5])
        #expect(transport.requests.dropFirst().map(\.url.absoluteString) == [
            "http://127.0.0.1:9/fal-ai/kling-video/requests/r-1/status", "http://127.0.0.1:9/fal-ai/kling-video/requests/r-1/status",
            "http://127.0.0.1:9/fal-ai/kling-video/requests/r-1/status", "http://127.0.0.1:9/fal-ai/kling-video/requests/r-1",
        ])
        #expect(transport.requests.allSatisfy { $0.header("Authorization") == "Key \(TestConfig.key)" })
    }

    @Test("a record without its status URL cannot be polled (fal's addresses are never built by hand)")
    func noLinks() async throws {
        let transport = FakeTransport([])
        let task = TaskSnapshot(id: "r-1", dialect: "fal", baseURL: "http://127.0.0.1:9")
        let error = await expectError(.unsupported) { _ = try await client(transport).refresh(task) }
        #expect(transport.requests.isEmpty && error?.message.contains("record lacks the address") == true)
    }

    @Test("the output schemas: video.url and the usual variants", arguments: [
        (#"{"video":{"url":"https://f/a.mp4"}}"#, ["https://f/a.mp4"]),
        (#"{"video":"https://f/a.mp4"}"#, ["https://f/a.mp4"]),
        (#"{"videos":[{"url":"https://f/a.mp4"},{"url":"https://f/b.mp4"}]}"#, ["https://f/a.mp4", "https://f/b.mp4"]),
        (#"{"output":{"video":{"url":"https://f/o.mp4"}}}"#, ["https://f/o.mp4"]),
        (#"{"data":{"videos":["https://f/d.mp4"]}}"#, ["https://f/d.mp4"]),
        (#"{"video_url":"https://f/u.mp4"}"#, ["https://f/u.mp4"]),
        (#"{"video":{"url":"data:video/mp4;base64,AAAA"}}"#, []),
        (#"{"images":[{"url":"https://f/i.png"}]}"#, []),
    ])
    func outputs(_ body: String, _ urls: [String]) throws {
        #expect(FalQueueAdapter.videoURLs(in: try JSONValue.parse(Data(body.utf8))) == urls)
        let report = try adapter.parseResult(.json(200, body), report: StatusReport(state: .succeeded), baseURL: base)
        #expect(report.videoURL == urls.first && report.outputs == (urls.count > 1 ? urls : nil))
    }

    @Test("a completed request with an error ends failed (content policy named by its type) or cancelled", arguments: [
        (#"{"status":"COMPLETED","logs":null,"error":"The content could not be processed","error_type":"content_policy_violation"}"#, TaskState.failed, VideoGenError.Code.contentPolicy),
        (#"{"status":"COMPLETED","logs":null,"error":"Generation failed","error_type":"generation_timeout"}"#, .failed, .taskFailed),
        (#"{"status":"COMPLETED","logs":null,"error":"The request was cancelled.","error_type":"request_cancelled"}"#, .cancelled, .taskFailed),
        (#"{"status":"CANCELLED"}"#, .cancelled, .taskFailed),
        (#"{"status":"FAILED","error":"Runner crashed"}"#, .failed, .taskFailed),
    ])
    func failures(_ body: String, _ state: TaskState, _ code: VideoGenError.Code) throws {
        var task = TaskSnapshot(id: "r-1", dialect: "fal", baseURL: "http://127.0.0.1:9")
        task.links = ["response_url": "http://127.0.0.1:9/x/requests/r-1"]
        let report = try adapter.parseStatus(.json(200, body), for: task, baseURL: base)
        #expect(report.state == state && report.error?.code == code && report.resultRequest == nil)
    }

    @Test("errors: 422 details with their type, the error-type header, ALREADY_COMPLETED named")
    func errors() {
        let invalid = adapter.error(from: .json(422, #"{"detail":[{"loc":["body","prompt"],"msg":"Field required","type":"missing"}]}"#))
        #expect(invalid.code == .badRequest && invalid.message == "Field required" && invalid.providerCode == "missing")
        let refused = adapter.error(from: .json(422, #"{"detail":[{"loc":["body"],"msg":"flagged","type":"content_policy_violation"}]}"#))
        #expect(refused.code == .contentPolicy)
        let header = adapter.error(from: .json(500, #"{"detail":"boom"}"#, headers: ["X-Fal-Error-Type": "internal_server_error"]))
        #expect(header.code == .server && header.providerCode == "internal_server_error")
        let done = adapter.error(from: .json(400, #"{"status":"ALREADY_COMPLETED"}"#))
        #expect(done.providerCode == "ALREADY_COMPLETED" && done.message.contains("nothing to cancel"))
        #expect(adapter.error(from: .json(401, #"{"detail":"No user found for Key ID and Secret"}"#)).code == .auth)
    }

    @Test("the remote cancel is a PUT to the recorded cancel URL")
    func cancel() async throws {
        let transport = FakeTransport([.respond(.json(202, #"{"status":"CANCELLATION_REQUESTED"}"#))])
        var task = TaskSnapshot(id: "r-1", dialect: "fal", baseURL: "http://127.0.0.1:9")
        task.links = ["cancel_url": "http://127.0.0.1:9/fal-ai/kling-video/requests/r-1/cancel"]
        try await client(transport).cancelRemotely(task)
        #expect(transport.requests.map(\.method) == ["PUT"])
        #expect(transport.requests[0].url.absoluteString == "http://127.0.0.1:9/fal-ai/kling-video/requests/r-1/cancel")
        var foreign = task
        foreign.links = ["cancel_url": "https://evil.example/cancel"]
        #expect(adapter.cancelRequest(for: foreign, baseURL: base) == nil)
    }

    @Test("the preset and the server deadline from the wait timeout")
    func configuration() throws {
        let text = #"{"provider":"fal","api_key":"k-123456","server_deadline":true,"wait_timeout":600}"#
        let parsed = try ClientConfiguration(json: JSONValue.parse(Data(text.utf8)))
        #expect(parsed.dialect == .fal && parsed.baseURL.absoluteString == "https://queue.fal.run")
        #expect((parsed.adapter as? FalQueueAdapter)?.serverDeadline == 600)
        expectError(.unsupported) {
            _ = try ClientConfiguration(json: JSONValue.parse(Data(#"{"provider":"fal","api_key":"k","prefer_wait":2}"#.utf8)))
        }
    }
}
