import Foundation
import Testing
@testable import VideoGen

/// `download_timeout`: one deadline for a whole download, over its attempts, backoff sleeps and URL refreshes.
@Suite("download deadline")
struct DownloadDeadlineTests {
    @Test("configuration reads download_timeout, none by default, and refuses nonsense")
    func configured() throws {
        func parse(_ extra: String) throws -> ClientConfiguration {
            try ClientConfiguration(json: JSONValue.parse(
                #"{"dialect":"openai","base_url":"https://x","api_key":"k"\#(extra)}"#), environment: [:])
        }
        #expect(try parse("").downloadTimeout == nil)
        #expect(try parse(#","download_timeout":90"#).downloadTimeout == 90)
        #expect(throws: VideoGenError.self) { try parse(#","download_timeout":0"#) }
        #expect(throws: VideoGenError.self) { try parse(#","download_timeout":"soon""#) }
    }

    @Test("a download that drips past download_timeout fails with timeout, keeps its part, and the next one continues it")
    func deadlineKeepsPart() async throws {
        let emulator = try EmulatorProcess()
        let size = 1 << 20
        var configuration = try emulator.configuration(.openai)
        configuration.downloadTimeout = 1
        let limited = VideoGenClient(configuration: configuration)
        // 128 KiB/s: above the low-speed limit, so only the deadline can end it (a whole run would take 8 s).
        try await emulator.setFaults([rule("drip:131072", match: "/_emulator/blob/", count: 1)])
        try await withTemporaryDirectory { directory in
            let path = directory + "/v.bin"
            let start = ContinuousClock.now
            let error = await expectError(.timeout) { _ = try await limited.download(emulator.blobTask(size), to: path) }
            let elapsed = seconds(since: start)
            #expect(error?.message.contains("download_timeout") == true)
            #expect(elapsed >= 1, "not before the deadline: \(elapsed) s")
            #expect(!FileManager.default.fileExists(atPath: path), "no final file")
            let kept = (try? FileManager.default.attributesOfItem(atPath: path + ".part")[.size] as? Int) ?? 0
            #expect(kept > 0, "the bytes received before the deadline are kept")
            // Ended by the deadline, not by the transfer: the part holds less than the whole (a byte count, not a
            // wall-clock bound; the drip would need 8 s for all of it).
            #expect(kept < size, "the deadline stopped the transfer before its end: \(kept) of \(size) bytes")

            let unlimited = VideoGenClient(configuration: try emulator.configuration(.openai))
            _ = try await unlimited.download(emulator.blobTask(size), to: path)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try await emulator.blobBytes(size)))
            let gets = try await emulator.entries("GET") { $0.hasPrefix("/_emulator/blob/") }
            // (The dripped request may be logged last: the emulator logs a request when its answer ends.)
            #expect(gets.contains { $0["range"]?.stringValue == "bytes=\(kept)-" }, "continued where the deadline stopped it: \(gets)")
            figure("row13: download_timeout 1 s on a 1 MiB drip at 128 KiB/s -> timeout after \(String(format: "%.2f", elapsed)) s, \(kept) bytes kept, next download continued with Range and ended byte-exact")
        }
    }
}
