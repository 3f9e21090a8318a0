import Foundation
import Testing
@testable import VideoGen

/// Gemini Omni video through the Interactions API end to end against the emulator, with the real libcurl
/// transport: a background interaction polled to `completed`, its inline base64 video written through the part
/// file by asking the interaction again (the record stays small), a `uri` delivery downloaded through the storage
/// redirect without the key, remote cancel, failures (safety, budget, failed), auth and rate-limit errors, records
/// resumed by a fresh client, and no key in any record, error or request log.
@Suite("gemini interactions against the emulator", .serialized)
struct GeminiInteractionsEmulatorTests {
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vg-interactions-\(UUID().uuidString)-\(name)").path
    }

    static func client(_ emulator: EmulatorProcess, key: String? = nil) throws -> VideoGenClient {
        VideoGenClient(configuration: try emulator.configuration(.geminiInteractions, key: key))
    }

    @Test("inline video: generate, resume the record in a fresh client, download through the part file; the record holds no bytes and no key")
    func inlineEndToEnd() async throws {
        let key = canaryKey()
        let emulator = try EmulatorProcess(taskSeconds: 0.3, key: key)
        let client = try Self.client(emulator)
        var request = VideoRequest(model: "gemini-omni-flash-preview", prompt: "a fox")
        request.aspectRatio = "16:9"; request.duration = 8; request.seed = 3
        let submitted = try await client.submit(request)
        #expect(submitted.state == .queued && !submitted.id.isEmpty)
        let record = submitted.json.jsonText
        #expect(!record.contains(key))

        let fresh = try Self.client(emulator)
        let resumed = try fresh.resume(record: try JSONValue.parse(Data(record.utf8)))
        let done = try await fresh.wait(for: resumed, timeout: 20, pollImmediately: true)
        #expect(done.state == .succeeded && done.videoURL == "inline:interaction/videos/0")
        #expect(done.json.jsonText.utf8.count < 2048, "the record holds no video bytes")
        let path = Self.temporaryPath("inline.mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let downloaded = try await fresh.download(done, to: path)
        let sample = try EmulatorProcess.sampleVideo
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == sample)
        #expect(downloaded.download?.bytes == Int64(sample.count))
        #expect(!FileManager.default.fileExists(atPath: path + ".part"))
        #expect(!downloaded.json.jsonText.contains(key))
        let log = try await emulator.requests()
        let sent = log.compactMap { $0["path"]?.stringValue }
        #expect(sent.contains("/v1/interactions") && sent.contains("/v1/interactions/\(done.id)"))
        #expect(!log.map(\.jsonText).joined().contains(key), "the request log never holds the key")
    }

    @Test("uri delivery: downloaded with the key on the API origin, its redirect to storage without it")
    func uriDelivery() async throws {
        let emulator = try EmulatorProcess(taskSeconds: 0.2, key: canaryKey())
        let client = try Self.client(emulator)
        var request = VideoRequest(model: "gemini-omni-flash-preview", prompt: "a fox")
        request.extra = ["response_format": ["delivery": "uri"]]
        let done = try await client.wait(for: try await client.submit(request), timeout: 20)
        #expect(done.state == .succeeded && done.videoURL?.hasPrefix(emulator.baseURL + "/v1beta/files/ix") == true)
        let path = Self.temporaryPath("uri.mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try await client.download(done, to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try EmulatorProcess.sampleVideo))
        let storage = try await emulator.control("/_emulator/google/accounts")
        #expect(storage["storage_credential_headers"] == .array([]), "no credential header reached storage")
    }

    @Test("remote cancel ends a running interaction cancelled; a finished one cannot be cancelled")
    func cancel() async throws {
        let emulator = try EmulatorProcess(taskSeconds: 0.2, key: canaryKey())
        let client = try Self.client(emulator)
        let stuck = try await client.submit(VideoRequest(model: "gemini-omni-emu-stuck", prompt: "p"))
        try await client.cancelRemotely(stuck)
        let after = try await client.refresh(stuck)
        #expect(after.state == .cancelled && after.providerStatus == "cancelled")
        let done = try await client.wait(for: try await client.submit(VideoRequest(model: "gemini-omni-flash-preview", prompt: "p")), timeout: 20)
        let late = await expectError(.badRequest) { try await client.cancelRemotely(done) }
        #expect(late?.providerCode == "FAILED_PRECONDITION")
    }

    @Test("failures: safety as content policy, budget_exceeded and failed with their codes, 429 rate limited, a wrong key auth, an unknown id not found")
    func failures() async throws {
        let emulator = try EmulatorProcess(taskSeconds: 0.2, key: canaryKey())
        let client = try Self.client(emulator)
        let safety = try await client.wait(for: try await client.submit(VideoRequest(model: "gemini-omni-emu-rai", prompt: "p")), timeout: 20)
        #expect(safety.state == .failed && safety.error?.code == .contentPolicy && safety.error?.providerCode == "SAFETY")
        #expect(safety.error?.message.contains("Support codes") == true)
        let budget = try await client.wait(for: try await client.submit(VideoRequest(model: "gemini-omni-emu-budget", prompt: "p")), timeout: 20)
        #expect(budget.state == .failed && budget.error?.providerCode == "BUDGET_EXCEEDED")
        let failed = try await client.wait(for: try await client.submit(VideoRequest(model: "gemini-omni-emu-fail", prompt: "p")), timeout: 20)
        #expect(failed.state == .failed && failed.error?.code == .taskFailed && failed.error?.providerCode == "INTERNAL")
        let empty = try await client.wait(for: try await client.submit(VideoRequest(model: "gemini-omni-emu-empty", prompt: "p")), timeout: 20)
        #expect(empty.state == .failed && empty.error?.message == "the interaction completed without a video")
        let limited = await expectError(.rateLimited) { _ = try await client.submit(VideoRequest(model: "gemini-omni-emu-error-429", prompt: "p")) }
        #expect(limited?.providerCode == "RESOURCE_EXHAUSTED")
        let wrong = try Self.client(emulator, key: "AIza-wrong-key-1234")
        let auth = await expectError(.auth) { _ = try await wrong.submit(VideoRequest(model: "gemini-omni-flash-preview", prompt: "p")) }
        #expect(auth?.providerCode == "API_KEY_INVALID" && auth?.message.contains("AIza-wrong") == false)
        let unknown = try client.resume(record: ["record_version": 1, "id": "v1_nope", "state": "running"])
        await expectError(.notFound) { _ = try await client.refresh(unknown) }
    }
}
