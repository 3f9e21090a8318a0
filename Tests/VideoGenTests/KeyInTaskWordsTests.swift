import Foundation
import Testing
@testable import VideoGen

/// Issue 11, point 8: a service that repeats the key it was sent in its own words about a task. Thrown errors were
/// already scrubbed; the task's snapshot (its record, and what the getters return) and the `.part.resume` note
/// kept it. Now every text a service supplies is redacted where it is kept, an id that holds the key is refused,
/// and a validator that holds it is not kept.
@Suite("the key in a task's own words")
struct KeyInTaskWordsTests {
    let key = TestConfig.key

    func client(_ dialect: Dialect, _ transport: any HTTPTransport) throws -> VideoGenClient {
        VideoGenClient(configuration: try TestConfig.make(dialect, retry: TestConfig.fastRetry), transport: transport,
                       random: { 0 })
    }

    func expectNoKey(_ snapshot: TaskSnapshot, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!snapshot.json.jsonText.contains(key), "the record holds no key: \(snapshot.json.jsonText)",
                sourceLocation: sourceLocation)
    }

    @Test("a failed task's reason, provider code and model that echo the key are kept redacted: snapshot, record and the error the wait throws")
    func failedTaskRedacted() async throws {
        let submit = #"{"object":"video","id":"video_1","status":"queued","model":"sora-\#(key)"}"#
        let failed = #"{"object":"video","id":"video_1","status":"failed","model":"sora-\#(key)","error":{"code":"refused_\#(key)","message":"the key \#(key) may not generate this"}}"#
        let transport = FakeTransport([.respond(.json(200, submit)), .respond(.json(200, failed))])
        let client = try client(.openai, transport)
        let task = try await client.submit(VideoRequest(model: "sora-2", prompt: "p"))
        #expect(task.model == "sora-<redacted>")
        expectNoKey(task)
        let final = try await client.wait(for: task, timeout: 5, pollImmediately: true)
        #expect(final.state == .failed)
        #expect(final.error?.message == "the key <redacted> may not generate this")
        #expect(final.error?.providerCode == "refused_<redacted>")
        #expect(final.model == "sora-<redacted>")
        expectNoKey(final)
        // `generate` throws the task's own error.
        let again = FakeTransport([.respond(.json(200, submit)), .respond(.json(200, failed))])
        let thrown = await expectError(.taskFailed) {
            _ = try await self.client(.openai, again).generate(VideoRequest(model: "sora-2", prompt: "p"), to: "/nonexistent/v.mp4")
        }
        #expect(thrown.map { !"\($0)".contains(key) && !($0.providerCode ?? "").contains(key) } == true)
    }

    @Test("a chat reply that quotes the key fails the task with the reply redacted")
    func chatReplyRedacted() async throws {
        let reply = #"{"id":"chatcmpl-1","model":"veo-\#(key)","choices":[{"finish_reason":"stop","message":{"role":"assistant","content":"No video: the key \#(key) may not use this model."}}]}"#
        let task = try await client(.chat, FakeTransport([.respond(.json(200, reply))])).submit(VideoRequest(model: "veo-3", prompt: "p"))
        #expect(task.state == .failed)
        #expect(task.error?.message.contains("the key <redacted> may not use this model") == true, "\(task.error?.message ?? "")")
        #expect(task.model == "veo-<redacted>")
        expectNoKey(task)
    }

    @Test("a status word or a video URL that holds the key is redacted; such a URL is not downloaded from")
    func statusAndURLRedacted() async throws {
        let answer = #"{"task_id":"task_1","status":"success","progress":"100%","url":"https://cdn.example.com/v.mp4?key=\#(key)"}"#
        let client = try client(.unified, FakeTransport([.respond(.json(200, answer))]))
        let task = TaskSnapshot(id: "task_1", dialect: "unified", baseURL: "http://127.0.0.1:9")
        let done = try await client.refresh(task)
        #expect(done.videoURL == "https://cdn.example.com/v.mp4?key=<redacted>")
        expectNoKey(done)
        let error = await expectError(.notReady) { _ = try await client.download(done, to: "/tmp/never-\(UUID()).mp4") }
        #expect(error?.message.contains("API key") == true)
    }

    @Test("a task id that holds the key is refused (.protocolError) instead of kept; a record with one is refused too", arguments: [Dialect.openai, .unified, .kling, .routerone, .chat])
    func idWithKeyRefused(_ dialect: Dialect) async throws {
        let transport = FakeTransport([.respond(.json(200, TaskIDSegmentTests.submitAnswer(dialect, id: "task_\(key)")))])
        let error = await expectError(.protocolError) { _ = try await client(dialect, transport).submit(VideoRequest(model: "m", prompt: "p")) }
        #expect(error.map { !$0.message.contains(key) } == true)
        let record: JSONValue = ["record_version": 1, "id": .string("task_\(key)"), "dialect": .string(dialect.rawValue),
                                 "base_url": "http://127.0.0.1:9", "state": "queued"]
        expectError(.invalidArgument) { _ = try self.client(dialect, FakeTransport([])).resume(record: record) }
    }

    @Test("a record written by an earlier version with the key in its words is redacted when resumed")
    func resumedRecordRedacted() throws {
        let record: JSONValue = ["record_version": 1, "id": "video_1", "dialect": "openai", "base_url": "http://127.0.0.1:9",
                                 "state": "failed", "model": .string("m-\(key)"),
                                 "error": ["code": "task_failed", "message": .string("echo \(key)"), "provider_code": .string(key)]]
        let task = try client(.openai, FakeTransport([])).resume(record: record)
        #expect(task.error?.message == "echo <redacted>" && task.error?.providerCode == "<redacted>")
        expectNoKey(task)
    }

    @Test("an ETag or Last-Modified that holds the key is not kept: no note is written and the part is not kept for resuming",
          arguments: ["etag", "last-modified"])
    func validatorWithKeyNotKept(_ header: String) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/v.mp4"
            let sink = try FileSink(path: path, maxBytes: nil, resumeKey: "openai base t", apiKey: APIKey(key)) { _, _ in }
            try sink.receive(head: HTTPResponseHead(status: 200, headers: ["content-length": "10", header: "\"\(key)\""]))
            try sink.receive(data: Data(repeating: 7, count: 4))
            #expect(!FileManager.default.fileExists(atPath: path + ".part.resume"))
            #expect(try sink.resumeHeaders().isEmpty, "nothing to resume against")
            sink.abandon()
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
            #expect(!filesContain(key, in: directory))
        }
    }

    @Test("a dropped download whose ETag holds the key leaves no file with the key (client, in-memory server)")
    func droppedDownloadLeavesNoKey() async throws {
        try await withTemporaryDirectory { directory in
            let body = Data(HashingWriterTests.bytes(100_000, seed: 3))
            let transport = BlobTransport(body: body, etag: "\"\(key)\"", cuts: [40_000, 40_000, 40_000])
            var task = TaskSnapshot(id: "video_1", dialect: "openai", baseURL: "http://127.0.0.1:9", state: .succeeded)
            task.videoURL = "http://127.0.0.1:9/_emulator/blob/100000"
            let error = await expectError(.network) { _ = try await client(.openai, transport).download(task, to: directory + "/v.mp4") }
            #expect(error.map { !"\($0)".contains(key) } == true)
            #expect(transport.requests.allSatisfy { $0.header("If-Range") == nil }, "never resumed against the key")
            #expect(!filesContain(key, in: directory))
        }
    }
}
