import Foundation
import Testing
@testable import VideoGen

/// MiniMax (v1, v2), Runway, Luma and Ark end to end against the loopback emulator through the Swift API with the
/// real libcurl transport: the whole job byte for byte, what each record keeps, refusals as codes, the remote
/// cancel, and MiniMax's expired URL replaced through its file request.
@Suite("direct providers II against the emulator", .serialized)
struct EmulatorDirectProvidersTests {
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString)-\(name)").path
    }

    struct Job: Sendable, CustomTestStringConvertible {
        let name: String
        let dialect: Dialect
        let model: String
        var options = DirectProviderOptions()
        var configure: @Sendable (inout VideoRequest) -> Void = { _ in }
        /// Checks the finished snapshot.
        var check: @Sendable (TaskSnapshot) -> Void = { _ in }
        var testDescription: String { name }
    }

    static let jobs: [Job] = [
        Job(name: "minimax v1: query, then the file", dialect: .minimax, model: "MiniMax-Hailuo-02",
            configure: { $0.duration = 6; $0.image = .url("https://img.example.com/a.png") },
            check: { #expect($0.links["file_id"] != nil && $0.route == "v1" && $0.createdAt != nil) }),
        Job(name: "minimax v2: content items and usage", dialect: .minimax, model: "MiniMax-H3",
            options: { var o = DirectProviderOptions(); o.minimaxAPI = .v2; return o }(),
            configure: { $0.images = [.url("https://img.example.com/r.png")]; $0.aspectRatio = "16:9" },
            check: { #expect($0.route == "v2" && $0.usage?["output_seconds"] != nil) }),
        Job(name: "runway image to video", dialect: .runway, model: "gen4_turbo",
            configure: { $0.image = .url("https://img.example.com/a.png"); $0.aspectRatio = "1280:720" },
            check: { #expect($0.usage?["cost"]?["credits"] == 25) }),
        Job(name: "runway several outputs", dialect: .runway, model: "gen4.5-emu-multi",
            check: { #expect($0.outputs?.count == 2 && $0.outputs?.first == $0.videoURL) }),
        Job(name: "luma keyframes", dialect: .luma, model: "ray-2",
            configure: { $0.image = .url("https://img.example.com/a.png"); $0.duration = 5 },
            check: { #expect($0.providerStatus == "completed") }),
        Job(name: "ark content roles", dialect: .ark, model: "doubao-seedance-1-0-pro",
            configure: { $0.image = .url("https://img.example.com/a.png"); $0.imageTail = .url("https://img.example.com/b.png") },
            check: { #expect($0.usage?["completion_tokens"] != nil) }),
    ]

    @Test("the whole job gives the emulator's video byte for byte", arguments: jobs)
    func wholeJob(_ job: Job) async throws {
        let emulator = try EmulatorProcess()
        var configuration = try emulator.configuration(job.dialect)
        configuration.directProviders = job.options
        let client = VideoGenClient(configuration: configuration)
        let path = Self.temporaryPath("job.mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var request = VideoRequest(model: job.model, prompt: "a paper boat")
        job.configure(&request)
        let final = try await client.generate(request, to: path, timeout: 30)
        #expect(final.state == .succeeded)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try EmulatorProcess.sampleVideo))
        job.check(final)
        // The record brings the task back in another client.
        let resumed = try VideoGenClient(configuration: configuration).resume(record: final.json)
        #expect(try await VideoGenClient(configuration: configuration).refresh(resumed).state == .succeeded)
        let log = try await emulator.requests()
        #expect(log.filter { $0["origin"]?.stringValue == "api" }.allSatisfy { $0["authorization"]?.stringValue == "valid" })
        #expect(log.filter { $0["origin"]?.stringValue == "cdn" }.allSatisfy { $0["authorization"]?.stringValue == "none" })
    }

    static let refused: [(Dialect, String, String?)] = [
        (.minimax, "MiniMax-Hailuo-02-emu-fail", "1027"), (.runway, "gen4_turbo-emu-fail", "SAFETY.INPUT.TEXT"),
        (.luma, "ray-2-emu-fail", nil), (.ark, "seedance-emu-fail", "OutputVideoSensitiveContentDetected"),
    ]

    @Test("refused generations end as content refusals", arguments: refused)
    func refusals(_ dialect: Dialect, _ model: String, _ providerCode: String?) async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(dialect))
        let final = try await client.wait(for: try await client.submit(VideoRequest(model: model, prompt: "p")), timeout: 20)
        #expect(final.state == .failed && final.error?.code == .contentPolicy && final.error?.providerCode == providerCode)
    }

    @Test("an expired MiniMax URL is replaced by asking for the file again")
    func expiredFileURL() async throws {
        let emulator = try EmulatorProcess()
        _ = try await emulator.control("/_emulator/control", method: "POST", json: ["url_ttl_seconds": -10])
        let client = VideoGenClient(configuration: try emulator.configuration(.minimax))
        let done = try await client.wait(for: try await client.submit(VideoRequest(model: "MiniMax-Hailuo-02", prompt: "p")), timeout: 20)
        _ = try await emulator.control("/_emulator/control", method: "POST", json: ["url_ttl_seconds": 600])
        let path = Self.temporaryPath("expired.mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let downloaded = try await client.download(done, to: path)
        #expect(downloaded.download?.bytes == Int64(try EmulatorProcess.sampleVideo.count))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try EmulatorProcess.sampleVideo))
        let retrieves = try await emulator.requests().filter { $0["path"]?.stringValue == "/v1/files/retrieve" }
        #expect(retrieves.count == 2)
    }

    @Test("remote cancel: Runway's and Ark's DELETE, Luma's removal; MiniMax has none")
    func remoteCancel() async throws {
        let emulator = try EmulatorProcess()
        // Tasks queued for their first 720 s: Ark cancels queued tasks only, so the cancel cannot race the queue.
        let slow = try EmulatorProcess(taskSeconds: 3600)
        for dialect in [Dialect.runway, .ark] {
            let client = VideoGenClient(configuration: try slow.configuration(dialect))
            let task = try await client.submit(VideoRequest(model: "m-emu-stuck", prompt: "p"))
            try await client.cancelRemotely(task)
            #expect(try await client.refresh(task).state == .cancelled)
        }
        let luma = VideoGenClient(configuration: try emulator.configuration(.luma))
        let generation = try await luma.submit(VideoRequest(model: "ray-2-emu-stuck", prompt: "p"))
        try await luma.cancelRemotely(generation)
        await expectError(.notFound) { _ = try await luma.refresh(generation) }
        let minimax = VideoGenClient(configuration: try emulator.configuration(.minimax))
        let task = try await minimax.submit(VideoRequest(model: "m-emu-stuck", prompt: "p"))
        await expectError(.unsupported) { try await minimax.cancelRemotely(task) }
    }
}
