import FoundationEssentials

/// The `Idempotency-Key` of a submit derived from the caller's own job id: the same job id (and scope) gives the
/// same key in every process, on every machine and in every version of the library, so a job re-run after a crash
/// whose submit outcome is unknown re-sends the key of its first attempt and the service makes no second task.
///
/// The key is a UUID of version 8 built as RFC 9562 (appendix B.2) builds a name-based UUID with SHA-256: the first
/// 128 bits of SHA-256(videogen's namespace UUID, 16 bytes ‖ the name), with the version and variant bits set. The
/// name is the scope's UTF-8 bytes, one zero byte, then the job id's UTF-8 bytes (neither may hold a NUL, so no two
/// pairs give one name). A key is 36 characters of lower-case hex and hyphens: printable ASCII that every service's
/// `Idempotency-Key` takes.
public enum IdempotencyKey {
    /// videogen's namespace for job-id keys (a fixed random UUID; changing it would change every key).
    public static let namespace = "33ff1169-419f-45f2-9c2a-14dd7fcf6f7c"
    /// The longest job id or scope taken, in UTF-8 bytes.
    public static let maxBytes = 4096

    /// The key of `jobID` within `scope` (a batch, a tenant, a version of the job; "" for none). The scope lets the
    /// same job ids make new tasks on purpose: a job re-run in a new scope is a new submit.
    /// - Throws: `.invalidArgument` naming the field when the job id is empty, or either holds a NUL character or is
    ///   longer than `maxBytes` bytes.
    public static func derive(jobID: String, scope: String = "") throws -> String {
        for (name, value) in [("job_id", jobID), ("scope", scope)] {
            if value.utf8.contains(0) { throw VideoGenError(.invalidArgument, "\(name) contains a NUL character") }
            if value.utf8.count > maxBytes {
                throw VideoGenError(.invalidArgument, "\(name) is longer than \(maxBytes) bytes")
            }
        }
        guard !jobID.isEmpty else { throw VideoGenError(.invalidArgument, "job_id is empty") }
        var name = namespaceBytes
        name += Array(scope.utf8)
        name.append(0)
        name += Array(jobID.utf8)
        var digest = SHA256()
        digest.update(name)
        var hex = Array(digest.hexDigest().utf8.prefix(32))
        hex[12] = UInt8(ascii: "8")                                        // version 8
        let variant = hexValue(hex[16]) & 0x3 | 0x8                        // variant 10xx
        hex[16] = Array("0123456789abcdef".utf8)[Int(variant)]
        var key = ""
        for (index, digit) in hex.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { key.append("-") }
            key.append(Character(Unicode.Scalar(digit)))
        }
        return key
    }

    private static let namespaceBytes: [UInt8] = {
        let digits = Array(namespace.utf8).filter { $0 != UInt8(ascii: "-") }
        return stride(from: 0, to: digits.count, by: 2).map { hexValue(digits[$0]) << 4 | hexValue(digits[$0 + 1]) }
    }()

    private static func hexValue(_ digit: UInt8) -> UInt8 {
        digit <= UInt8(ascii: "9") ? digit - UInt8(ascii: "0") : digit - UInt8(ascii: "a") + 10
    }
}
