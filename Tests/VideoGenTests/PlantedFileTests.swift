import Foundation
import Testing
@testable import VideoGen

/// Issue 11, points 6 and 7, against real files, links, FIFOs and sockets in a temporary directory: someone who can
/// write to the download directory (a shared /tmp) plants a symbolic link where a download keeps its part file or
/// notes, to make it overwrite or empty a file of the victim's; a destination that is not a regular file would be
/// replaced by one. Each is refused with `.io` naming the path, and the planted link's target is never touched.
@Suite("planted links and odd destinations")
struct PlantedFileTests {
    static let victimBytes = Data("the victim's own file: it must never change\n".utf8)
    static let body = Data(HashingWriterTests.bytes(300_000, seed: 41))

    /// A fresh directory with a victim file in it; returns (directory, victim path).
    func withDirectory(_ body: (String, String) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let victim = directory + "/victim.txt"
            try PlantedFileTests.victimBytes.write(to: URL(fileURLWithPath: victim))
            try await body(directory, victim)
        }
    }

    func client(_ transport: any HTTPTransport) throws -> VideoGenClient {
        VideoGenClient(configuration: try TestConfig.make(.openai, retry: TestConfig.fastRetry), transport: transport,
                       random: { 0 })
    }

    func task() -> TaskSnapshot {
        var snapshot = TaskSnapshot(id: "video_1", dialect: "openai", baseURL: "http://127.0.0.1:9", state: .succeeded)
        snapshot.videoURL = "http://127.0.0.1:9/_emulator/blob/300000"
        return snapshot
    }

    func victimUntouched(_ victim: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(FileManager.default.contents(atPath: victim) == PlantedFileTests.victimBytes, "the link's target is untouched",
                sourceLocation: sourceLocation)
    }

    func isLink(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK
    }

    func kind(_ path: String) -> mode_t? {
        var status = stat()
        return lstat(path, &status) == 0 ? status.st_mode & S_IFMT : nil
    }

    @Test("a symbolic link planted at <dest>.part, .part.resume or .part.resume.tmp fails the download with .io naming it, before any request; the target is untouched",
          arguments: [".part", ".part.resume", ".part.resume.tmp"])
    func plantedLinkRefused(_ suffix: String) async throws {
        try await withDirectory { directory, victim in
            let destination = directory + "/v.mp4"
            try FileManager.default.createSymbolicLink(atPath: destination + suffix, withDestinationPath: victim)
            // A dropped first attempt makes the download write its note and resume: every file is used.
            let transport = BlobTransport(body: PlantedFileTests.body, cuts: [100_000])
            let error = await expectError(.io) { _ = try await client(transport).download(task(), to: destination) }
            #expect(error?.message.contains("'\(destination + suffix)' is a symbolic link") == true, "\(error?.message ?? "")")
            #expect(transport.requests.isEmpty, "refused before anything is fetched")
            victimUntouched(victim)
            #expect(isLink(destination + suffix), "the link is left for the user to see")
            #expect(!FileManager.default.fileExists(atPath: destination))
        }
    }

    @Test("a dangling link at <dest>.part is refused and its target is not created")
    func danglingLinkRefused() async throws {
        try await withDirectory { directory, _ in
            let destination = directory + "/v.mp4"
            let target = directory + "/created-by-the-download"
            try FileManager.default.createSymbolicLink(atPath: destination + ".part", withDestinationPath: target)
            await expectError(.io) { _ = try await client(BlobTransport(body: PlantedFileTests.body)).download(task(), to: destination) }
            #expect(!FileManager.default.fileExists(atPath: target))
        }
    }

    @Test("the opens themselves never follow a link (a link planted after the check): the part file, reading and writing the note")
    func opensDoNotFollow() async throws {
        try await withDirectory { directory, victim in
            let link = directory + "/link"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
            let refused = expectError(.io) { _ = try PartLock.acquire(link) }
            #expect(refused?.message.contains("symbolic link") == true)
            #expect(DownloadPaths.readNote(link, limit: 65536) == nil)
            let descriptor = DownloadPaths.createNote(link)
            #expect(descriptor >= 0, "the leftover name is removed and a new file created in its place")
            if descriptor >= 0 { close(descriptor) }
            #expect(!isLink(link))
            victimUntouched(victim)
        }
    }

    @Test("a part file with a second hard link, or that is a FIFO, is refused and left alone")
    func oddPartFilesRefused() async throws {
        try await withDirectory { directory, victim in
            let destination = directory + "/v.mp4"
            try FileManager.default.linkItem(atPath: victim, toPath: destination + ".part")
            let linked = await expectError(.io) { _ = try await client(BlobTransport(body: PlantedFileTests.body)).download(task(), to: destination) }
            #expect(linked?.message.contains("hard links") == true, "\(linked?.message ?? "")")
            victimUntouched(victim)
            try FileManager.default.removeItem(atPath: destination + ".part")
            #expect(mkfifo(destination + ".part", 0o600) == 0)
            let fifo = await expectError(.io) { _ = try await client(BlobTransport(body: PlantedFileTests.body)).download(task(), to: destination) }
            #expect(fifo?.message.contains("FIFO") == true, "\(fifo?.message ?? "")")
            #expect(kind(destination + ".part") == S_IFIFO)
        }
    }

    @Test("as root: a part file owned by another user is refused (never written into, continued or renamed into place)")
    func foreignPartRefused() async throws {
        try await withDirectory { directory, _ in
            let destination = directory + "/v.mp4"
            let part = destination + ".part"
            try Data("someone else's bytes".utf8).write(to: URL(fileURLWithPath: part))
            // Changing a file's owner needs root; as another user the file is another user's own already.
            guard geteuid() == 0 else {
                #expect(chown(part, 12345, 12345) != 0, "only root can give a file away")
                return
            }
            #expect(chown(part, 12345, 12345) == 0)
            let error = await expectError(.io) { _ = try await client(BlobTransport(body: PlantedFileTests.body)).download(task(), to: destination) }
            #expect(error?.message.contains("another user") == true, "\(error?.message ?? "")")
            #expect(FileManager.default.contents(atPath: part) == Data("someone else's bytes".utf8))
        }
    }

    @Test("a symbolic link AT the destination: the rename replaces the link itself with the video; its target is untouched")
    func linkAtDestinationReplaced() async throws {
        try await withDirectory { directory, victim in
            let destination = directory + "/v.mp4"
            try FileManager.default.createSymbolicLink(atPath: destination, withDestinationPath: victim)
            let done = try await client(BlobTransport(body: PlantedFileTests.body)).download(task(), to: destination)
            #expect(done.download?.bytes == Int64(PlantedFileTests.body.count))
            #expect(kind(destination) == S_IFREG, "a regular file now, not a link")
            #expect(FileManager.default.contents(atPath: destination) == PlantedFileTests.body)
            victimUntouched(victim)
        }
    }

    @Test("a FIFO, a socket (and, as root, a device node) at the destination is refused and stays what it was")
    func nonRegularDestinationsRefused() async throws {
        try await withDirectory { directory, _ in
            let fifo = directory + "/fifo.mp4"
            #expect(mkfifo(fifo, 0o600) == 0)
            let socketPath = directory + "/socket.mp4"
            let socket = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(socket) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                buffer.copyBytes(from: socketPath.utf8.prefix(buffer.count - 1))
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            #expect(bound == 0)
            var cases = [(fifo, S_IFIFO, "a FIFO"), (socketPath, S_IFSOCK, "a socket")]
            // Creating a device node needs root; it is a copy of /dev/null's (1, 3), in the test's directory.
            let device = directory + "/null.mp4"
            if geteuid() == 0, mknod(device, S_IFCHR | 0o600, dev_t((1 << 8) | 3)) == 0 {
                cases.append((device, S_IFCHR, "a character device"))
            }
            for (path, type, words) in cases {
                let transport = BlobTransport(body: PlantedFileTests.body)
                let error = await expectError(.io) { _ = try await client(transport).download(task(), to: path) }
                #expect(error?.message.contains(words) == true, "\(error?.message ?? "")")
                #expect(transport.requests.isEmpty, "refused before anything is fetched")
                #expect(kind(path) == type, "\(path) is still \(words)")
                #expect(!FileManager.default.fileExists(atPath: path + ".part"))
            }
        }
    }

    @Test("checked again at the rename: a destination turned into a FIFO, or a part path swapped for a link, during the download is refused")
    func checkedAgainAtCommit() async throws {
        try await withDirectory { directory, victim in
            let destination = directory + "/v.mp4"
            let sink = try FileSink(path: destination, maxBytes: nil) { _, _ in }
            try sink.receive(head: HTTPResponseHead(status: 200, headers: ["content-length": "6"]))
            try sink.receive(data: Data("abcdef".utf8))
            #expect(mkfifo(destination, 0o600) == 0)
            let error = expectError(.io) { _ = try sink.commit(to: destination) }
            #expect(error?.message.contains("a FIFO") == true)
            #expect(kind(destination) == S_IFIFO)
            sink.abandon()

            try FileManager.default.removeItem(atPath: destination)
            let swapped = try FileSink(path: destination, maxBytes: nil) { _, _ in }
            try swapped.receive(head: HTTPResponseHead(status: 200, headers: ["content-length": "6"]))
            try swapped.receive(data: Data("abcdef".utf8))
            try FileManager.default.moveItem(atPath: destination + ".part", toPath: directory + "/moved-away")
            try FileManager.default.createSymbolicLink(atPath: destination + ".part", withDestinationPath: victim)
            let replaced = expectError(.io) { _ = try swapped.commit(to: destination) }
            #expect(replaced?.message.contains("was replaced") == true, "\(replaced?.message ?? "")")
            #expect(!FileManager.default.fileExists(atPath: destination), "nothing moved onto the destination")
            swapped.abandon()
            victimUntouched(victim)
        }
    }

    @Test("a path with a NUL character is refused: C would cut it there and write somewhere else than asked")
    func nulInPathRefused() async throws {
        try await withDirectory { directory, _ in
            let transport = BlobTransport(body: PlantedFileTests.body)
            await expectError(.invalidArgument) { _ = try await client(transport).download(task(), to: directory + "/a.mp4\u{0}b") }
            let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(names == ["victim.txt"])
            #expect(transport.requests.isEmpty)
        }
    }
}
