import Foundation
import Synchronization
import Testing
@testable import VideoGen

/// FileSink on its own, fed like the transport feeds it: network-sized chunks.
@Suite("file sink")
struct FileSinkTests {
    func withPath(_ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vg-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory.path + "/v.mp4")
    }

    @Test("10 MiB in 16 KiB chunks: byte-exact file, one-shot digest, progress coalesced to about one call per MiB")
    func chunkedBody() throws {
        let input = HashingWriterTests.bytes(10 << 20, seed: 11)
        try withPath { path throws in
            let calls = Mutex<[(Int64, Int64?)]>([])
            let sink = try FileSink(path: path, maxBytes: nil) { received, total in calls.withLock { $0.append((received, total)) } }
            #expect(sink.isBulk)
            try sink.receive(head: HTTPResponseHead(status: 200, headers: ["content-length": "\(input.count)", "etag": "\"e\""]))
            for start in stride(from: 0, to: input.count, by: 16384) {
                try sink.receive(data: Data(input[start..<min(input.count, start + 16384)]))
            }
            let result = try sink.commit(to: path)
            #expect(result.bytes == Int64(input.count))
            #expect(result.sha256 == HashingWriterTests.oneShot(input))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(input))
            #expect(!FileManager.default.fileExists(atPath: path + ".part"))
            let seen = calls.withLock { $0 }
            #expect(seen.count >= 11 && seen.count <= 12, "\(seen.count) progress calls")
            #expect(seen.first?.0 == 0 && seen.last?.0 == Int64(input.count))
            #expect(seen.allSatisfy { $0.1 == Int64(input.count) })
            #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.0 < $1.0 })
        }
    }

    @Test("an error answer's body stays in memory (64 KiB at most) and nothing reaches the part file")
    func errorBody() throws {
        try withPath { path throws in
            let sink = try FileSink(path: path, maxBytes: nil) { _, _ in }
            try sink.receive(head: HTTPResponseHead(status: 404, headers: [:]))
            for _ in 0..<10 { try sink.receive(data: Data(repeating: 0x41, count: 16384)) }
            #expect(sink.errorResponse.status == 404)
            #expect(sink.errorResponse.body.count == 65536)
            #expect(sink.received == 0)
            let attributes = try FileManager.default.attributesOfItem(atPath: path + ".part")
            #expect((attributes[.size] as? NSNumber)?.intValue == 0)
            sink.abandon()
            #expect(!FileManager.default.fileExists(atPath: path + ".part"))
        }
    }

    @Test("abandon keeps a part that holds bytes, has a validator and a note; bytes over the size cap are removed",
          arguments: [false, true])
    func abandonKeepsOrRemoves(_ overCap: Bool) throws {
        try withPath { path throws in
            let sink = try FileSink(path: path, maxBytes: overCap ? 8 : nil, resumeKey: "openai base t") { _, _ in }
            try sink.receive(head: HTTPResponseHead(status: 200, headers: ["etag": "\"v1\""]))
            try sink.receive(data: Data(repeating: 1, count: 6))
            if overCap {
                #expect(throws: VideoGenError.self) { try sink.receive(data: Data(repeating: 2, count: 6)) }
            }
            sink.abandon()
            sink.abandon()
            let kept = FileManager.default.fileExists(atPath: path + ".part")
            #expect(kept == !overCap)
            #expect(FileManager.default.fileExists(atPath: path + ".part.resume") == !overCap)
            if kept { #expect(try Data(contentsOf: URL(fileURLWithPath: path + ".part")) == Data(repeating: 1, count: 6)) }
        }
    }

    @Test("a restart from zero (200 after a partial body) drops the queued bytes and the digest starts over")
    func restartDropsQueuedBytes() throws {
        let first = HashingWriterTests.bytes(3 << 20, seed: 21)
        let second = HashingWriterTests.bytes(5 << 20, seed: 22)
        try withPath { path throws in
            let sink = try FileSink(path: path, maxBytes: nil) { _, _ in }
            try sink.receive(head: HTTPResponseHead(status: 200, headers: ["content-length": "\(8 << 20)", "etag": "\"a\""]))
            try sink.receive(data: Data(first))
            _ = try sink.resumeHeaders()
            try sink.receive(head: HTTPResponseHead(status: 200, headers: ["content-length": "\(second.count)", "etag": "\"b\""]))
            for start in stride(from: 0, to: second.count, by: 16384) {
                try sink.receive(data: Data(second[start..<min(second.count, start + 16384)]))
            }
            let result = try sink.commit(to: path)
            #expect(result.sha256 == HashingWriterTests.oneShot(second))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(second))
        }
    }
}
