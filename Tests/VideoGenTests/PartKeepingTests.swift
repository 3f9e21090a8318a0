import Foundation
import Testing
@testable import VideoGen

/// What a download that fails leaves behind (RELIABILITY.md rows 12 and 19): the part file and its note when the
/// next download can continue them, nothing when it cannot. Over a scripted transport.
@Suite("part files kept by failed downloads")
struct PartKeepingTests {
    let video = Data((0..<10).map { UInt8($0) })
    let base = "http://127.0.0.1:9"

    func client(_ transport: FakeTransport, maxDownloadBytes: Int64? = nil) throws -> VideoGenClient {
        var configuration = try TestConfig.make(.openai, retry: RetryPolicy(maxAttempts: 2, baseDelay: 0, maxDelay: 0))
        configuration.maxDownloadBytes = maxDownloadBytes
        return VideoGenClient(configuration: configuration, transport: transport, random: { 0 })
    }

    var task: TaskSnapshot {
        var snapshot = TaskSnapshot(id: "t", dialect: Dialect.openai.rawValue, baseURL: base, state: .succeeded)
        snapshot.videoURL = base + "/v1/videos/t/content"
        return snapshot
    }

    func part(_ range: Range<Int>, status: Int = 200, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: video.subdata(in: range))
    }

    func withDirectory(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vg-keep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory.path)
    }

    func size(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.size].flatMap { ($0 as? NSNumber)?.intValue }
    }

    @Test("a download that fails after its retries keeps the part and its note; the next download fetches only the rest")
    func failedDownloadIsContinued() async throws {
        try await withDirectory { directory in
            let path = directory + "/v.mp4"
            let failing = FakeTransport([
                .respondThenFail(part(0..<6, headers: ["content-length": "10", "etag": "\"v1\""]), VideoGenError(.network, "reset")),
                .fail(VideoGenError(.network, "reset")),
            ])
            await expectError(.network) { _ = try await client(failing).download(task, to: path) }
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(size(path + ".part") == 6)
            #expect(FileManager.default.fileExists(atPath: path + ".part.resume"))

            let resuming = FakeTransport([
                .respond(part(6..<10, status: 206, headers: ["content-range": "bytes 6-9/10", "etag": "\"v1\""])),
            ])
            let done = try await client(resuming).download(task, to: path)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == video)
            #expect(done.download?.bytes == 10)
            #expect(resuming.requests.first?.header("Range") == "bytes=6-")
            #expect(resuming.requests.first?.header("If-Range") == "\"v1\"")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["v.mp4"])
        }
    }

    @Test("a failed download whose part cannot be continued removes it: no validator, a weak ETag only",
          arguments: [[:], ["etag": "W/\"weak\""]])
    func noValidatorNothingKept(_ validator: [String: String]) async throws {
        try await withDirectory { directory in
            let path = directory + "/v.mp4"
            let headers = validator.merging(["content-length": "10"]) { a, _ in a }
            let failing = FakeTransport([
                .respondThenFail(part(0..<6, headers: headers), VideoGenError(.network, "reset")),
                .respondThenFail(part(0..<6, headers: headers), VideoGenError(.network, "reset")),
            ])
            await expectError(.network) { _ = try await client(failing).download(task, to: path) }
            #expect(failing.requests.count == 2)
            #expect(failing.requests.allSatisfy { $0.header("Range") == nil })
            let left = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(left.isEmpty, "no part, no note: \(left)")
        }
    }

    @Test("a download over the size cap removes its part even with a validator")
    func sizeCapNothingKept() async throws {
        try await withDirectory { directory in
            let path = directory + "/v.mp4"
            let failing = FakeTransport([.respond(part(0..<10, headers: ["etag": "\"v1\""]))])
            await expectError(.tooLarge) { _ = try await client(failing, maxDownloadBytes: 8).download(task, to: path) }
            let left = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(left.isEmpty, "\(left)")
        }
    }
}
