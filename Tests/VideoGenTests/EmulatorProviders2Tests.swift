import Foundation
import Testing
@testable import VideoGen

/// Wan on DashScope, Vidu and OpenRouter end to end against the loopback emulator with the real libcurl transport:
/// whole jobs, several outputs downloaded by index, Vidu's cover, remote cancel, provider errors, expired URLs.
@Suite("DashScope, Vidu and OpenRouter against the emulator", .serialized)
struct EmulatorProviders2Tests {
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString)-\(name)").path
    }

    static func cdnPaths(_ emulator: EmulatorProcess) async throws -> [String] {
        try await emulator.requests().filter { $0["origin"]?.stringValue == "cdn" }.compactMap { $0["path"]?.stringValue }
    }

    @Test("a whole job per provider, its usage in the snapshot, the CDN never sees the key",
          arguments: [(Dialect.dashscope, "wan2.2-i2v-plus"), (.vidu, "viduq2"), (.openrouter, "google/veo-3.1")])
    func wholeJob(_ dialect: Dialect, _ model: String) async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(dialect))
        let path = Self.temporaryPath("job.mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var request = VideoRequest(model: model, prompt: "a paper boat")
        request.image = .bytes(Self.png, mimeType: "image/png")
        request.duration = 5
        request.seed = 1
        let final = try await client.generate(request, to: path, timeout: 30)
        #expect(final.state == .succeeded)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try EmulatorProcess.sampleVideo))
        switch dialect {
        case .dashscope: #expect(final.usage?["video_duration"] == 5 && final.usage?["video_count"] == 1)
        case .vidu: #expect(final.usage?["credits"] == 4)
        default: #expect(final.usage?["cost"] != nil && final.usage?["is_byok"] == false)
        }
        let log = try await emulator.requests()
        #expect(log.filter { $0["origin"]?.stringValue == "cdn" }.allSatisfy { $0["authorization"]?.stringValue == "none" })
        #expect(log.filter { $0["origin"]?.stringValue == "api" }.allSatisfy { ($0["status"]?.intValue ?? 500) < 400 })
    }

    @Test("several outputs: output 1 is downloaded by index, from its own URL", arguments: [Dialect.vidu, .openrouter])
    func outputByIndex(_ dialect: Dialect) async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(dialect))
        let path = Self.temporaryPath("second.mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let submitted = try await client.submit(VideoRequest(model: "m emu-outputs-3", prompt: "three boats"))
        let final = try await client.wait(for: submitted, timeout: 30)
        #expect(final.state == .succeeded)
        #expect(final.outputs?.count == 3)
        let downloaded = try await client.download(final, output: 1, to: path)
        #expect(downloaded.download?.output == 1)
        #expect(downloaded.download?.bytes == Int64(try EmulatorProcess.sampleVideo.count))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try EmulatorProcess.sampleVideo))
        let log = try await emulator.requests()
        if dialect == .vidu {
            #expect(try await Self.cdnPaths(emulator) == ["/files/\(final.id)-1.mp4"])
        } else {
            let content = log.filter { $0["path"]?.stringValue == "/api/v1/videos/\(final.id)/content" }
            #expect(content.count == 1 && content.first?["query"]?["index"] == "1", "\(content)")
        }
        // The record names the output; one the task does not have is refused by name before any traffic.
        #expect(try TaskSnapshot(json: downloaded.json).download?.output == 1)
        await #expect { _ = try await client.download(final, output: 3, to: path) } throws: {
            ($0 as? VideoGenError)?.code == .invalidArgument && ($0 as? VideoGenError)?.message.contains("3 outputs") == true
        }
    }

    @Test("an expired output URL is replaced by the same output's fresh one, never output 0's")
    func expiredOutput() async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(.vidu))
        let path = Self.temporaryPath("expired.mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Every signed URL the emulator hands out from now on has already expired.
        _ = try await emulator.control("/_emulator/control", method: "POST", json: ["url_ttl_seconds": -60])
        let final = try await client.wait(for: try await client.submit(VideoRequest(model: "m emu-outputs-2", prompt: "p")), timeout: 30)
        #expect(final.state == .succeeded)
        let stale = final
        let expiredAt = try await emulator.requests().count
        await #expect(throws: VideoGenError.self) { _ = try await client.download(stale, output: 1, to: path) }
        let after = try await emulator.requests().dropFirst(expiredAt)
        let cdn = after.filter { $0["origin"]?.stringValue == "cdn" }.compactMap { $0["path"]?.stringValue }
        let polls = after.filter { $0["path"]?.stringValue == "/ent/v2/tasks/\(final.id)/creations" }
        #expect(cdn.count == Downloader.maxURLRefreshes + 1)
        #expect(cdn.allSatisfy { $0 == "/files/\(final.id)-1.mp4" }, "\(cdn)")
        #expect(polls.count == Downloader.maxURLRefreshes)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("Vidu's cover is the thumbnail variant")
    func viduCover() async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(.vidu))
        let path = Self.temporaryPath("cover.jpg")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let final = try await client.wait(for: try await client.submit(VideoRequest(model: "viduq2", prompt: "p")), timeout: 30)
        #expect(final.links[ViduAdapter.coverLink] != nil)
        let cover = try await client.download(final, variant: .thumbnail, to: path)
        #expect(cover.download?.variant == .thumbnail)
        #expect(cover.videoURL == final.videoURL)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.starts(with: [0xFF, 0xD8, 0xFF]), "a JPEG")
        #expect(try await Self.cdnPaths(emulator) == ["/files/\(final.id)-cover.jpg"])
        await #expect { _ = try await client.download(final, variant: .spritesheet, to: path) } throws: {
            ($0 as? VideoGenError)?.code == .notReady
        }
    }

    @Test("remote cancel of a queued task: DashScope and Vidu; OpenRouter has none", arguments: [Dialect.dashscope, .vidu, .openrouter])
    func remoteCancel(_ dialect: Dialect) async throws {
        let emulator = try EmulatorProcess(taskSeconds: 600)   // queued for its first 120 s
        let client = VideoGenClient(configuration: try emulator.configuration(dialect))
        let submitted = try await client.submit(VideoRequest(model: "m", prompt: "p"))
        guard dialect != .openrouter else {
            await #expect { try await client.cancelRemotely(submitted) } throws: { ($0 as? VideoGenError)?.code == .unsupported }
            return
        }
        try await client.cancelRemotely(submitted)
        let after = try await client.refresh(submitted)
        #expect(after.state == .cancelled)
        // A second cancel is refused by the service: the task is no longer queued.
        await #expect(throws: VideoGenError.self) { try await client.cancelRemotely(after) }
    }

    @Test("provider errors map to videogen's codes", arguments: [
        (Dialect.dashscope, "m emu-error-datainspectionfailed", VideoGenError.Code.contentPolicy, "DataInspectionFailed"),
        (.dashscope, "m emu-error-arrearage", .quota, "Arrearage"),
        (.dashscope, "m emu-error-throttling", .rateLimited, "Throttling.RateQuota"),
        (.vidu, "m emu-error-creditinsufficient", .quota, "CreditInsufficient"),
        (.vidu, "m emu-error-auditsubmitillegal", .contentPolicy, "AuditSubmitIllegal"),
        (.vidu, "m emu-error-toomanyrequests", .rateLimited, "TooManyRequests"),
        (.openrouter, "m emu-error-moderation", .contentPolicy, "403"),
        (.openrouter, "m emu-error-insufficient_credits", .quota, "402"),
    ])
    func errors(_ dialect: Dialect, _ model: String, _ code: VideoGenError.Code, _ providerCode: String) async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(dialect))
        await #expect { _ = try await client.submit(VideoRequest(model: model, prompt: "p")) } throws: {
            ($0 as? VideoGenError)?.code == code && ($0 as? VideoGenError)?.providerCode == providerCode
        }
    }

    @Test("failed tasks carry the provider's reason", arguments: [
        (Dialect.dashscope, "m emu-fail", VideoGenError.Code.contentPolicy, "DataInspectionFailed"),
        (.dashscope, "m emu-failed-InternalError.Algo", .taskFailed, "InternalError.Algo"),
        (.vidu, "m emu-fail", .contentPolicy, "CreationPolicyViolation"),
        (.vidu, "m emu-failed-ModelUnavailable", .taskFailed, "ModelUnavailable"),
        (.openrouter, "m emu-fail", .contentPolicy, nil),
    ] as [(Dialect, String, VideoGenError.Code, String?)])
    func failures(_ dialect: Dialect, _ model: String, _ code: VideoGenError.Code, _ providerCode: String?) async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(dialect))
        let final = try await client.wait(for: try await client.submit(VideoRequest(model: model, prompt: "p")), timeout: 30)
        #expect(final.state == .failed)
        #expect(final.error?.code == code)
        if let providerCode { #expect(final.error?.providerCode == providerCode) }
    }

    @Test("a wrong key is an authentication error, and the key appears nowhere", arguments: [Dialect.dashscope, .vidu, .openrouter])
    func wrongKey(_ dialect: Dialect) async throws {
        let emulator = try EmulatorProcess()
        let canary = "sk-canary-\(UUID().uuidString)"
        let client = VideoGenClient(configuration: try emulator.configuration(dialect, key: canary))
        await #expect { _ = try await client.submit(VideoRequest(model: "m", prompt: "p")) } throws: { error in
            guard let error = error as? VideoGenError else { return false }
            return error.code == .auth && !"\(error) \(error.json.jsonText)".contains(canary)
        }
    }

    @Test("DashScope: UNKNOWN (an id it does not know, or one past 24 hours) is an expired task")
    func unknownTask() async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(.dashscope))
        let task = try client.resume(record: ["record_version": 1, "id": "0d6d3f6c-0000-4000-8000-000000000000", "state": "queued"])
        let after = try await client.refresh(task)
        #expect(after.state == .expired)
        #expect(after.error?.code == .notFound && after.error?.providerCode == "UNKNOWN")
    }
}
