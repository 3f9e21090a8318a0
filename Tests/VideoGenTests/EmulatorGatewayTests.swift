import Foundation
import Testing
@testable import VideoGen

/// The gateway behaviours of the emulator (its `gateway` scenarios, mirroring new-api) end to end, with the real
/// transport: a finished task without a URL downloads through the content proxy, the gateway's own proxy URL under
/// another address downloads from the base URL with the key while unrelated origins get none, empty models keep the
/// task's, and relayed refusals are content-policy errors.
@Suite("gateway behaviours against the emulator", .serialized)
struct EmulatorGatewayTests {
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString)-\(name)").path
    }

    static func content(_ log: [JSONValue], _ id: String) -> [JSONValue] {
        log.filter { $0["path"]?.stringValue == "/v1/videos/\(id)/content" }
    }

    @Test("a unified task that finishes without a URL downloads through the content proxy, in every task shape")
    func inline() async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(.unified))
        for shape in ["envelope", "realtime", "flat"] {
            _ = try await emulator.control("/_emulator/control", method: "POST", json: ["unified_shape": .string(shape)])
            let path = Self.temporaryPath("inline.mp4")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let final = try await client.generate(VideoRequest(model: "veo-3.0-emu-inline", prompt: "p"), to: path, timeout: 30)
            #expect(final.state == .succeeded, "\(shape)")
            #expect(final.videoURL == "\(emulator.baseURL)/v1/videos/\(final.id)/content")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try EmulatorProcess.sampleVideo))
            let log = try await emulator.requests()
            let asked = Self.content(log, final.id)
            #expect(asked.count == 2, "one probe, one download: \(asked)")
            #expect(asked.first?["range"]?.stringValue == "bytes=0-0")
            #expect(asked.allSatisfy { $0["authorization"]?.stringValue == "valid" && $0["origin"]?.stringValue == "api" })
            #expect(log.allSatisfy { $0["origin"]?.stringValue == "api" }, "nothing on the CDN")
        }
    }

    @Test("a unified task whose content route has no video ends failed, and only after the route said 404")
    func empty() async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(.unified))
        let final = try await client.wait(for: try await client.submit(VideoRequest(model: "emu-empty", prompt: "p")), timeout: 20)
        #expect(final.state == .failed)
        #expect(final.error?.code == .taskFailed)
        #expect(final.error?.message.contains("returned no video") == true)
        let asked = Self.content(try await emulator.requests(), final.id)
        #expect(asked.count == 1 && asked.first?["status"]?.intValue == 404)
    }

    @Test("the gateway's own proxy URL under another address downloads from the base URL with the key; the CDN gets none")
    func proxyOnOtherAddress() async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(.unified))
        let path = Self.temporaryPath("proxy.mp4")
        let other = Self.temporaryPath("cdn.mp4")
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: other)
        }
        let final = try await client.generate(VideoRequest(model: "kling-v1-emu-proxy", prompt: "p"), to: path, timeout: 30)
        // The emulator names its content route under its other loopback name, as a new-api server address would.
        let port = try #require(URL(string: emulator.baseURL)?.port)
        #expect(final.videoURL == "http://localhost:\(port)/v1/videos/\(final.id)/content")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try EmulatorProcess.sampleVideo))
        // A task with an ordinary signed URL, in the same client.
        let plain = try await client.generate(VideoRequest(model: "kling-v1", prompt: "p"), to: other, timeout: 30)
        #expect(plain.videoURL?.hasPrefix(emulator.cdnURL) == true)
        let log = try await emulator.requests()
        let proxied = Self.content(log, final.id)
        #expect(proxied.count == 1 && proxied.first?["authorization"]?.stringValue == "valid"
                && proxied.first?["status"]?.intValue == 200, "\(proxied)")
        let api = log.filter { $0["origin"]?.stringValue == "api" }
        #expect(api.allSatisfy { $0["authorization"]?.stringValue == "valid" }, "no keyless request reached the gateway")
        let cdn = log.filter { $0["origin"]?.stringValue == "cdn" }
        #expect(cdn.count == 1 && cdn.allSatisfy { $0["authorization"]?.stringValue == "none" })
    }

    @Test("answers with an empty model keep the task's model")
    func blankModel() async throws {
        let emulator = try EmulatorProcess(extra: ["--unified-shape", "openai"])
        let model = "kling-v2-master-emu-blank-model"
        for (dialect, route) in [(Dialect.unified, UnifiedTaskAdapter.StatusRoute.videos), (.unified, .generations), (.openai, .generations)] {
            var configuration = try emulator.configuration(dialect)
            configuration.statusRoute = route
            let client = VideoGenClient(configuration: configuration)
            let final = try await client.wait(for: try await client.submit(VideoRequest(model: model, prompt: "p")), timeout: 20)
            #expect(final.state == .succeeded)
            #expect(final.model == model, "\(dialect) \(route)")
            #expect(final.json["model"]?.stringValue == model)
        }
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let model: String
        var route: UnifiedTaskAdapter.StatusRoute = .generations
        let providerCode: String?
        let mentions: String
        var testDescription: String { "\(model) \(route)" }
    }

    @Test("refused submits, as new-api relays them, are content-policy errors")
    func refusedSubmit() async throws {
        let emulator = try EmulatorProcess()
        var configuration = try emulator.configuration(.unified)
        configuration.retry = RetryPolicy(maxAttempts: 1, baseDelay: 0, maxDelay: 0)
        let client = VideoGenClient(configuration: configuration)
        for refusal in [
            Refusal(model: "kling-v1-emu-error-1301", providerCode: "1301", mentions: "Trigger content security policy"),
            Refusal(model: "wan-emu-error-datainspectionfailed", providerCode: "DataInspectionFailed", mentions: "inappropriate content"),
            Refusal(model: "seedance-emu-error-inputtextsensitivecontentdetected", providerCode: "InputTextSensitiveContentDetected",
                    mentions: "sensitive information"),
            Refusal(model: "hailuo-emu-error-1026", providerCode: "1026", mentions: "contains sensitive content"),
            Refusal(model: "sora-emu-error-moderation_blocked", providerCode: "moderation_blocked", mentions: "moderation system"),
        ] {
            let error = await expectError(.contentPolicy) {
                _ = try await client.submit(VideoRequest(model: refusal.model, prompt: "p"))
            }
            #expect(error?.providerCode == refusal.providerCode, "\(refusal)")
            #expect(error?.httpStatus == 400)
            #expect(error?.message.contains(refusal.mentions) == true, "\(error?.message ?? "")")
        }
        #expect(try await emulator.control("/_emulator/stats")["tasks"] == 0, "no task was created")
    }

    @Test("refused tasks, in both fetch answers, are content-policy failures")
    func refusedTask() async throws {
        let emulator = try EmulatorProcess()
        let refusals = [
            Refusal(model: "emu-refused-doubao", providerCode: nil, mentions: "sensitive information"),
            Refusal(model: "emu-refused-doubao", route: .videos, providerCode: "OutputVideoSensitiveContentDetected", mentions: "sensitive information"),
            Refusal(model: "emu-refused-ali", providerCode: "DataInspectionFailed", mentions: "inappropriate content"),
            Refusal(model: "emu-refused-ali", route: .videos, providerCode: "DataInspectionFailed", mentions: "inappropriate content"),
            Refusal(model: "emu-refused-vidu", providerCode: "CreationPolicyViolation", mentions: "CreationPolicyViolation"),
            Refusal(model: "emu-refused-vidu", route: .videos, providerCode: "CreationPolicyViolation", mentions: "CreationPolicyViolation"),
            Refusal(model: "emu-refused-veo", providerCode: nil, mentions: "Support codes"),
            Refusal(model: "emu-refused-veo", route: .videos, providerCode: nil, mentions: "usage guidelines"),
            Refusal(model: "emu-refused-openai", providerCode: nil, mentions: "moderation system"),
            Refusal(model: "emu-refused-openai", route: .videos, providerCode: "moderation_blocked", mentions: "moderation system"),
        ]
        let finals = try await withThrowingTaskGroup(of: (Refusal, TaskSnapshot).self) { group in
            for refusal in refusals {
                var configuration = try emulator.configuration(.unified)
                configuration.statusRoute = refusal.route
                let client = VideoGenClient(configuration: configuration)
                group.addTask {
                    (refusal, try await client.wait(for: try await client.submit(VideoRequest(model: refusal.model, prompt: "p")), timeout: 20))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(finals.count == refusals.count)
        for (refusal, final) in finals {
            #expect(final.state == .failed, "\(refusal)")
            #expect(final.error?.code == .contentPolicy, "\(refusal)")
            #expect(final.error?.providerCode == refusal.providerCode, "\(refusal)")
            #expect(final.error?.message.contains(refusal.mentions) == true, "\(refusal): \(final.error?.message ?? "")")
        }
    }
}
