import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Streams a download into `<path>.part`: counts bytes, hashes them, enforces the size cap, reports progress, and on
/// success syncs and renames the file into place so that the final path never holds a partial file.
/// Error answers (non-2xx) are kept in memory (64 KiB at most) instead, to be read as an error body.
final class FileSink: ResponseSink {
    private struct State {
        var descriptor: Int32
        var received: Int64 = 0
        var total: Int64?
        var status = 0
        var errorBody = Data()
        var digest = SHA256()
        var closed = false
    }

    let partPath: String
    private let maxBytes: Int64?
    private let onProgress: @Sendable (Int64, Int64?) -> Void
    private let state: Mutex<State>

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
    }

    deinit {
        discard()
    }

    func receive(head: HTTPResponseHead) throws {
        let total = try state.withLock { state -> Int64? in
            state.status = head.status
            guard (200..<300).contains(head.status) else { return nil }
            state.total = head.contentLength
            if let length = head.contentLength, let maxBytes, length > maxBytes {
                throw VideoGenError(.tooLarge, "the video is \(length) bytes, over the \(maxBytes)-byte download limit")
            }
            return head.contentLength
        }
        if (200..<300).contains(head.status) { onProgress(0, total) }
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
            try data.withUnsafeBytes { raw in
                state.digest.update(bytes: raw)
                var offset = 0
                while offset < raw.count {
                    let written = write(state.descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw VideoGenError(.io, "cannot write '\(partPath)': \(String(cString: strerror(errno)))")
                    }
                    offset += written
                }
            }
            state.received += Int64(data.count)
            return (state.received, state.total)
        }
        if let progress { onProgress(progress.0, progress.1) }
    }

    /// The status and buffered body of an error answer.
    var errorResponse: (status: Int, body: Data) { state.withLock { ($0.status, $0.errorBody) } }

    /// Bytes written so far.
    var received: Int64 { state.withLock { $0.received } }

    /// Verifies the length against what the server declared, syncs, closes and renames the file to `path`, then
    /// syncs the directory.
    /// - Returns: the size and SHA-256 of the file.
    func commit(to path: String) throws -> (bytes: Int64, sha256: String) {
        let (descriptor, received, total, digest) = state.withLock { state in
            let result = (state.descriptor, state.received, state.total, state.digest)
            state.closed = true
            return result
        }
        if let total, total != received {
            discardFile(descriptor)
            throw VideoGenError(.network, "the download ended after \(received) of \(total) bytes")
        }
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            discardFile(descriptor)
            throw VideoGenError(.io, "cannot sync '\(partPath)': \(reason)")
        }
        close(descriptor)
        state.withLock { $0.descriptor = -1 }
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
            let descriptor = state.descriptor
            state.descriptor = -1
            return descriptor
        }
        if descriptor >= 0 { discardFile(descriptor) }
    }

    private func discardFile(_ descriptor: Int32) {
        if descriptor >= 0 { close(descriptor) }
        state.withLock { $0.descriptor = -1 }
        unlink(partPath)
    }
}
