import Foundation
import Testing
@testable import VideoGen

/// RELIABILITY.md row 21: the library's own fallible calls fail one at a time, in the manner of curl's
/// `runtests.pl -t`. A first run counts the N fault points a download passes (`FaultPoints`); then, for i in 1...N,
/// the i-th call fails. Each run must end in `.io` with no destination file, or, for the calls whose failure is
/// recovered by design, byte-exact; no descriptor on the download's files may stay open; and a clean download
/// afterwards must end byte-exact, continuing the part file when one was kept. In-process over a deterministic
/// transport (four situations: fresh, continuing a part file, resuming after a drop, restarting over a stale part),
/// and through the C API against the emulator in a child process (debug library, `VIDEOGEN_FAULT_POINTS`), where
/// the allocations for C callers are fault points too.
@Suite("fault points: each fallible call of a download fails once", .serialized)
struct FaultPointTests {
    enum Situation: String, CaseIterable {
        case fresh, adopt, resume, restart
    }

    static let body = Data(HashingWriterTests.bytes(300_001, seed: 21))
    /// Bytes of a part file left beforehand, or delivered before the dropped connection (odd on purpose).
    static let kept = 100_003
    static let base = "http://127.0.0.1:9"
    static let etag = "\"blob-v1\""
    /// Calls whose failure the download recovers from by design: no lock on this file system, no note to read or
    /// write (the part is then simply not resumable), a part file that cannot be re-read (started over), a
    /// directory that cannot be synced after the rename.
    static let recovered: Set<FaultPoint> = [.partLock, .noteRead, .noteOpen, .noteWrite, .noteRename, .adoptSeek,
                                             .adoptRead, .directoryOpen, .directorySync]
    /// Calls after whose failure the part's bytes cannot be trusted: the part and its note must be gone.
    static let spoiling: Set<FaultPoint> = [.partWrite, .partSync, .partTruncate, .partSeek]

    var task: TaskSnapshot {
        var snapshot = TaskSnapshot(id: "t", dialect: Dialect.openai.rawValue, baseURL: FaultPointTests.base, state: .succeeded)
        snapshot.videoURL = FaultPointTests.base + "/v1/videos/t/content"
        return snapshot
    }

    func client(_ transport: BlobTransport) throws -> VideoGenClient {
        VideoGenClient(configuration: try TestConfig.make(.openai, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0, maxDelay: 0)),
                       transport: transport, random: { 0 })
    }

    /// Leaves what the situation starts from in `directory`; returns the destination path.
    func prepare(_ situation: Situation, in directory: String) throws -> String {
        let path = directory + "/v.mp4"
        guard situation == .adopt || situation == .restart else { return path }
        try FaultPointTests.body.prefix(FaultPointTests.kept).write(to: URL(fileURLWithPath: path + ".part"))
        let note = JSONValue.object(["version": .int(1), "key": .string("openai \(FaultPointTests.base) t"),
                                     "validator": .string(situation == .adopt ? FaultPointTests.etag : "\"stale\""),
                                     "total": .int(Int64(FaultPointTests.body.count))])
        try note.serialized().write(to: URL(fileURLWithPath: path + ".part.resume"))
        return path
    }

    func transport(_ situation: Situation) -> BlobTransport {
        BlobTransport(body: FaultPointTests.body, etag: FaultPointTests.etag, cuts: situation == .resume ? [FaultPointTests.kept] : [])
    }

    /// Runs the situation's download with the points armed for `directory`; the result and the points passed.
    func run(_ situation: Situation, in directory: String, failing: Int?) async throws -> (Result<TaskSnapshot, VideoGenError>, [FaultPoint]) {
        let path = try prepare(situation, in: directory)
        let download = try client(transport(situation))
        FaultPoints.arm(under: directory, failing: failing)
        let result: Result<TaskSnapshot, VideoGenError>
        do {
            result = .success(try await download.download(task, to: path))
        } catch {
            result = .failure(VideoGenError.wrap(error))
        }
        return (result, FaultPoints.disarm())
    }

    @Test("in-process: every fault point of four download situations fails once; typed error or recovery, no leak, then byte-exact")
    func everyPointOnce() async throws {
        var counts: [String] = []
        var exercised = Set<FaultPoint>()
        var outcomes = (io: 0, recovered: 0, continued: 0, runs: 0)
        for situation in Situation.allCases {
            let counted = try await withFreshDirectory { directory in
                let (result, hits) = try await run(situation, in: directory, failing: nil)
                #expect((try? result.get()) != nil, "\(situation): the counting run succeeds")
                return hits
            }
            counts.append("\(situation.rawValue) \(counted.count)")
            #expect(!counted.isEmpty)
            for index in 1...max(1, counted.count) where index <= counted.count {
                try await withFreshDirectory { directory in
                    let path = directory + "/v.mp4"
                    let (result, hits) = try await run(situation, in: directory, failing: index)
                    let point = counted[index - 1]
                    let context = "\(situation) call \(index) (\(point.rawValue))"
                    #expect(hits.count >= index && hits[index - 1] == point, "\(context): the same calls in the same order: \(hits)")
                    exercised.insert(point)
                    outcomes.runs += 1
                    switch result {
                    case .success:
                        #expect(FaultPointTests.recovered.contains(point), "\(context): succeeded although the call failed")
                        #expect(FileManager.default.contents(atPath: path) == FaultPointTests.body, "\(context)")
                        outcomes.recovered += 1
                    case .failure(let error):
                        #expect(!FaultPointTests.recovered.contains(point), "\(context): \(error)")
                        #expect(error.code == .io, "\(context): \(error)")
                        #expect(!FileManager.default.fileExists(atPath: path), "\(context): no destination file")
                        if FaultPointTests.spoiling.contains(point) {
                            #expect(!FileManager.default.fileExists(atPath: path + ".part"), "\(context): spoiled part removed")
                            #expect(!FileManager.default.fileExists(atPath: path + ".part.resume"), "\(context)")
                        }
                        if point == .partRename {
                            #expect(FileManager.default.fileExists(atPath: path + ".part.resume"), "\(context): the whole part is kept")
                        }
                        outcomes.io += 1
                    }
                    #expect(openDescriptors(under: directory) == 0, "\(context): no descriptor left open")

                    // A clean download afterwards, continuing what was kept.
                    let left = fileSize(path + ".part")
                    let note = FileManager.default.contents(atPath: path + ".part.resume").flatMap { try? JSONValue.parse($0) }
                    let clean = transport(.fresh)
                    let done = try await client(clean).download(task, to: path)
                    #expect(FileManager.default.contents(atPath: path) == FaultPointTests.body, "\(context): clean download")
                    #expect(done.download?.bytes == Int64(FaultPointTests.body.count))
                    if left > 0, note?["validator"]?.stringValue == FaultPointTests.etag, (try? result.get()) == nil {
                        #expect(clean.requests.first?.header("Range") == "bytes=\(left)-", "\(context): the kept part is continued")
                        outcomes.continued += 1
                    }
                    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["v.mp4"], "\(context)")
                }
            }
        }
        let expected = Set(FaultPoint.allCases).subtracting([.cAllocation])
        #expect(exercised == expected, "every download fault point exercised; missing: \(expected.subtracting(exercised).map(\.rawValue))")
        figure("row21: in-process, fault points per download: \(counts.joined(separator: ", ")); \(outcomes.runs) runs each failing one call: \(outcomes.io) ended .io with no destination file, \(outcomes.recovered) recovered by design and ended byte-exact; 0 descriptors left open; \(exercised.count) of \(expected.count) kinds of point exercised; every clean download afterwards byte-exact, \(outcomes.continued) continuing the kept part with Range")
    }

    @Test("C API, debug library: each fault point of a download and of the strings handed to the caller fails once (VIDEOGEN_FAULT_POINTS)")
    func everyPointOnceCABI() async throws {
        let emulator = try EmulatorProcess()
        let size = FaultPointTests.body.count
        let expected = try await emulator.blobBytes(size)
        let video = emulator.baseURL + "/_emulator/blob/\(size)"
        try await withTemporaryDirectory { directory in
            let program = try await CProgram.compile("fault_points.c", in: directory)
            func run(_ name: String, _ mode: String?) async throws -> (path: String, status: Int32, output: String) {
                let work = directory + "/" + name
                try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
                let path = work + "/v.bin"
                let (status, output) = try await program.run([emulator.baseURL, emulator.key, video, path], timeout: 60,
                                                             environment: mode.map { ["VIDEOGEN_FAULT_POINTS": $0] } ?? [:])
                return (path, status, output)
            }
            let counting = try await run("count", "trace")
            let points = counting.output.faultPoints
            let library = try CProgram.libraryDirectory()
            try #require(!points.isEmpty, "the debug library traces its fault points (\(library)): \(counting.output)")
            #expect(counting.status == 0 && counting.output.result("download") == ["0"], "\(counting.output)")
            #expect(points.allSatisfy { !$0.failed })
            var outcomes = (io: 0, recovered: 0, nomem: 0, emptyGetter: 0, continued: 0)
            var descriptorLeaks = 0
            for (index, point) in points.enumerated() {
                let number = index + 1
                let failed = try await run("run-\(number)", "fail:\(number)")
                let context = "call \(number) (\(point.name)): \(failed.output)"
                #expect(failed.status == 0, "no crash, no failed check: \(context)")
                let line = failed.output.faultPoints.first { $0.failed }
                #expect(line?.number == number && line?.name == point.name, "the same calls in the same order: \(context)")
                let download = failed.output.result("download")?.first
                if point.name == FaultPoint.cAllocation.rawValue {
                    #expect(download == "0", "\(context)")
                    if failed.output.result("snapshot") == ["\(VideoGenError.Code.outOfMemory.rawValue)"] {
                        outcomes.nomem += 1
                    } else {
                        let empty = failed.output.result("id") == ["(empty)"] || failed.output.result("video_url") == ["null"]
                            || failed.output.result("refusal") == ["empty"]
                        #expect(empty, "a getter gave its empty value: \(context)")
                        outcomes.emptyGetter += 1
                    }
                } else if FaultPoint(rawValue: point.name).map(FaultPointTests.recovered.contains) ?? false {
                    #expect(download == "0", "\(context)")
                    #expect(FileManager.default.contents(atPath: failed.path) == expected, "\(context)")
                    outcomes.recovered += 1
                } else {
                    #expect(download == "\(VideoGenError.Code.io.rawValue)", "\(context)")
                    #expect(!FileManager.default.fileExists(atPath: failed.path), "\(context)")
                    outcomes.io += 1
                }
                let descriptors = (failed.output.result("descriptors") ?? []).compactMap(Int.init)
                if descriptors.count != 2 || descriptors[0] != descriptors[1] { descriptorLeaks += 1 }

                // A clean run afterwards, in a new process, continuing what was kept.
                let left = (try? FileManager.default.attributesOfItem(atPath: failed.path + ".part")[.size] as? Int) ?? 0
                let noted = FileManager.default.fileExists(atPath: failed.path + ".part.resume")
                let before = try await emulator.entries("GET") { $0.hasPrefix("/_emulator/blob/") }.count
                let clean = try await program.run([emulator.baseURL, emulator.key, video, failed.path], timeout: 60)
                #expect(clean.status == 0 && clean.output.result("download") == ["0"], "clean run after \(context)")
                #expect(FileManager.default.contents(atPath: failed.path) == expected, "byte-exact after \(context)")
                if left > 0 && noted && download != "0" {
                    let first = try await emulator.entries("GET") { $0.hasPrefix("/_emulator/blob/") }.dropFirst(before).first
                    #expect(first?["range"]?.stringValue == "bytes=\(left)-", "the kept part is continued after \(context)")
                    outcomes.continued += 1
                }
                let work = (failed.path as NSString).deletingLastPathComponent
                #expect(try FileManager.default.contentsOfDirectory(atPath: work) == ["v.bin"], "\(context)")
            }
            #expect(descriptorLeaks == 0)
            let kinds = Set(points.map(\.name))
            figure("row21: C API (debug libvideogen.so, VIDEOGEN_FAULT_POINTS), one vg_task_download and one round of caller strings: N = \(points.count) fault points (\(kinds.count) kinds), \(points.count) of \(points.count) exercised: \(outcomes.io) ended VG_E_IO with no destination file, \(outcomes.recovered) recovered by design (byte-exact), \(outcomes.nomem) VG_E_NOMEM from vg_task_snapshot_json, \(outcomes.emptyGetter) getters gave their empty value; 0 crashes, \(descriptorLeaks) descriptors left open; every clean run afterwards byte-exact, \(outcomes.continued) continuing the kept part with Range")
        }
    }

    /// Descriptors of this process open on files under `directory` (other tests' descriptors are elsewhere).
    func openDescriptors(under directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.filter { name in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + name))?.hasPrefix(directory) ?? false
        }.count
    }

    func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    func withFreshDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vg-points-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory.path)
    }
}

extension String {
    /// The `FAULT-POINT <n> <name> [FAILED]` lines the debug library writes with `VIDEOGEN_FAULT_POINTS` set.
    var faultPoints: [(number: Int, name: String, failed: Bool)] {
        split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard words.count >= 3, words[0] == "FAULT-POINT", let number = Int(words[1]) else { return nil }
            return (number, String(words[2]), words.count > 3 && words[3] == "FAILED")
        }
    }
}
