import Foundation
import Testing
@testable import VideoGen

/// Two downloads to the same path at once (RELIABILITY.md row 12): the second is refused with `.busy` before it
/// touches the part file, in the same process or from another one; the first ends byte-exact.
@Suite("one download per part file")
struct PartLockTests {
    let base = "http://127.0.0.1:9"

    func task(_ id: String = "blob") -> TaskSnapshot {
        var snapshot = TaskSnapshot(id: id, dialect: Dialect.openai.rawValue, baseURL: base, state: .succeeded)
        snapshot.videoURL = base + "/_emulator/blob/1000"
        return snapshot
    }

    func client(_ transport: any HTTPTransport) throws -> VideoGenClient {
        VideoGenClient(configuration: try TestConfig.make(.openai, retry: TestConfig.fastRetry), transport: transport,
                       random: { 0 })
    }

    @Test("a second sink on a part file in use is refused with .busy and leaves the first one's bytes alone")
    func secondSinkRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vg-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.path + "/v.mp4"
        let input = HashingWriterTests.bytes(300_001, seed: 5)
        let first = try FileSink(path: path, maxBytes: nil, resumeKey: "openai base a") { _, _ in }
        try first.receive(head: HTTPResponseHead(status: 200, headers: ["content-length": "\(input.count)", "etag": "\"e\""]))
        try first.receive(data: Data(input.prefix(100_000)))
        #expect(try first.resumeHeaders().count == 2)             // drains (the bytes are on disk), as a retry does
        let note = try Data(contentsOf: URL(fileURLWithPath: path + ".part.resume"))
        for key in ["openai base a", "openai base b", nil] {     // the same task, another task, no key
            expectError(.busy) { _ = try FileSink(path: path, maxBytes: nil, resumeKey: key) { _, _ in } }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + ".part")) == Data(input.prefix(100_000)), "not truncated")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + ".part.resume")) == note, "note untouched")
        try first.receive(head: HTTPResponseHead(status: 206, headers: ["content-range": "bytes 100000-300000/300001", "etag": "\"e\""]))
        try first.receive(data: Data(input.dropFirst(100_000)))
        let result = try first.commit(to: path)
        #expect(result.sha256 == HashingWriterTests.oneShot(input))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(input))
        // The lock went with the part file: the path is free again.
        let next = try FileSink(path: path, maxBytes: nil) { _, _ in }
        next.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["v.mp4"])
    }

    @Test("a download to a path another download is writing fails at once with .busy, in this process and from another one (C API); the first ends byte-exact")
    func concurrentDownloadsRefused() async throws {
        let body = Data(HashingWriterTests.bytes(2 << 20, seed: 9))
        let gated = GatedTransport(body: body)
        try await withTemporaryDirectory { directory in
            let path = directory + "/video.bin"
            let program = try await CProgram.compile("crash_download.c", in: directory)
            let first = try client(gated)
            let running = Task { try await first.download(task(), to: path) }
            for await _ in gated.halfway { break }               // the first download holds the part file now

            // In this process: the same task, and another task, to the same path.
            for id in ["blob", "other"] {
                let refused = FakeTransport([])
                await expectError(.busy) { _ = try await client(refused).download(task(id), to: path) }
                #expect(refused.requests.isEmpty, "refused before any request")
            }
            // From another process, through the C API.
            let other = try await program.run([base, TestConfig.key, base + "/_emulator/blob/1000", path], timeout: 60)
            #expect(other.status == 1 && other.output.contains("done \(VideoGenError.Code.busy.rawValue) "), "\(other.output)")

            gated.open()
            let done = try await running.value
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == body)
            #expect(done.download?.bytes == Int64(body.count))
            let left = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("video.bin") }
            #expect(left == ["video.bin"], "\(left)")
        }
    }
}
