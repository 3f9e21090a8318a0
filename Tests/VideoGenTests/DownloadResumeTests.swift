import Foundation
import Testing
@testable import VideoGen

/// Resumable downloads over a scripted transport: Range + If-Range after a drop, restarts when the server ignores
/// the range or resumes at the wrong place, 416 on a complete part, fresh URLs for expired signed ones.
@Suite("resumable downloads")
struct DownloadResumeTests {
    let video = Data((0..<10).map { UInt8($0) })
    let base = "http://127.0.0.1:9"

    var wholeDigest: String {
        var digest = SHA256()
        digest.update(Array(video))
        return digest.hexDigest()
    }

    func client(_ transport: FakeTransport, dialect: Dialect = .openai) throws -> VideoGenClient {
        VideoGenClient(configuration: try TestConfig.make(dialect, retry: RetryPolicy(maxAttempts: 4, baseDelay: 0, maxDelay: 0)),
                       transport: transport, random: { 0 })
    }

    func succeeded(url: String, dialect: Dialect = .openai) -> TaskSnapshot {
        var snapshot = TaskSnapshot(id: "t", dialect: dialect.rawValue, baseURL: base, state: .succeeded)
        snapshot.videoURL = url
        return snapshot
    }

    func withDirectory(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory.path)
    }

    func part(_ range: Range<Int>, status: Int = 200, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: video.subdata(in: range))
    }

    @Test("a dropped transfer resumes with Range and If-Range and ends byte-exact")
    func resumes() async throws {
        try await withDirectory { directory in
            let transport = FakeTransport([
                .respondThenFail(part(0..<6, headers: ["content-length": "10", "etag": "\"v1\""]), VideoGenError(.network, "reset")),
                .respond(part(6..<10, status: 206, headers: ["content-range": "bytes 6-9/10", "etag": "\"v1\""])),
            ])
            let path = directory + "/v.mp4"
            let done = try await client(transport).download(succeeded(url: base + "/v1/videos/t/content"), to: path)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == video)
            #expect(done.download?.sha256 == wholeDigest)
            let second = transport.requests[1]
            #expect(second.header("Range") == "bytes=6-")
            #expect(second.header("If-Range") == "\"v1\"")
            #expect(transport.requests.count == 2, "re-fetched only the missing 4 bytes")
        }
    }

    @Test("a server that ignores the range, or resumes at the wrong offset, restarts the file from zero")
    func restarts() async throws {
        try await withDirectory { directory in
            let transport = FakeTransport([
                .respondThenFail(part(0..<6, headers: ["content-length": "10", "etag": "\"v1\""]), VideoGenError(.network, "reset")),
                .respond(part(3..<10, status: 206, headers: ["content-range": "bytes 3-9/10", "etag": "\"v1\""])),
                .respondThenFail(part(0..<4, headers: ["content-length": "10", "etag": "\"v2\""]), VideoGenError(.network, "reset")),
                .respond(part(0..<10, headers: ["content-length": "10", "etag": "\"v2\""])),
            ])
            let path = directory + "/v.mp4"
            let done = try await client(transport).download(succeeded(url: base + "/v1/videos/t/content"), to: path)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == video)
            #expect(done.download?.sha256 == wholeDigest)
            #expect(transport.requests[2].header("Range") == nil, "after a bad resume the part was dropped")
            #expect(transport.requests[3].header("Range") == "bytes=4-")
        }
    }

    @Test("without a validator a retry starts over instead of splicing")
    func noValidator() async throws {
        try await withDirectory { directory in
            let transport = FakeTransport([
                .respondThenFail(part(0..<6, headers: ["content-length": "10"]), VideoGenError(.network, "reset")),
                .respond(part(0..<10, headers: ["content-length": "10"])),
            ])
            let path = directory + "/v.mp4"
            _ = try await client(transport).download(succeeded(url: base + "/v1/videos/t/content"), to: path)
            #expect(transport.requests[1].header("Range") == nil)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == video)
        }
    }

    @Test("416 on a complete part publishes it; 416 on an incomplete one starts over")
    func rangeNotSatisfiable() async throws {
        try await withDirectory { directory in
            let transport = FakeTransport([
                .respondThenFail(part(0..<10, headers: ["etag": "\"v1\""]), VideoGenError(.network, "reset before the end")),
                .respond(HTTPResponse(status: 416, headers: ["content-range": "bytes */10"])),
            ])
            let path = directory + "/a.mp4"
            let done = try await client(transport).download(succeeded(url: base + "/v1/videos/t/content"), to: path)
            #expect(done.download?.bytes == 10 && done.download?.sha256 == wholeDigest)

            let again = FakeTransport([
                .respondThenFail(part(0..<6, headers: ["content-length": "10", "etag": "\"v1\""]), VideoGenError(.network, "reset")),
                .respond(HTTPResponse(status: 416, headers: ["content-range": "bytes */12"])),
                .respond(part(0..<10, headers: ["content-length": "10"])),
            ])
            _ = try await client(again).download(succeeded(url: base + "/v1/videos/t/content"), to: directory + "/b.mp4")
            #expect(again.requests[2].header("Range") == nil)
            #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/b.mp4")) == video)
        }
    }

    @Test("an expired signed URL is replaced by polling the task again, then the download resumes")
    func expiredURL() async throws {
        try await withDirectory { directory in
            let fresh = "http://127.0.0.1:10/files/t.mp4?sig=new"
            let transport = FakeTransport([
                .respond(.json(403, #"{"error":"AccessDenied","message":"Request has expired"}"#)),
                .respond(.json(200, "{\"task_id\":\"t\",\"status\":\"completed\",\"url\":\"\(fresh)\"}")),
                .respond(part(0..<10, headers: ["content-length": "10"])),
            ])
            let path = directory + "/v.mp4"
            _ = try await client(transport, dialect: .unified).download(succeeded(url: "http://127.0.0.1:10/files/t.mp4?sig=old", dialect: .unified), to: path)
            #expect(transport.requests[1].url.path == "/v1/video/generations/t")
            #expect(transport.requests[2].url.absoluteString == fresh)
            #expect(transport.requests[2].header("Authorization") == nil)
        }
    }

    @Test("expired URLs are refreshed at most three times")
    func refreshLimit() async throws {
        try await withDirectory { directory in
            var script: [FakeTransport.Outcome] = []
            for _ in 0..<4 {
                script.append(.respond(.json(403, #"{"message":"expired"}"#)))
                script.append(.respond(.json(200, #"{"task_id":"t","status":"completed","url":"http://127.0.0.1:10/x"}"#)))
            }
            let transport = FakeTransport(script)
            await expectError(.permission) {
                _ = try await client(transport, dialect: .unified).download(succeeded(url: "http://127.0.0.1:10/x", dialect: .unified), to: directory + "/v.mp4")
            }
            #expect(transport.requests.count == 7, "4 downloads and 3 refreshes")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(leftovers.isEmpty)
        }
    }

    @Test("Content-Range parsing", arguments: [
        ("bytes 0-9/10", ContentRange?.some(ContentRange(first: 0, last: 9, total: 10))),
        ("bytes 5-9/*", ContentRange(first: 5, last: 9, total: nil)),
        ("bytes */10", ContentRange(first: nil, last: nil, total: 10)),
        ("BYTES 1-1/2", ContentRange(first: 1, last: 1, total: 2)),
        ("bytes 9-5/10", nil), ("bytes 0-10/10", nil), ("bytes */*", nil), ("bytes -1-5/10", nil),
        ("bytes 0-5", nil), ("items 0-5/10", nil), ("bytes 0-99999999999999999999/1", nil), ("", nil),
        ("bytes 1-2/3/4", nil), ("bytes a-b/c", nil),
    ])
    func contentRange(_ text: String, _ expected: ContentRange?) {
        #expect(ContentRange(text) == expected)
    }
}

extension ContentRange {
    init(first: Int64?, last: Int64?, total: Int64?) {
        self = ContentRange("bytes */1")!
        self.first = first
        self.last = last
        self.total = total
    }
}
