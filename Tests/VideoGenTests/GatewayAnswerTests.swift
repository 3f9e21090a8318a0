import Foundation
import Testing
@testable import VideoGen

/// Gateway answers as new-api's Go code writes them (github.com/QuantumNous/new-api; each fixture names the file it
/// mirrors): a finished task without a URL (the content proxy is asked), the gateway's own content route named under
/// another address (fetched from the configured base URL, with the key), and empty fields that must not blank known
/// values.
@Suite("gateway answers as new-api writes them")
struct GatewayAnswerTests {
    static let base = "https://gw.example.com"
    static let proxy = base + "/v1/videos/task_Vx2/content"

    // MARK: - Recorded bodies

    /// A Vertex (Veo) task whose result is inline base64: service/task_polling.go and relay/relay_task.go
    /// (`tryRealtimeFetch`) keep a `data:` URI out of `ResultURL`; without a realtime answer the fetch falls back to
    /// `TaskModel2Dto`, whose `result_url` is `omitempty` (dto/task.go), so the envelope has none.
    static let taskDtoInline = #"""
        {"code":"success","message":"","data":{"id":7,"created_at":1764590000,"updated_at":1764590090,"task_id":"task_Vx2","platform":"41","user_id":1,"group":"default","channel_id":3,"quota":0,"action":"textGenerate","status":"SUCCESS","fail_reason":"","submit_time":1764590000,"start_time":1764590005,"finish_time":1764590090,"progress":"100%","properties":{"input":"","upstream_model_name":"veo-3.0-generate-001","origin_model_name":"veo-3.0-generate-001"},"data":{"name":"projects/p/locations/us-central1/publishers/google/models/veo-3.0-generate-001/operations/op1","done":true,"response":{"@type":"type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse","videos":[{"mimeType":"video/mp4"}]}}}}
        """#

    /// The same task's realtime answer: relay/relay_task.go `tryRealtimeFetch` builds a map (keys sorted by Go's
    /// encoder) with `"url": task.GetResultURL()`, empty for an inline result.
    static let realtimeInline = #"""
        {"code":"success","message":"","data":{"error":null,"format":"mp4","metadata":null,"status":"succeeded","task_id":"task_Vx2","url":""}}
        """#

    /// A finished task whose `result_url` is the gateway's own content route, built by
    /// relay/channel/task/taskcommon/helpers.go `BuildProxyURL` from `system_setting.ServerAddress`, whose default is
    /// `http://localhost:3000` (setting/system_setting/system_setting_old.go); service/task_polling.go stores it for an
    /// inline or URL-less upstream result.
    static let taskDtoProxy = #"""
        {"code":"success","message":"","data":{"id":7,"created_at":1764590000,"updated_at":1764590090,"task_id":"task_Vx2","platform":"41","user_id":1,"group":"default","channel_id":3,"quota":0,"action":"textGenerate","status":"SUCCESS","fail_reason":"","result_url":"http://localhost:3000/v1/videos/task_Vx2/content","submit_time":1764590000,"start_time":1764590005,"finish_time":1764590090,"progress":"100%","properties":{"input":"","upstream_model_name":"veo-3.0-generate-001","origin_model_name":"veo-3.0-generate-001"},"data":null}}
        """#

    /// A Kling task on `GET /v1/videos/{id}`: relay/channel/task/kling/adaptor.go `ConvertToOpenAIVideo` never sets
    /// `Model`, and dto/openai_video.go `OpenAIVideo.Model` has no `omitempty`: `"model": ""`. Timestamps are
    /// Kling's milliseconds.
    static let klingVideoRunning = #"""
        {"id":"task_K1","object":"video","model":"","status":"in_progress","progress":30,"created_at":1764590000123,"completed_at":1764590030456}
        """#
    static let klingVideoDone = #"""
        {"id":"task_K1","object":"video","model":"","status":"completed","progress":100,"created_at":1764590000123,"completed_at":1764590090456,"seconds":"5.1","metadata":{"url":"https://v15-kling.klingai.com/bs2/upload-ylab-stunt/k1.mp4"}}
        """#

    // MARK: - Helpers

    static func client(_ dialect: Dialect, transport: any HTTPTransport, statusRoute: UnifiedTaskAdapter.StatusRoute = .generations) throws -> VideoGenClient {
        var configuration = try TestConfig.make(dialect, base: base, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0, maxDelay: 0),
                                                poll: PollPolicy(interval: 0.01, maxInterval: 0.01, multiplier: 1, jitter: 0, minInterval: 0))
        configuration.statusRoute = statusRoute
        return VideoGenClient(configuration: configuration, transport: transport, random: { 0 })
    }

    static func task(_ id: String = "task_Vx2", dialect: Dialect = .unified, state: TaskState = .running) -> TaskSnapshot {
        TaskSnapshot(id: id, dialect: dialect.rawValue, baseURL: base, state: state)
    }

    static let firstByte = HTTPResponse(status: 206, headers: ["content-range": "bytes 0-0/3898", "content-type": "video/mp4"],
                                        body: Data([0]))

    // MARK: - 1. A finished task without a URL asks the content proxy

    @Test("the parser names the content proxy of a URL-less success in every unified shape", arguments: [taskDtoInline, realtimeInline])
    func contentRoute(_ body: String) throws {
        let report = try UnifiedTaskAdapter().parseStatus(.json(200, body), taskID: "task_Vx2", baseURL: URL(string: Self.base)!)
        #expect(report.state == .succeeded)
        #expect(report.videoURL == nil)
        #expect(report.contentRoute == Self.proxy)
        // The other gateway dialects have no proxy to ask.
        let kling = try KlingAdapter().parseStatus(.json(200, body), taskID: "task_Vx2", baseURL: URL(string: Self.base)!)
        #expect(kling.contentRoute == nil)
    }

    @Test("a URL-less success downloads through the content proxy: asked with the key, one byte, then fetched", arguments: [taskDtoInline, realtimeInline])
    func inlineSucceeds(_ body: String) async throws {
        let transport = FakeTransport([.respond(.json(200, body)), .respond(Self.firstByte)])
        let client = try Self.client(.unified, transport: transport)
        let done = try await client.refresh(Self.task())
        #expect(done.state == .succeeded)
        #expect(done.videoURL == Self.proxy)
        let probe = try #require(transport.requests.last)
        #expect(probe.url.absoluteString == Self.proxy)
        #expect(probe.method == "GET")
        #expect(probe.header("Range") == "bytes=0-0")
        #expect(probe.header("Authorization") == "Bearer \(TestConfig.key)")
    }

    @Test("a proxy that ignores the range is cut off at its head, not read to the end")
    func proxyIgnoringRange() async throws {
        let whole = HTTPResponse(status: 200, headers: ["content-type": "video/mp4", "content-length": "3898"],
                                 body: Data(repeating: 7, count: 3898))
        let transport = FakeTransport([.respond(.json(200, Self.realtimeInline)), .respond(whole)])
        let done = try await Self.client(.unified, transport: transport).refresh(Self.task())
        #expect(done.state == .succeeded && done.videoURL == Self.proxy)
    }

    @Test("the task fails only when the proxy answers 404 (or 410)", arguments: [404, 410])
    func proxyHasNone(_ status: Int) async throws {
        let transport = FakeTransport([
            .respond(.json(200, Self.taskDtoInline)),
            .respond(.json(status, #"{"error":{"message":"Task not found","type":"invalid_request_error"}}"#)),
        ])
        let done = try await Self.client(.unified, transport: transport).refresh(Self.task())
        #expect(done.state == .failed)
        #expect(done.error?.code == .taskFailed)
        #expect(done.error?.message == "the service reported the task finished but returned no video")
        #expect(transport.requests.count == 2, "the proxy was asked")
    }

    @Test("a proxy that fails otherwise is no verdict: the wait polls again and succeeds")
    func proxyTransientFailure() async throws {
        let transport = FakeTransport([
            .respond(.json(200, Self.taskDtoInline)),
            .respond(.json(502, #"{"error":{"message":"Failed to fetch video content","type":"server_error"}}"#)),
            .respond(.json(200, Self.taskDtoInline)),
            .respond(Self.firstByte),
        ])
        let client = try Self.client(.unified, transport: transport)
        await expectError(.server) { _ = try await client.refresh(Self.task()) }
        let transport2 = FakeTransport([
            .respond(.json(200, Self.taskDtoInline)),
            .respond(.json(502, #"{"error":{"message":"Failed to fetch video content","type":"server_error"}}"#)),
            .respond(.json(200, Self.taskDtoInline)),
            .respond(Self.firstByte),
        ])
        let done = try await Self.client(.unified, transport: transport2).wait(for: Self.task(), timeout: 30, pollImmediately: true)
        #expect(done.state == .succeeded && done.videoURL == Self.proxy)
        #expect(transport2.requests.count == 4)
    }

    @Test("a whole job: submit, a URL-less success, the video through the proxy")
    func wholeJobThroughProxy() async throws {
        let video = Data("the whole video".utf8)
        let transport = FakeTransport([
            .respond(.json(200, #"{"id":"task_Vx2","task_id":"task_Vx2","object":"video","model":"veo-3.0-generate-001","status":"queued","progress":0,"created_at":1764590000}"#)),
            .respond(.json(200, Self.realtimeInline)),
            .respond(Self.firstByte),
            .respond(HTTPResponse(status: 200, headers: ["content-length": "\(video.count)"], body: video)),
        ])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString).mp4").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let done = try await Self.client(.unified, transport: transport)
            .generate(VideoRequest(model: "veo-3.0-generate-001", prompt: "p"), to: path, timeout: 30)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == video)
        #expect(done.download?.bytes == Int64(video.count))
        let download = transport.requests[3]
        #expect(download.url.absoluteString == Self.proxy && download.header("Authorization") == "Bearer \(TestConfig.key)")
    }

    // MARK: - 2. The gateway's own content route under another address

    /// One download of a succeeded task whose video URL is `url`; returns the request sent.
    static func downloadRequest(_ url: String) async throws -> HTTPRequest {
        let transport = BlobTransport(body: Data("video".utf8))
        var snapshot = task(state: .succeeded)
        snapshot.videoURL = url
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString).mp4").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try await client(.unified, transport: transport).download(snapshot, to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("video".utf8))
        return try #require(transport.requests.first)
    }

    @Test("result_url built from the gateway's server address downloads from the configured base URL, with the key")
    func proxyOnOtherOrigin() async throws {
        let report = try UnifiedTaskAdapter().parseStatus(.json(200, Self.taskDtoProxy), taskID: "task_Vx2", baseURL: URL(string: Self.base)!)
        let snapshot = Self.task().applying(report, at: 1)
        #expect(snapshot.videoURL == "http://localhost:3000/v1/videos/task_Vx2/content", "the record keeps what the service said")
        let request = try await Self.downloadRequest(try #require(snapshot.videoURL))
        #expect(request.url.absoluteString == Self.proxy)
        #expect(request.header("Authorization") == "Bearer \(TestConfig.key)")
    }

    @Test("every other foreign URL is fetched as it is, without the key", arguments: [
        "https://cdn.example.com/v1/videos/task_other/content",      // another task's route
        "https://cdn.example.com/files/task_Vx2.mp4?sig=1",         // a signed CDN URL
        "https://cdn.example.com/v1/videos/task_Vx2/content/more",  // not the route
        "https://cdn.example.com/v1/video/task_Vx2/content",        // not the route
    ])
    func foreignStaysKeyless(_ url: String) async throws {
        let request = try await Self.downloadRequest(url)
        #expect(request.url.absoluteString == url)
        #expect(request.header("Authorization") == nil)
    }

    @Test("ContentProxy.relocated: only this task's route on another origin moves", arguments: [
        ("http://localhost:3000/v1/videos/task_Vx2/content", "https://gw.example.com/v1/videos/task_Vx2/content"),
        ("https://old.example.com/newapi/v1/videos/task_Vx2/content", "https://gw.example.com/v1/videos/task_Vx2/content"),
        ("http://10.0.0.5:3000/v1/videos/task_Vx2/content?variant=video", "https://gw.example.com/v1/videos/task_Vx2/content?variant=video"),
        ("http://localhost:3000/v1/videos/task%5FVx2/content", "https://gw.example.com/v1/videos/task_Vx2/content"),
        ("https://gw.example.com/v1/videos/task_Vx2/content", nil),     // already the configured origin
        ("http://gw.example.com/v1/videos/task_Vx2/content", "https://gw.example.com/v1/videos/task_Vx2/content"),
        ("http://localhost:3000/v1/videos/task_Vx3/content", nil),
        ("http://localhost:3000/videos/task_Vx2/content", nil),
        ("http://localhost:3000/v1/videos/task_Vx2", nil),
        ("http://localhost:3000/v1/videos/task%ZZ/content", nil),       // not percent-encoding
        ("http://localhost:3000/v1/videos/task_Vx%32/content", "https://gw.example.com/v1/videos/task_Vx2/content"),
        ("http://localhost:3000/v1/videos/%FF/content", nil),           // not UTF-8
    ] as [(String, String?)])
    func relocation(_ url: String, _ expected: String?) throws {
        let moved = ContentProxy.relocated(URL(string: url)!, taskID: "task_Vx2", baseURL: URL(string: Self.base)!)
        #expect(moved?.absoluteString == expected)
    }

    // MARK: - 3. Empty fields never blank known values

    @Test("an answer with an empty model keeps the task's model, in the unified and openai dialects", arguments: [
        (Dialect.unified, UnifiedTaskAdapter.StatusRoute.videos), (.openai, .generations),
    ])
    func emptyModel(_ dialect: Dialect, _ route: UnifiedTaskAdapter.StatusRoute) async throws {
        let transport = FakeTransport([.respond(.json(200, Self.klingVideoRunning)), .respond(.json(200, Self.klingVideoDone))])
        let client = try Self.client(dialect, transport: transport, statusRoute: route)
        var start = Self.task("task_K1", dialect: dialect)
        start.model = "kling-v2-master"
        let running = try await client.refresh(start)
        #expect(running.model == "kling-v2-master")
        #expect(running.progress == 30)
        let done = try await client.refresh(running)
        #expect(done.model == "kling-v2-master")
        #expect(done.state == .succeeded)
        #expect(done.json["model"] == "kling-v2-master")
    }

    @Test("applying: empty strings keep the known values; real values replace them")
    func applyingEmpty() {
        var start = Self.task()
        start.model = "veo-3.1"
        start.providerStatus = "IN_PROGRESS"
        start.videoURL = nil
        var report = StatusReport(state: .running)
        report.model = ""
        report.providerStatus = ""
        report.id = ""
        let same = start.applying(report, at: 2)
        #expect(same.model == "veo-3.1" && same.providerStatus == "IN_PROGRESS" && same.id == "task_Vx2")
        report.model = "veo-3.1-fast"
        report.providerStatus = "QUEUED"
        let changed = start.applying(report, at: 3)
        #expect(changed.model == "veo-3.1-fast" && changed.providerStatus == "QUEUED")
        var done = StatusReport(state: .succeeded)
        done.videoURL = ""
        #expect(start.applying(done, at: 4).state == .failed, "an empty URL is no video")
    }
}
