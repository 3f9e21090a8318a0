import FoundationEssentials
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
/// A download that fails or is cancelled keeps its part file and note when another download can continue them
/// (`abandon`): the part holds bytes, the server gave a validator, and the note for them was written. Bytes known
/// to be bad (over the size cap, longer than the declared total, a failed write, sync or truncation) are removed.
///
/// Files are checked as `DownloadPaths` describes: the part file, its note and the note's temporary file are never
/// opened through a symbolic link, and the destination must be absent, a regular file or a link (replaced, not
/// followed). A validator (ETag, Last-Modified) that contains the API key is treated as none: the note, a file
/// others may read, never holds the key, and such a download is not resumed.
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
        /// `<path>.part.resume` names the current validator: another download can continue the part.
        var noted = false
        /// The part's bytes cannot be trusted (size cap, length, a failed sync or truncation): never continued.
        var spoiled = false

        init(descriptor: Int32, received: Int64 = 0, total: Int64? = nil, validator: String? = nil) {
            self.descriptor = descriptor
            self.received = received
            self.total = total
            self.validator = validator
            noted = validator != nil
        }
    }

    let partPath: String
    /// `<path>.part.resume`: the key and validator the part file was written for, so another process can go on.
    let resumePath: String
    private let resumeKey: String?
    /// The client's key, kept out of the note: a validator that contains it is not kept.
    private let apiKey: APIKey?
    private let maxBytes: Int64?
    private let onProgress: @Sendable (Int64, Int64?) -> Void
    private let state: Mutex<State>
    private let writer: HashingWriter

    /// A download's body: the transport may hand it over on its network thread, where blocking is flow control.
    var isBulk: Bool { true }

    /// Opens `<path>.part` under its lock (`PartLock`): empty, or, when `resumeKey` is given and
    /// `<path>.part.resume` says the part file was written for the same key, continued where it ends (a download
    /// that another process, or an earlier download in this one, did not finish; the bytes on disk are hashed again
    /// and the next attempt asks for the rest with `Range` + `If-Range`).
    /// - Throws: `.busy` while another download writes the same part file; `.io` when it cannot be opened or emptied,
    ///   when `path` is a directory, FIFO, device or socket (refused before anything is fetched), or when the part
    ///   file, its note or the note's temporary file is a symbolic link (see `DownloadPaths`).
    init(path: String, maxBytes: Int64?, resumeKey: String? = nil, apiKey: APIKey? = nil,
         onProgress: @escaping @Sendable (Int64, Int64?) -> Void) throws {
        partPath = path + ".part"
        resumePath = partPath + ".resume"
        self.resumeKey = resumeKey
        self.apiKey = apiKey
        self.maxBytes = maxBytes
        self.onProgress = onProgress
        try DownloadPaths.checkDestination(path)
        try DownloadPaths.refuseLinks([partPath, resumePath, resumePath + ".tmp"])
        let descriptor = try PartLock.acquire(partPath)
        if let adopted = PartAdoption(descriptor: descriptor, resumePath: resumePath, key: resumeKey, maxBytes: maxBytes) {
            state = Mutex(State(descriptor: descriptor, received: adopted.length, total: adopted.total,
                                validator: adopted.validator))
            writer = HashingWriter(descriptor: descriptor, path: partPath)
            writer.adopt(prefix: adopted.digest, length: adopted.length)
            return
        }
        unlink(resumePath)
        guard FileSink.empty(descriptor, path: partPath) else {
            let reason = String(cString: strerror(errno))
            unlink(partPath)
            close(descriptor)
            throw VideoGenError(.io, "cannot empty '\(partPath)': \(reason)")
        }
        state = Mutex(State(descriptor: descriptor))
        writer = HashingWriter(descriptor: descriptor, path: partPath)
    }

    deinit {
        abandon()
    }

    /// The headers that resume the download where the part file ends, when the server gave a validator to
    /// resume against; none (and the part emptied) otherwise.
    /// Bytes of the part file a next attempt would keep (0 without a validator to resume against).
    var resumableBytes: Int64 { state.withLock { $0.validator == nil ? 0 : $0.received } }

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
            guard !state.closed else { return nil }
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
            var validator = FileSink.validator(head.headers)
            if let apiKey, let value = validator, apiKey.occurs(in: value) { validator = nil }
            if validator != state.validator || head.status != 206 {
                state.noted = saveResumeInfo(validator: validator, total: state.total)
            }
            state.validator = validator
            if let total = state.total, let maxBytes, total > maxBytes {
                state.spoiled = true
                throw VideoGenError(.tooLarge, "the video is \(total) bytes, over the \(maxBytes)-byte download limit")
            }
            state.reported = state.received
            return (state.received, state.total)
        }
        if let announce { onProgress(announce.0, announce.1) }
    }

    func receive(data: Data) throws {
        try data.withUnsafeBytes { try receive(bytes: $0) }
    }

    /// The body's bytes straight from the transport's buffer into the writer's ring (no copy in between).
    func receive(bytes data: UnsafeRawBufferPointer) throws {
        let progress = try state.withLock { state -> (Int64, Int64?)? in
            guard !state.closed else { return nil }
            guard (200..<300).contains(state.status) else {
                if state.errorBody.count < 65536 { state.errorBody.append(contentsOf: data.prefix(65536 - state.errorBody.count)) }
                return nil
            }
            if let maxBytes, state.received + Int64(data.count) > maxBytes {
                state.spoiled = true
                throw VideoGenError(.tooLarge, "the video exceeds the \(maxBytes)-byte download limit")
            }
            try writer.submit(data)
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

    /// Checks the length against what the server declared; a short file stays in place for a resumed attempt, a
    /// longer one is spoiled.
    func checkComplete() throws {
        let (received, total) = state.withLock { state in
            if let total = state.total, state.received > total { state.spoiled = true }
            return (state.received, state.total)
        }
        if let total, total != received {
            throw VideoGenError(.network, "the download stopped after \(received) of \(total) bytes")
        }
    }

    /// Syncs the file and renames it to `path`, then syncs the directory. A failure leaves the part to `abandon`.
    /// Just before the rename the destination is checked again (`DownloadPaths.checkDestination`), and the part
    /// path must still name the file written (not a link or file swapped in since).
    /// - Returns: the size and SHA-256 of the file.
    func commit(to path: String) throws -> (bytes: Int64, sha256: String) {
        try checkComplete()
        let (descriptor, received, digest) = try state.withLock { state in
            (state.descriptor, state.received, try writer.finish())
        }
        guard FaultPoints.call(.partSync, path: partPath, failing: -1, { fsync(descriptor) }) == 0 else {
            let reason = String(cString: strerror(errno))
            state.withLock { $0.spoiled = true }
            throw VideoGenError(.io, "cannot sync '\(partPath)': \(reason)")
        }
        var written = stat()
        guard fstat(descriptor, &written) == 0, DownloadPaths.names(partPath, written) else {
            state.withLock { $0.spoiled = true }
            throw VideoGenError(.io, "'\(partPath)' was replaced by another file during the download; nothing was moved to '\(path)'")
        }
        try DownloadPaths.checkDestination(path)
        guard FaultPoints.call(.partRename, path: partPath, failing: -1, { rename(partPath, path) }) == 0 else {
            throw VideoGenError(.io, "cannot move the download to '\(path)': \(String(cString: strerror(errno)))")
        }
        state.withLock { state in
            state.closed = true
            writer.close()
            state.descriptor = -1
        }
        unlink(resumePath)
        close(descriptor)
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? ""
        // Best effort: some file systems cannot sync a directory (EINVAL), and the file itself is complete.
        let directoryDescriptor = FaultPoints.call(.directoryOpen, path: partPath, failing: -1) {
            open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        if directoryDescriptor >= 0 {
            _ = FaultPoints.call(.directorySync, path: partPath, failing: -1) { fsync(directoryDescriptor) }
            close(directoryDescriptor)
        }
        return (received, digest.hexDigest())
    }

    /// Closes the part file of a download that did not complete. It stays, with its note, when another download
    /// can continue it: the server gave a validator, the note for it was written, nothing spoiled the bytes (a
    /// failed write, sync or truncation, the size cap), and after writing out what is still queued (the ring
    /// buffer, at most 4 MiB) it holds bytes, no more than the declared total or the size cap. Otherwise both are
    /// removed. Does nothing after `commit` succeeded; safe to call more than once.
    func abandon() {
        let (descriptor, keep) = state.withLock { state -> (Int32, Bool) in
            let descriptor = state.descriptor
            let resumable = descriptor >= 0 && resumeKey != nil && state.validator != nil && state.noted && !state.spoiled
            state.closed = true
            state.descriptor = -1
            let written = resumable && (try? writer.drain()) != nil
            writer.close()
            guard written else { return (descriptor, false) }
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { return (descriptor, false) }
            let length = Int64(status.st_size)
            let fits = length > 0 && (state.total.map { length <= $0 } ?? true) && (maxBytes.map { length <= $0 } ?? true)
            return (descriptor, fits)
        }
        guard descriptor >= 0 else { return }
        if !keep {
            unlink(partPath)
            unlink(resumePath)
        }
        close(descriptor)
    }

    /// Writes (or, without a validator to resume against, removes) `<path>.part.resume`, atomically.
    /// - Returns: whether the note now names `validator`.
    private func saveResumeInfo(validator: String?, total: Int64?) -> Bool {
        guard let resumeKey, let validator else {
            unlink(resumePath)
            return false
        }
        var fields: [String: JSONValue] = ["version": .int(1), "key": .string(resumeKey), "validator": .string(validator)]
        if let total { fields["total"] = .int(total) }
        let bytes = JSONValue.object(fields).serialized()
        let temporary = resumePath + ".tmp"
        let descriptor = FaultPoints.call(.noteOpen, path: resumePath, failing: -1) {
            DownloadPaths.createNote(temporary)
        }
        if descriptor >= 0 {
            let written = bytes.withUnsafeBytes { buffer in
                FaultPoints.call(.noteWrite, path: resumePath, failing: -1) { write(descriptor, buffer.baseAddress, buffer.count) }
            }
            close(descriptor)
            if written == bytes.count,
               FaultPoints.call(.noteRename, path: resumePath, failing: -1, { rename(temporary, resumePath) }) == 0 {
                return true
            }
            unlink(temporary)
        }
        unlink(resumePath)
        return false
    }

    /// Empties the part file at `descriptor` and moves its offset back to the start.
    private static func empty(_ descriptor: Int32, path: String) -> Bool {
        FaultPoints.call(.partTruncate, path: path, failing: -1, { ftruncate(descriptor, 0) }) == 0
            && FaultPoints.call(.partSeek, path: path, failing: -1, { lseek(descriptor, 0, SEEK_SET) }) == 0
    }

    /// A strong validator to resume against: the ETag unless weak, else Last-Modified.
    private static func validator(_ headers: [String: String]) -> String? {
        if let etag = headers["etag"], !etag.hasPrefix("W/"), !etag.isEmpty { return etag }
        return headers["last-modified"]
    }

    /// Empties the part file and forgets its bytes (the file is already empty when none were received).
    private func truncate(_ state: inout State) throws {
        try writer.reset()
        guard state.received == 0 || FileSink.empty(state.descriptor, path: partPath) else {
            state.spoiled = true
            throw VideoGenError(.io, "cannot reset '\(partPath)': \(String(cString: strerror(errno)))")
        }
        state.received = 0
        state.reported = -1
        state.total = nil
        state.validator = nil
        state.noted = false
        unlink(resumePath)
    }
}
