import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Streams one download into `<path>.part` across as many attempts as it takes: counts and hashes the bytes, keeps
/// them between attempts so a retry can resume with `Range` + `If-Range`, restarts from zero when the server
/// ignores the range or the file changed, enforces the size cap, reports progress, and finally syncs and renames
/// the file into place so that the final path never holds a partial file. Error answers (non-2xx) are kept in
/// memory (64 KiB at most) instead, to be read as an error body.
///
/// Body bytes go through a `HashingWriter`: the transport thread copies them into its ring buffer, its own threads
/// hash and write them. Everything that looks at the file (resuming, truncating, committing) drains it first.
final class FileSink: ResponseSink {
    /// Progress is reported after at least this many new bytes (and on every head), not for every network chunk.
    static let progressStep: Int64 = 1 << 20

    private struct State {
        var descriptor: Int32
        var received: Int64 = 0
        var total: Int64?
        var validator: String?
        var status = 0
        var rangeNotSatisfiable: ContentRange?
        var errorBody = Data()
        var reported: Int64 = -1
        var closed = false
    }

    let partPath: String
    private let maxBytes: Int64?
    private let onProgress: @Sendable (Int64, Int64?) -> Void
    private let state: Mutex<State>
    private let writer: HashingWriter

    /// A download's body: the transport may hand it over on its network thread, where blocking is flow control.
    var isBulk: Bool { true }

    /// Opens (creating or truncating) `<path>.part`.
    init(path: String, maxBytes: Int64?, onProgress: @escaping @Sendable (Int64, Int64?) -> Void) throws {
        partPath = path + ".part"
        self.maxBytes = maxBytes
        self.onProgress = onProgress
        let descriptor = open(partPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw VideoGenError(.io, "cannot create '\(partPath)': \(String(cString: strerror(errno)))")
        }
        state = Mutex(State(descriptor: descriptor))
        writer = HashingWriter(descriptor: descriptor, path: partPath)
    }

    deinit {
        discard()
    }

    /// The headers that resume the download where the part file ends, when the server gave a validator to
    /// resume against; none (and the part emptied) otherwise.
    func resumeHeaders() throws -> [(name: String, value: String)] {
        try state.withLock { state in
            state.status = 0
            state.rangeNotSatisfiable = nil
            state.errorBody = Data()
            if !state.closed { try writer.drain() }
            guard state.received > 0, let validator = state.validator else {
                try truncate(&state)
                return []
            }
            return [("Range", "bytes=\(state.received)-"), ("If-Range", validator)]
        }
    }

    func receive(head: HTTPResponseHead) throws {
        let announce = try state.withLock { state -> (Int64, Int64?)? in
            state.status = head.status
            switch head.status {
            case 206:
                guard let range = head.headers["content-range"].flatMap(ContentRange.init), let first = range.first,
                      first == state.received, state.total == nil || range.total == nil || range.total == state.total else {
                    try truncate(&state)
                    throw VideoGenError(.protocolError, "the server resumed at the wrong offset; starting over")
                }
                state.total = range.total ?? state.total
            case 200...299:
                if state.received > 0 { try truncate(&state) }
                state.total = head.contentLength
            case 416:
                state.rangeNotSatisfiable = head.headers["content-range"].flatMap(ContentRange.init)
                return nil
            default:
                return nil
            }
            state.validator = FileSink.validator(head.headers)
            if let total = state.total, let maxBytes, total > maxBytes {
                throw VideoGenError(.tooLarge, "the video is \(total) bytes, over the \(maxBytes)-byte download limit")
            }
            state.reported = state.received
            return (state.received, state.total)
        }
        if let announce { onProgress(announce.0, announce.1) }
    }

    func receive(data: Data) throws {
        let progress = try state.withLock { state -> (Int64, Int64?)? in
            guard !state.closed else { return nil }
            guard (200..<300).contains(state.status) else {
                if state.errorBody.count < 65536 { state.errorBody.append(data.prefix(65536 - state.errorBody.count)) }
                return nil
            }
            if let maxBytes, state.received + Int64(data.count) > maxBytes {
                throw VideoGenError(.tooLarge, "the video exceeds the \(maxBytes)-byte download limit")
            }
            try data.withUnsafeBytes { try writer.submit($0) }
            state.received += Int64(data.count)
            guard state.received - state.reported >= FileSink.progressStep || state.received == state.total else { return nil }
            state.reported = state.received
            return (state.received, state.total)
        }
        if let progress { onProgress(progress.0, progress.1) }
    }

    /// The status and buffered body of this attempt's error answer.
    var errorResponse: (status: Int, body: Data) { state.withLock { ($0.status, $0.errorBody) } }

    /// Bytes in the part file.
    var received: Int64 { state.withLock { $0.received } }

    /// After a 416 answer: true when the part file already holds the whole file (the server's total equals it),
    /// else the part is emptied so the next attempt starts over.
    func partIsComplete() throws -> Bool {
        try state.withLock { state in
            if let total = state.rangeNotSatisfiable?.total, total == state.received, state.validator != nil {
                state.total = total
                return true
            }
            try truncate(&state)
            return false
        }
    }

    /// Checks the length against what the server declared; a short file stays in place for a resumed attempt.
    func checkComplete() throws {
        let (received, total) = state.withLock { ($0.received, $0.total) }
        if let total, total != received {
            throw VideoGenError(.network, "the download stopped after \(received) of \(total) bytes")
        }
    }

    /// Syncs, closes and renames the file to `path`, then syncs the directory.
    /// - Returns: the size and SHA-256 of the file.
    func commit(to path: String) throws -> (bytes: Int64, sha256: String) {
        try checkComplete()
        let (descriptor, received, digest) = try state.withLock { state in
            let digest: SHA256
            do {
                digest = try writer.finish()
            } catch {
                state.closed = true
                writer.close()
                close(state.descriptor)
                state.descriptor = -1
                unlink(partPath)
                throw error
            }
            state.closed = true
            writer.close()
            let result = (state.descriptor, state.received, digest)
            state.descriptor = -1
            return result
        }
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            unlink(partPath)
            throw VideoGenError(.io, "cannot sync '\(partPath)': \(reason)")
        }
        close(descriptor)
        guard rename(partPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(partPath)
            throw VideoGenError(.io, "cannot move the download to '\(path)': \(reason)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
        return (received, digest.hexDigest())
    }

    /// Closes and removes the partial file; safe to call more than once.
    func discard() {
        let descriptor = state.withLock { state -> Int32 in
            state.closed = true
            writer.close()
            let descriptor = state.descriptor
            state.descriptor = -1
            return descriptor
        }
        if descriptor >= 0 {
            close(descriptor)
            unlink(partPath)
        }
    }

    /// A strong validator to resume against: the ETag unless weak, else Last-Modified.
    private static func validator(_ headers: [String: String]) -> String? {
        if let etag = headers["etag"], !etag.hasPrefix("W/"), !etag.isEmpty { return etag }
        return headers["last-modified"]
    }

    /// Empties the part file and forgets its bytes.
    private func truncate(_ state: inout State) throws {
        try writer.reset()
        guard ftruncate(state.descriptor, 0) == 0, lseek(state.descriptor, 0, SEEK_SET) == 0 else {
            throw VideoGenError(.io, "cannot reset '\(partPath)': \(String(cString: strerror(errno)))")
        }
        state.received = 0
        state.reported = -1
        state.total = nil
        state.validator = nil
    }
}
