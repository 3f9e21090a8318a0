import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The checks that keep a download to the file it was asked for, in a directory others may write to (a shared
/// `/tmp`): nothing is written, truncated or read through a symbolic link, a file another user owns or shares by a
/// hard link is never continued or overwritten, and only a regular file (or nothing) at the destination is replaced.
///
/// - `<path>.part`, `<path>.part.resume` and `<path>.part.resume.tmp` that are symbolic links are refused with
///   `.io` naming them before anything is opened (someone who can write to the directory could plant one to make the
///   download overwrite or empty the link's target); the opens themselves use `O_NOFOLLOW` (and the note's
///   temporary file `O_EXCL`), so a link planted after the check makes the open fail instead of following it.
/// - The part file opened must be a regular file with one link, owned by this process's effective user.
/// - The destination may be absent, a regular file or a symbolic link (the final `rename` replaces the link itself,
///   never its target); a directory, FIFO, device or socket is refused (as root, renaming onto `/dev/null` would
///   replace the device with a regular file).
enum DownloadPaths {
    /// Refuses each of `paths` that exists as a symbolic link.
    /// - Throws: `.io` naming the first link found.
    static func refuseLinks(_ paths: [String]) throws {
        for path in paths {
            var status = stat()
            if lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK {
                throw linkError(path)
            }
        }
    }

    /// The error for a symbolic link found where a download keeps its files.
    static func linkError(_ path: String) -> VideoGenError {
        VideoGenError(.io, "'\(path)' is a symbolic link; a download never writes through a link (it may have been planted to overwrite its target); remove it or download elsewhere")
    }

    /// Refuses a destination that exists and is neither a regular file nor a symbolic link.
    /// - Throws: `.io` naming the destination and what it is.
    static func checkDestination(_ path: String) throws {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        let kind = status.st_mode & S_IFMT
        guard kind != S_IFREG && kind != S_IFLNK else { return }
        if kind == S_IFDIR {
            throw VideoGenError(.io, "cannot download to '\(path)': it is a directory")
        }
        throw VideoGenError(.io, "cannot download to '\(path)': it is \(describe(kind)), not a regular file; a download replaces only a regular file")
    }

    /// Refuses an opened part file that is not a regular file with one link owned by this process's user.
    /// - Throws: `.io` naming the file and the reason.
    static func checkPartFile(_ status: stat, path: String) throws {
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG else {
            throw VideoGenError(.io, "'\(path)' is \(describe(kind)), not a regular file; remove it or download elsewhere")
        }
        guard status.st_uid == geteuid() else {
            throw VideoGenError(.io, "'\(path)' belongs to another user (uid \(status.st_uid)); a download never writes into or continues another user's file; remove it or download elsewhere")
        }
        guard status.st_nlink == 1 else {
            throw VideoGenError(.io, "'\(path)' has \(status.st_nlink) hard links; a download never writes into a file that other names share; remove it or download elsewhere")
        }
    }

    /// The contents of a resume note, read without following a link and only from a regular file of at most
    /// `limit` bytes owned by this process's user; nil otherwise (the part file is then not continued).
    static func readNote(_ path: String, limit: Int) -> Data? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_uid == geteuid(),
              status.st_size <= off_t(limit) else { return nil }
        var data = Data(count: limit + 1)
        var count = 0
        while count <= limit {
            let got = data.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + count, limit + 1 - count)
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            count += got
        }
        guard count <= limit else { return nil }
        return data.prefix(count)
    }

    /// Creates `path` for writing a note: any leftover file of that name is removed first, and the new one is
    /// created exclusively without following a link (a link planted in between makes it fail). -1 on failure.
    static func createNote(_ path: String) -> Int32 {
        unlink(path)
        return open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
    }

    /// Whether `path` still names the file open as `opened` (same device and inode, not a link).
    static func names(_ path: String, _ opened: stat) -> Bool {
        var named = stat()
        return lstat(path, &named) == 0 && named.st_dev == opened.st_dev && named.st_ino == opened.st_ino
    }

    private static func describe(_ kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "not a regular file"
        }
    }
}
