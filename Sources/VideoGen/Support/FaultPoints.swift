import CVideoGenNative
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// One of the library's own fallible calls, which tests can make fail (RELIABILITY.md row 21).
package enum FaultPoint: String, CaseIterable, Sendable {
    /// `open` of `<path>.part` (`PartLock`).
    case partOpen = "part.open"
    /// `flock` of the part file.
    case partLock = "part.lock"
    /// `fstat` of the part file, to check it is still `<path>.part`.
    case partStat = "part.stat"
    /// `ftruncate` of the part file (a fresh start, a restart from zero).
    case partTruncate = "part.truncate"
    /// `lseek` back to the part file's start after truncating it.
    case partSeek = "part.seek"
    /// `write` of body bytes to the part file (fails with ENOSPC).
    case partWrite = "part.write"
    /// `fsync` of the complete part file.
    case partSync = "part.sync"
    /// `rename` of the part file to the destination.
    case partRename = "part.rename"
    /// Reading `<path>.part.resume` to continue a part file.
    case noteRead = "note.read"
    /// `open` of the resume note's temporary file.
    case noteOpen = "note.open"
    /// `write` of the resume note.
    case noteWrite = "note.write"
    /// `rename` of the resume note into place.
    case noteRename = "note.rename"
    /// `lseek` to the end of a part file being continued.
    case adoptSeek = "adopt.seek"
    /// `pread` of a part file being continued (to hash it again).
    case adoptRead = "adopt.read"
    /// `open` of the destination's directory, to sync it after the rename.
    case directoryOpen = "dir.open"
    /// `fsync` of the destination's directory.
    case directorySync = "dir.sync"
    /// An allocation for a C caller: a string returned through `char **` or by a getter (fails with ENOMEM).
    case cAllocation = "c.alloc"

    /// The `errno` an injected failure leaves: what the call typically fails with in the field.
    var injectedError: Int32 {
        switch self {
        case .partWrite, .noteWrite: ENOSPC
        case .partLock: ENOLCK
        case .cAllocation: ENOMEM
        case .partOpen, .noteOpen, .directoryOpen: EACCES
        default: EIO
        }
    }
}

/// Fault injection at the library's own fallible calls, in the manner of curl's `runtests.pl -t` and SQLite's
/// I/O-error and out-of-memory loops: a test runs an operation once to count the N points it passes, then N more
/// times, failing the i-th call in run i, and checks each run ends in a typed error or a documented recovery, with
/// no leaked descriptor and no partial destination file.
///
/// Off (always, outside tests), a point costs one relaxed atomic load and a branch (`videogen_fault_points_armed`).
/// Swift tests arm the points with `arm`, internal to this module. In debug builds only, C programs arm them with
/// the environment variable `VIDEOGEN_FAULT_POINTS`, read once when the library is loaded: `trace` writes each
/// point passed to standard error as `FAULT-POINT <n> <name>`, `fail:<i>` also makes the i-th call fail (and its
/// line ends with ` FAILED`). Release builds never read the variable.
package enum FaultPoints {
    /// What an armed session counts and fails.
    struct Session {
        /// Only calls about files under this directory count (all calls when nil).
        var directory: String?
        /// The number of the call to fail (counted from 1), if any.
        var failing: Int?
        /// Whether to write each point passed to standard error.
        var trace = false
        /// The points passed, in order.
        var hits: [FaultPoint] = []
    }

    private static let session = Mutex<Session?>(nil)

    /// Runs `body`, the library's call at `point`, unless the points are armed and this is the call to fail: then
    /// sets `errno` to the point's error and returns `failure` without calling `body`.
    /// - Parameter path: the file the call is about, for sessions armed for one directory.
    @inline(__always)
    package static func call<Result>(_ point: FaultPoint, path: String? = nil, failing failure: Result,
                                     _ body: () throws -> Result) rethrows -> Result {
        if videogen_fault_points_armed() != 0 && fails(point, path: path) {
            errno = point.injectedError
            return failure
        }
        return try body()
    }

    /// Arms the points for a test: calls about files under `directory` (every call when nil) are counted from 1,
    /// and call number `failing` fails.
    static func arm(under directory: String?, failing: Int?) {
        session.withLock { $0 = Session(directory: directory.map { $0.hasSuffix("/") ? $0 : $0 + "/" }, failing: failing) }
        videogen_fault_points_set_armed(1)
    }

    /// Disarms the points.
    /// - Returns: the points passed since `arm`, in order.
    @discardableResult
    static func disarm() -> [FaultPoint] {
        videogen_fault_points_set_armed(0)
        return session.withLock { session in
            defer { session = nil }
            return session?.hits ?? []
        }
    }

    /// Counts a call and tells whether it is the one to fail (the points are armed).
    @inline(never)
    private static func fails(_ point: FaultPoint, path: String?) -> Bool {
        let (fail, line) = session.withLock { session -> (Bool, String?) in
            #if DEBUG
            if session == nil, let text = videogen_fault_points_environment() {
                session = Session(environment: String(cString: text))
            }
            #endif
            guard var current = session else { return (false, nil) }
            if let directory = current.directory {
                guard let path, path.hasPrefix(directory) else { return (false, nil) }
            }
            current.hits.append(point)
            let fail = current.failing == current.hits.count
            session = current
            guard current.trace else { return (fail, nil) }
            return (fail, "FAULT-POINT \(current.hits.count) \(point.rawValue)\(fail ? " FAILED" : "")\n")
        }
        if let line {
            _ = line.withCString { write(2, $0, strlen($0)) }
        }
        return fail
    }
}

#if DEBUG
extension FaultPoints.Session {
    /// The session `VIDEOGEN_FAULT_POINTS` asks for: `trace`, or `fail:<i>` (which traces too).
    init(environment text: String) {
        trace = true
        if text.hasPrefix("fail:"), let index = Int(text.dropFirst(5)), index > 0 { failing = index }
    }
}
#endif
