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

        init(descriptor: Int32, received: Int64 = 0, total: Int64? = nil, validator: String? = nil) {
            self.descriptor = descriptor
            self.received = received
            self.total = total
            self.validator = validator
        }
    }

    let partPath: String
    /// `<path>.part.resume`: the key and validator the part file was written for, so another process can go on.
    let resumePath: String
    private let resumeKey: String?
    private let maxBytes: Int64?
    private let onProgress: @Sendable (Int64, Int64?) -> Void
    private let state: Mutex<State>
    private let writer: HashingWriter

    /// A download's body: the transport may hand it over on its network thread, where blocking is flow control.
    var isBulk: Bool { true }

    /// Opens `<path>.part`: empty, or, when `resumeKey` is given and `<path>.part.resume` says the part file was
    /// written for the same key, continued where it ends (a download an earlier process did not finish; the bytes
    /// on disk are hashed again and the next attempt asks for the rest with `Range` + `If-Range`).
    init(path: String, maxBytes: Int64?, resumeKey: String? = nil,
         onProgress: @escaping @Sendable (Int64, Int64?) -> Void) throws {
        partPath = path + ".part"
        resumePath = partPath + ".resume"
        self.resumeKey = resumeKey
        self.maxBytes = maxBytes
        self.onProgress = onProgress
        if let adopted = PartAdoption(partPath: partPath, resumePath: resumePath, key: resumeKey, maxBytes: maxBytes) {
            state = Mutex(State(descriptor: adopted.descriptor, received: adopted.length, total: adopted.total,
                                validator: adopted.validator))
            writer = HashingWriter(descriptor: adopted.descriptor, path: partPath)
            writer.adopt(prefix: adopted.digest, length: adopted.length)
            return
        }
        unlink(resumePath)
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
            let validator = FileSink.validator(head.headers)
            if validator != state.validator || head.status != 206 { saveResumeInfo(validator: validator, total: state.total) }
            state.validator = validator
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
        unlink(resumePath)
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
            unlink(resumePath)
        }
    }

    /// Writes (or, without a validator to resume against, removes) `<path>.part.resume`, atomically.
    private func saveResumeInfo(validator: String?, total: Int64?) {
        guard let resumeKey, let validator else {
            unlink(resumePath)
            return
        }
        var fields: [String: JSONValue] = ["version": .int(1), "key": .string(resumeKey), "validator": .string(validator)]
        if let total { fields["total"] = .int(total) }
        let temporary = resumePath + ".tmp"
        if FileManager.default.createFile(atPath: temporary, contents: JSONValue.object(fields).serialized()),
           rename(temporary, resumePath) == 0 {
            return
        }
        unlink(temporary)
        unlink(resumePath)
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
        unlink(resumePath)
    }
}

/// A part file an earlier process left with its `.resume` note, checked and opened to be continued.
private struct PartAdoption {
    let descriptor: Int32
    let length: Int64
    let total: Int64?
    let validator: String
    let digest: SHA256

    /// Nil (and nothing opened) unless the note names `key`, has a validator, and the part file is non-empty and
    /// no longer than the declared total or the size cap.
    init?(partPath: String, resumePath: String, key: String?, maxBytes: Int64?) {
        guard let key, let data = FileManager.default.contents(atPath: resumePath), data.count <= 64 * 1024,
              let note = try? JSONValue.parse(data), note["version"]?.intValue == 1, note["key"]?.stringValue == key,
              let validator = note["validator"]?.stringValue, !validator.isEmpty else { return nil }
        let total = note["total"]?.intValue
        let descriptor = open(partPath, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        let length = Int64(lseek(descriptor, 0, SEEK_END))
        guard length > 0, total.map({ length <= $0 }) ?? true, maxBytes.map({ length <= $0 }) ?? true,
              let digest = PartAdoption.hash(descriptor, length: length), Int64(lseek(descriptor, 0, SEEK_END)) == length else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
        self.length = length
        self.total = total
        self.validator = validator
        self.digest = digest
    }

    /// The SHA-256 state after the file's first `length` bytes.
    private static func hash(_ descriptor: Int32, length: Int64) -> SHA256? {
        var digest = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        while offset < length {
            let count = pread(descriptor, buffer.baseAddress, min(buffer.count, Int(length - offset)), off_t(offset))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            digest.update(bytes: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            offset += Int64(count)
        }
        return digest
    }
}
