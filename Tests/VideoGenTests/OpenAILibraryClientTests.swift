import Foundation
import Testing
@testable import VideoGen

/// `VideoGenClient.list`, `deleteRemotely`, `remix` and `download(_:variant:to:)` over a scripted transport: what
/// is sent, what comes back, and the refusals for dialects without these operations.
@Suite("openai dialect: list, delete, remix, content variants (client)")
struct OpenAILibraryClientTests {
    let base = "http://127.0.0.1:9"

    func client(_ transport: FakeTransport, _ dialect: Dialect = .openai) throws -> VideoGenClient {
        VideoGenClient(configuration: try TestConfig.make(dialect, base: base, retry: TestConfig.fastRetry),
                       transport: transport, random: { 0 })
    }

    func finished(_ id: String = "video_1") -> TaskSnapshot {
        var snapshot = TaskSnapshot(id: id, dialect: "openai", baseURL: base, state: .succeeded)
        snapshot.videoURL = "\(base)/v1/videos/\(id)/content"
        snapshot.model = "veo-3.1"
        return snapshot
    }

    @Test("a page becomes snapshots of this client that resume")
    func listPage() async throws {
        let body = #"{"object":"list","data":[{"id":"video_2","object":"video","status":"completed","progress":100,"model":"veo-3.1","created_at":1712697600,"remixed_from_video_id":"video_1"},{"id":"video_1","object":"video","status":"in_progress","progress":30}],"first_id":"video_2","last_id":"video_1","has_more":true}"#
        let transport = FakeTransport([.respond(.json(200, body))])
        let page = try await client(transport).list(VideoListQuery(limit: 2, order: .desc))
        #expect(transport.requests.map(\.url.absoluteString) == ["\(base)/v1/videos?limit=2&order=desc"])
        #expect(transport.requests[0].header("Authorization") == "Bearer \(TestConfig.key)")
        #expect(page.tasks.map(\.id) == ["video_2", "video_1"] && page.lastID == "video_1" && page.hasMore)
        #expect(page.tasks[0].state == .succeeded && page.tasks[0].remixedFrom == "video_1" && page.tasks[0].model == "veo-3.1")
        #expect(page.tasks[1].state == .running && page.tasks[1].progress == 30)
        let json = page.json
        #expect(json["has_more"] == true && json["last_id"] == "video_1" && json["data"]?.arrayValue?.count == 2)
        let resumed = try client(FakeTransport([])).resume(record: json["data"]!.arrayValue![0])
        #expect(resumed.id == "video_2" && resumed.videoURL == "\(base)/v1/videos/video_2/content")
    }

    @Test("a list retries a failed request like a poll")
    func listRetries() async throws {
        let transport = FakeTransport([.respond(.json(503, #"{"error":{"message":"busy"}}"#)),
                                       .respond(.json(200, #"{"object":"list","data":[],"has_more":false}"#))])
        let page = try await client(transport).list()
        #expect(page.tasks.isEmpty && transport.requests.count == 2)
    }

    @Test("delete sends DELETE and checks the confirmation; the service's errors come through")
    func delete() async throws {
        let transport = FakeTransport([.respond(.json(200, #"{"id":"video_1","object":"video.deleted","deleted":true}"#)),
                                       .respond(.json(404, #"{"error":{"message":"Video with id 'video_1' not found.","code":"video_not_found"}}"#)),
                                       .respond(.json(200, #"{"id":"video_1","object":"video.deleted","deleted":false}"#))])
        let videos = try client(transport)
        try await videos.deleteRemotely(finished())
        #expect(transport.requests[0].method == "DELETE" && transport.requests[0].url.absoluteString == "\(base)/v1/videos/video_1")
        await expectError(.notFound) { try await videos.deleteRemotely(finished()) }
        await expectError(.protocolError) { try await videos.deleteRemotely(finished()) }
    }

    @Test("remix is sent like a submit and returns the new task")
    func remix() async throws {
        let answer = #"{"id":"video_2","object":"video","status":"queued","progress":0,"model":"veo-3.1","remixed_from_video_id":"video_1"}"#
        let transport = FakeTransport([.respond(.json(200, answer))])
        var request = RemixRequest(prompt: "at night")
        request.idempotencyKey = "remix-key-1"
        let created = try await client(transport).remix(finished(), request)
        #expect(created.id == "video_2" && created.state == .queued && created.remixedFrom == "video_1")
        #expect(created.idempotencyKey == "remix-key-1" && created.model == "veo-3.1" && created.dialect == "openai")
        let sent = transport.requests[0]
        #expect(sent.method == "POST" && sent.url.absoluteString == "\(base)/v1/videos/video_1/remix")
        #expect(sent.header("Idempotency-Key") == "remix-key-1")
        #expect(String(decoding: sent.body ?? Data(), as: UTF8.self) == #"{"prompt":"at night"}"#)
    }

    @Test("a remix whose answer was lost is an unknown outcome, not a second remix")
    func remixUnknownOutcome() async throws {
        let transport = FakeTransport([.fail(VideoGenError(.network, "connection reset"))])
        let videos = try client(transport)
        await expectError(.unknownOutcome) { _ = try await videos.remix(finished(), RemixRequest(prompt: "p")) }
        #expect(transport.requests.count == 1)
    }

    @Test("a still is downloaded from ?variant= and recorded as that variant")
    func variantDownload() async throws {
        let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0]) + Data(repeating: 7, count: 300) + Data([0xFF, 0xD9])
        let transport = FakeTransport([.respond(HTTPResponse(status: 200, headers: ["Content-Type": "image/jpeg",
                                                                                   "Content-Length": "\(jpeg.count)"], body: jpeg))])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("thumb.jpg").path
        let source = finished()
        let updated = try await client(transport).download(source, variant: .thumbnail, to: path)
        #expect(transport.requests.map(\.url.absoluteString) == ["\(base)/v1/videos/video_1/content?variant=thumbnail"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == jpeg)
        #expect(updated.download?.variant == .thumbnail && updated.download?.bytes == Int64(jpeg.count))
        #expect(updated.videoURL == source.videoURL, "the video URL stays the video's")
    }

    @Test("a still of an unfinished task is not ready, before any traffic")
    func variantNotReady() async throws {
        let transport = FakeTransport([])
        let running = TaskSnapshot(id: "video_1", dialect: "openai", baseURL: base, state: .running)
        await expectError(.notReady) { _ = try await client(transport).download(running, variant: .spritesheet, to: "/tmp/vg-never.jpg") }
        #expect(transport.requests.isEmpty)
    }

    @Test("dialects without these operations refuse them by name, before any traffic", arguments: [Dialect.unified, .kling, .routerone, .chat])
    func unsupported(_ dialect: Dialect) async throws {
        let transport = FakeTransport([])
        let videos = try client(transport, dialect)
        var task = TaskSnapshot(id: "t1", dialect: dialect.rawValue, baseURL: base, state: .succeeded)
        task.videoURL = "https://cdn.example.com/t1.mp4"
        let list = await expectError(.unsupported) { _ = try await videos.list() }
        #expect(list?.message.contains("no list operation") == true)
        let delete = await expectError(.unsupported) { try await videos.deleteRemotely(task) }
        #expect(delete?.message.contains("no delete operation") == true)
        let remix = await expectError(.unsupported) { _ = try await videos.remix(task, RemixRequest(prompt: "p")) }
        #expect(remix?.message.contains("no remix operation") == true)
        let still = await expectError(.unsupported) { _ = try await videos.download(task, variant: .thumbnail, to: "/tmp/vg-never.jpg") }
        #expect(still?.message.contains("no thumbnail download operation") == true)
        #expect(transport.requests.isEmpty)
    }

    @Test("a task of another service is refused before any traffic")
    func foreignTask() async throws {
        let transport = FakeTransport([])
        let videos = try client(transport)
        let foreign = TaskSnapshot(id: "video_1", dialect: "openai", baseURL: "https://elsewhere.example.com", state: .succeeded)
        await expectError(.invalidArgument) { try await videos.deleteRemotely(foreign) }
        await expectError(.invalidArgument) { _ = try await videos.remix(foreign, RemixRequest(prompt: "p")) }
        #expect(transport.requests.isEmpty)
    }
}
