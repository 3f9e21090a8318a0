import CVideoGenNative
import Foundation
import Synchronization
import Testing
@testable import VideoGen

/// The download pipeline behind FileSink: ring buffer, hashing thread, writing thread (direct I/O where allowed).
@Suite("hashing writer")
struct HashingWriterTests {
    /// Deterministic pseudo-random bytes (xorshift64).
    static func bytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
        var state = seed
        var result = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            result[index] = UInt8(truncatingIfNeeded: state)
        }
        return result
    }

    static func oneShot(_ bytes: [UInt8]) -> String {
        var digest = SHA256()
        digest.update(bytes)
        return digest.hexDigest()
    }

    /// A fresh file opened for writing, removed afterwards.
    func withFile(flags: Int32 = O_WRONLY | O_CREAT | O_TRUNC, _ body: (Int32, String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vg-hw-\(UUID().uuidString)").path
        let creator = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        try #require(creator >= 0)
        close(creator)
        let descriptor = open(path, flags | O_CLOEXEC, 0o644)
        try #require(descriptor >= 0)
        defer {
            close(descriptor)
            unlink(path)
        }
        try body(descriptor, path)
    }

    /// Feeds `input` in pieces of changing sizes (1 byte to ~70 KB, like network chunks and odder).
    static func feed(_ writer: HashingWriter, _ input: [UInt8]) throws {
        try input.withUnsafeBytes { raw in
            var offset = 0
            var size = 1
            while offset < raw.count {
                let end = min(raw.count, offset + size)
                try writer.submit(UnsafeRawBufferPointer(rebasing: raw[offset..<end]))
                offset = end
                size = size * 7 % 70_001 + 1
            }
        }
    }

    /// Whether the temporary directory's file system takes O_DIRECT.
    static var directIOSupported: Bool {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vg-probe-\(UUID().uuidString)").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer {
            close(descriptor)
            unlink(path)
        }
        return videogen_set_direct_io(descriptor, 1) == 0
    }

    @Test("5 MB in uneven pieces through a 64 KiB ring: the file and the digest equal the input", arguments: [true, false])
    func contentAndDigest(directIO: Bool) throws {
        let input = HashingWriterTests.bytes(5_000_123)
        try withFile { descriptor, path throws in
            let writer = HashingWriter(descriptor: descriptor, path: path, capacity: 64 << 10, directIO: directIO)
            try HashingWriterTests.feed(writer, input)
            let digest = try writer.finish()
            let direct = writer.bytesWrittenDirectly
            writer.close()
            #expect(digest.hexDigest() == HashingWriterTests.oneShot(input))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(input))
            if !directIO {
                #expect(direct == 0)
            } else if HashingWriterTests.directIOSupported {
                #expect(direct >= Int64(input.count) - 4096, "only the unaligned tail is written through the page cache")
                #expect(direct % 4096 == 0)
            }
        }
    }

    @Test("drain writes everything queued so far (the tail too); more bytes after it go on where it stopped")
    func drainMidway() throws {
        let input = HashingWriterTests.bytes(3_000_001, seed: 7)
        try withFile { descriptor, path throws in
            let writer = HashingWriter(descriptor: descriptor, path: path, capacity: 256 << 10)
            try HashingWriterTests.feed(writer, Array(input[..<1_234_567]))
            try writer.drain()
            var status = stat()
            #expect(fstat(descriptor, &status) == 0 && status.st_size == 1_234_567)
            try HashingWriterTests.feed(writer, Array(input[1_234_567...]))
            let digest = try writer.finish()
            writer.close()
            #expect(digest.hexDigest() == HashingWriterTests.oneShot(input))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(input))
        }
    }

    @Test("reset forgets what was hashed; with the file emptied, the next bytes make the whole file")
    func reset() throws {
        let first = HashingWriterTests.bytes(700_000, seed: 1)
        let second = HashingWriterTests.bytes(900_000, seed: 2)
        try withFile { descriptor, path throws in
            let writer = HashingWriter(descriptor: descriptor, path: path, capacity: 128 << 10)
            try HashingWriterTests.feed(writer, first)
            try writer.reset()
            #expect(ftruncate(descriptor, 0) == 0 && lseek(descriptor, 0, SEEK_SET) == 0)
            try HashingWriterTests.feed(writer, second)
            let digest = try writer.finish()
            writer.close()
            #expect(digest.hexDigest() == HashingWriterTests.oneShot(second))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(second))
        }
    }

    @Test("a write error comes back from drain and from later submits, as .io")
    func writeError() throws {
        try withFile(flags: O_RDONLY) { descriptor, path throws in
            let writer = HashingWriter(descriptor: descriptor, path: path, capacity: 64 << 10)
            try HashingWriterTests.bytes(10_000).withUnsafeBytes { try writer.submit($0) }
            #expect { try writer.drain() } throws: { ($0 as? VideoGenError)?.code == .io }
            // The writer stopped: the ring fills and submit reports the error instead of blocking for ever.
            let more = HashingWriterTests.bytes(1 << 20)
            #expect { try HashingWriterTests.feed(writer, more) } throws: { ($0 as? VideoGenError)?.code == .io }
            #expect { try writer.finish() } throws: { ($0 as? VideoGenError)?.code == .io }
            writer.close()
        }
    }

    @Test("close stops the threads without writing the rest; later submits and drains fail instead of blocking")
    func closeEarly() throws {
        try withFile { descriptor, path throws in
            let writer = HashingWriter(descriptor: descriptor, path: path, capacity: 64 << 10)
            try HashingWriterTests.bytes(100_000).withUnsafeBytes { try writer.submit($0) }
            writer.close()
            writer.close()
            #expect { try HashingWriterTests.bytes(10).withUnsafeBytes { try writer.submit($0) } } throws: {
                ($0 as? VideoGenError)?.code == .cancelled
            }
            #expect(throws: VideoGenError.self) { try writer.finish() }
        }
    }

    @Test("a writer that never got bytes finishes with the empty digest and writes nothing")
    func empty() throws {
        try withFile { descriptor, path throws in
            let writer = HashingWriter(descriptor: descriptor, path: path)
            #expect(try writer.finish().hexDigest() == HashingWriterTests.oneShot([]))
            writer.close()
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
        }
    }

    @Test("the ring bounds memory: the producer waits while the consumers are behind (never more than the ring ahead)")
    func backpressure() throws {
        try withFile { descriptor, path throws in
            let capacity = 64 << 10
            let writer = HashingWriter(descriptor: descriptor, path: path, capacity: capacity, directIO: false)
            let input = HashingWriterTests.bytes(4 << 20, seed: 3)
            var maxAhead: Int64 = 0
            try input.withUnsafeBytes { raw in
                for start in stride(from: 0, to: raw.count, by: 8192) {
                    try writer.submit(UnsafeRawBufferPointer(rebasing: raw[start..<min(raw.count, start + 8192)]))
                    var status = stat()
                    fstat(descriptor, &status)
                    maxAhead = max(maxAhead, Int64(min(raw.count, start + 8192)) - Int64(status.st_size))
                }
            }
            _ = try writer.finish()
            writer.close()
            #expect(maxAhead <= Int64(capacity), "submitted bytes ran \(maxAhead) ahead of the file")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(input))
        }
    }
}
