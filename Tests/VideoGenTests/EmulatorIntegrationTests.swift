import Foundation
import Synchronization
import Testing
@testable import VideoGen

/// The real libcurl transport against the loopback emulator: the whole job, and the transport's guards.
@Suite("against the emulator", .serialized)
struct EmulatorIntegrationTests {
    func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString)-\(name)").path
    }

    @Test("the whole job in both dialects gives the emulator's video byte for byte", arguments: [Dialect.openai, .unified])
    func wholeJob(_ dialect: Dialect) async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(dialect))
        let path = temporaryPath("job.mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let updates = Mutex<[TaskSnapshot]>([])
        var request = VideoRequest(model: "sora-2", prompt: "a paper boat")
        request.duration = 4
        let final = try await client.generate(request, to: path, onUpdate: { snapshot in updates.withLock { $0.append(snapshot) } })
        #expect(final.state == .succeeded)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try EmulatorProcess.sampleVideo))
        #expect(!FileManager.default.fileExists(atPath: path + ".part"))
        let seen = updates.withLock { $0 }
        #expect(seen.first?.state == .queued && seen.last?.state == .succeeded)
        let progress = seen.compactMap(\.progress)
        #expect(progress == progress.sorted(), "progress never goes backwards")
        let log = try await emulator.requests()
        #expect(log.allSatisfy { $0["origin"]?.stringValue == "cdn" || $0["authorization"]?.stringValue != "invalid" })
    }

    @Test("credentials never reach the second origin: signed CDN URLs and cross-origin redirects")
    func noCredentialsCrossOrigin() async throws {
        let emulator = try EmulatorProcess()
        for (dialect, model) in [(Dialect.unified, "kling-v1"), (.openai, "emu-redirect")] {
            let client = VideoGenClient(configuration: try emulator.configuration(dialect))
            let path = temporaryPath("cdn.mp4")
            defer { try? FileManager.default.removeItem(atPath: path) }
            _ = try await client.generate(VideoRequest(model: model, prompt: "p"), to: path)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try EmulatorProcess.sampleVideo))
        }
        let log = try await emulator.requests()
        let cdn = log.filter { $0["origin"]?.stringValue == "cdn" }
        #expect(cdn.count >= 2, "both downloads went to the second origin")
        #expect(cdn.allSatisfy { $0["authorization"]?.stringValue == "none" })
        #expect(log.filter { $0["origin"]?.stringValue == "api" && $0["path"]?.stringValue?.hasPrefix("/v1/") == true }
            .allSatisfy { $0["authorization"]?.stringValue == "valid" })
    }

    @Test("a 401 with WWW-Authenticate: Basic is an auth error, not a hang")
    func basicChallenge() async throws {
        let emulator = try EmulatorProcess(extra: ["--www-authenticate", "Basic"])
        let client = VideoGenClient(configuration: try emulator.configuration(.openai, key: "sk-wrong-key"))
        let start = ContinuousClock.now
        let error = await expectError(.auth) { _ = try await client.submit(VideoRequest(model: "m", prompt: "p")) }
        #expect(error?.httpStatus == 401)
        #expect(start.duration(to: .now) < .seconds(8), "well under the 10 s request timeout")
    }

    @Test("a wrong key with a Bearer challenge gives the service's message")
    func bearerChallenge() async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(.unified, key: "sk-wrong-key"))
        let error = await expectError(.auth) { _ = try await client.submit(VideoRequest(model: "m", prompt: "p")) }
        #expect(error?.httpStatus == 401)
        #expect(error?.message.contains("sk-wrong-key") == false)
    }

    @Test("an unknown task is not found in both dialects", arguments: [Dialect.openai, .unified])
    func unknownTask(_ dialect: Dialect) async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(dialect))
        let ghost = TaskSnapshot(id: "task_doesnotexist", dialect: dialect.rawValue, baseURL: emulator.baseURL)
        await expectError(.notFound) { _ = try await client.refresh(ghost) }
        await expectError(.notFound) { _ = try await client.wait(for: ghost, timeout: 5, pollImmediately: true) }
    }

    @Test("a failed task ends failed with the provider's reason; an empty success ends failed")
    func failures() async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(.openai))
        let failed = try await client.wait(for: try await client.submit(VideoRequest(model: "emu-fail", prompt: "p")), timeout: 20)
        #expect(failed.state == .failed)
        #expect(failed.error?.code == .contentPolicy)
        #expect(failed.error?.providerCode == "content_policy_violation")
        let unified = VideoGenClient(configuration: try emulator.configuration(.unified))
        let empty = try await unified.wait(for: try await unified.submit(VideoRequest(model: "emu-empty", prompt: "p")), timeout: 20)
        #expect(empty.state == .failed)
    }

    @Test("a stuck task hits the deadline; cancelling a wait returns promptly")
    func deadlineAndCancel() async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(.openai))
        let stuck = try await client.submit(VideoRequest(model: "emu-stuck", prompt: "p"))
        await expectError(.deadline) { _ = try await client.wait(for: stuck, timeout: 1) }

        // A client whose next poll is an hour away: a cancel that did not interrupt the pause would take that hour
        // (or the 2-hour deadline), so the generous bound below only tells "interrupted" from "not interrupted".
        var patient = try emulator.configuration(.openai)
        patient.poll = PollPolicy(interval: 3600, maxInterval: 3600)
        let sleepy = VideoGenClient(configuration: patient)
        let waiting = Task { try await sleepy.wait(for: stuck, timeout: 7200) }
        try await Task.sleep(nanoseconds: 300_000_000)
        let cancelledAt = ContinuousClock.now
        waiting.cancel()
        await expectError(.cancelled) { _ = try await waiting.value }
        #expect(cancelledAt.duration(to: .now) < .seconds(60), "the cancel interrupted the hour-long pause")
    }

    @Test("answers over the size cap are refused")
    func sizeCap() async throws {
        let emulator = try EmulatorProcess()
        let request = HTTPRequest(method: "GET", url: URL(string: emulator.baseURL + "/_emulator/blob/100000")!)
        await expectError(.tooLarge) { _ = try await CurlTransport.shared.send(request, timeout: 10, maxBodyBytes: 1000) }
        let response = try await CurlTransport.shared.send(request, timeout: 10, maxBodyBytes: 200_000)
        #expect(response.body.count == 100_000)
    }

    @Test("a closed port is a network error after the retries")
    func connectionRefused() async throws {
        var configuration = try ClientConfiguration(dialect: .openai, baseURL: "http://127.0.0.1:1", apiKey: APIKey("k"))
        configuration.retry = RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.01)
        await expectError(.network) { _ = try await VideoGenClient(configuration: configuration).submit(VideoRequest(model: "m", prompt: "p")) }
    }
}
