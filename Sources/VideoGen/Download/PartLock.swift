import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Opens `<path>.part` for one download under an exclusive advisory lock (`flock`), so that two downloads to the
/// same path, in one process or in two, never write the same file: the second is refused with `.busy` (after a grace of
/// `busyGraceMilliseconds`) before it reads, truncates or removes anything.
///
/// The lock is on the part file itself, so no lock file is left behind. Locks belong to an open file description:
/// a second `open` in the same process conflicts like one in another process, and a process that dies releases its
/// lock with it. The holder keeps the lock until the part has been renamed into place or removed; a download that
/// opened the old file just before that, and gets the lock once it is released, finds that the file is no longer
/// `<path>.part` (its device and inode differ from the path's) and opens the new one. O_DIRECT, which the writer
/// switches on the same descriptor, does not affect the lock.
///
/// The part file is opened without following a link (`O_NOFOLLOW`) and must be a regular file with one link owned by
/// this process's user (`DownloadPaths.checkPartFile`), so a link or file planted in a shared directory is refused
/// with `.io` and its target never touched.
///
/// A file system without locks (`ENOLCK` from an NFS mount without a lock daemon, `EOPNOTSUPP`...) gets no guard
/// rather than no download.
enum PartLock {
    /// Attempts at opening a part file that was renamed or removed in the meantime before giving up.
    static let maxAttempts = 8
    /// How long a held lock is waited for before the download is refused with `.busy`, in milliseconds.
    static let busyGraceMilliseconds = 200

    /// The part file's descriptor (read-write, created if needed, contents untouched), locked.
    /// - Throws: `.busy` while another download holds the part file; `.io` when it cannot be opened, is a symbolic
    ///   link, or is not a regular file with one link owned by this process's user.
    static func acquire(_ partPath: String) throws -> Int32 {
        for _ in 0..<maxAttempts {
            let descriptor = FaultPoints.call(.partOpen, path: partPath, failing: -1) {
                open(partPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
            }
            guard descriptor >= 0 else {
                if errno == ELOOP { throw DownloadPaths.linkError(partPath) }
                throw VideoGenError(.io, "cannot create '\(partPath)': \(String(cString: strerror(errno)))")
            }
            var locked = FaultPoints.call(.partLock, path: partPath, failing: -1) { flock(descriptor, LOCK_EX | LOCK_NB) }
            var waited = 0
            while locked != 0 && (errno == EWOULDBLOCK || errno == EAGAIN) && waited < busyGraceMilliseconds {
                // A lock that outlives its download for a moment: a child process forked elsewhere in this
                // program (any `posix_spawn`) shares the part file's open description until it execs, and the
                // lock with it. A real concurrent download holds it far longer than this.
                usleep(5_000)
                waited += 5
                locked = flock(descriptor, LOCK_EX | LOCK_NB)
            }
            if locked != 0 && (errno == EWOULDBLOCK || errno == EAGAIN) {
                close(descriptor)
                throw VideoGenError(.busy, "another download is writing '\(partPath)' (in this process or another); try again when it has ended")
            }
            var opened = stat()
            guard FaultPoints.call(.partStat, path: partPath, failing: -1, { fstat(descriptor, &opened) }) == 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw VideoGenError(.io, "cannot read the status of '\(partPath)': \(reason)")
            }
            guard DownloadPaths.names(partPath, opened) else {
                // The download that held it renamed or removed the file we opened: open the one at the path now.
                close(descriptor)
                continue
            }
            do {
                try DownloadPaths.checkPartFile(opened, path: partPath)
            } catch {
                close(descriptor)
                throw error
            }
            return descriptor
        }
        throw VideoGenError(.busy, "'\(partPath)' keeps being replaced by other downloads")
    }
}
