import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A part file an earlier download left with its `.resume` note (another process, or a download in this one that
/// failed or was cancelled), checked to be continued.
struct PartAdoption {
    let length: Int64
    let total: Int64?
    let validator: String
    let digest: SHA256

    /// Nil unless the note (a regular file of this process's user, at most 64 KiB, read without following a link)
    /// names `key`, has a validator, and the part file open at `descriptor` (locked by the caller) is non-empty and
    /// no longer than the declared total or the size cap. On success the descriptor's offset is at the end of the
    /// file, where the download goes on; otherwise it is anywhere.
    init?(descriptor: Int32, resumePath: String, key: String?, maxBytes: Int64?) {
        guard let key, let data = FaultPoints.call(.noteRead, path: resumePath, failing: nil, {
                  DownloadPaths.readNote(resumePath, limit: 64 * 1024)
              }),
              let note = try? JSONValue.parse(data), note["version"]?.intValue == 1, note["key"]?.stringValue == key,
              let validator = note["validator"]?.stringValue, !validator.isEmpty else { return nil }
        let total = note["total"]?.intValue
        let length = Int64(FaultPoints.call(.adoptSeek, path: resumePath, failing: -1) { lseek(descriptor, 0, SEEK_END) })
        guard length > 0, total.map({ length <= $0 }) ?? true, maxBytes.map({ length <= $0 }) ?? true,
              let digest = PartAdoption.hash(descriptor, length: length, path: resumePath),
              FaultPoints.call(.adoptSeek, path: resumePath, failing: -1, { lseek(descriptor, 0, SEEK_END) }) == length else {
            return nil
        }
        self.length = length
        self.total = total
        self.validator = validator
        self.digest = digest
    }

    /// The SHA-256 state after the file's first `length` bytes.
    private static func hash(_ descriptor: Int32, length: Int64, path: String) -> SHA256? {
        var digest = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        while offset < length {
            let count = FaultPoints.call(.adoptRead, path: path, failing: -1) {
                pread(descriptor, buffer.baseAddress, min(buffer.count, Int(length - offset)), off_t(offset))
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            digest.update(bytes: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            offset += Int64(count)
        }
        return digest
    }
}
