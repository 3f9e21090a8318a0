import Foundation
import Testing
@testable import VideoGen

/// A download's attempts are limited by its progress, not by the number of drops: an attempt that received bytes
/// starts the count over (and pays back its retry); attempts that bring nothing still end it after `max_attempts`.
@Suite("download retries and progress")
struct DownloadProgressRetryTests {
    @Test("six drops after progress, with max_attempts 2: the download completes byte-exact")
    func dropsAfterProgress() async throws {
        let emulator = try EmulatorProcess()
        let size = 600_000
        // Each of the first six answers ends cleanly after 50,000 more bytes (a truncated body): every attempt
        // brings bytes, and the seventh delivers the rest.
        try await emulator.setFaults((0..<6).map { k in
            rule("truncate:50000", match: "/_emulator/blob/", count: 1, skip: Int64(k))
        })
        var configuration = try emulator.configuration(.openai)
        configuration.retry.maxAttempts = 2
        let client = VideoGenClient(configuration: configuration)
        let budget = client.retryBudget.available
        var gets: [JSONValue] = []
        try await withTemporaryDirectory { directory in
            _ = try await client.download(emulator.blobTask(size), to: directory + "/v.bin")
            gets = try await emulator.entries("GET") { $0.hasPrefix("/_emulator/blob/") }
            #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/v.bin")) == (try await emulator.blobBytes(size)))
        }
        #expect(gets.count == 7, "\(gets.map { "\($0["range"]?.stringValue ?? "-") \($0["status"]?.intValue ?? 0) \($0["fault"]?.stringValue ?? "")" })")
        #expect(client.retryBudget.available == budget, "every retry was paid back by the progress that followed it")
    }

    @Test("attempts that bring nothing still end the download after max_attempts")
    func dropsWithoutProgress() async throws {
        let emulator = try EmulatorProcess()
        try await emulator.setFaults([rule("reset", match: "/_emulator/blob/")])
        var configuration = try emulator.configuration(.openai)
        configuration.retry.maxAttempts = 2
        let client = VideoGenClient(configuration: configuration)
        try await withTemporaryDirectory { directory in
            await expectError(.network) { _ = try await client.download(emulator.blobTask(100_000), to: directory + "/v.bin") }
        }
        let gets = try await emulator.entries("GET") { $0.hasPrefix("/_emulator/blob/") }
        #expect(gets.count == 2)
    }
}
