import Foundation
import Synchronization
import Testing
@testable import VideoGen

/// Kling's own API, fal's queue and Replicate end to end against the loopback emulator, with the real libcurl
/// transport: whole jobs byte for byte, failures, provider errors, records resumed by a second client, remote
/// cancels and the server-side deadline.
@Suite("Kling official, fal and Replicate against the emulator", .serialized)
struct EmulatorKlingFalReplicateTests {
    /// The emulator's Kling secret key (emulator/videogen_emulator/kling_official_routes.py).
    static let klingSecret = "emulator-kling-secret-key-0123456789"

    static func configuration(_ emulator: EmulatorProcess, _ dialect: Dialect) throws -> ClientConfiguration {
        var configuration = try emulator.configuration(dialect)
        if dialect == .klingOfficial {
            configuration.authenticator = try KlingJWTAuthenticator(accessKey: configuration.apiKey, secretKey: klingSecret)
        }
        return configuration
    }

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString)-\(name)").path
    }

    struct Job: Sendable, CustomTestStringConvertible {
        let name: String
        let dialect: Dialect
        let model: String
        var configure: @Sendable (inout VideoRequest) -> Void = { _ in }
        var expectPath: String
        var testDescription: String { name }
    }

    static let jobs: [Job] = [
        Job(name: "kling text2video", dialect: .klingOfficial, model: "kling-v2-master", configure: {
            $0.duration = 5; $0.mode = "pro"; $0.aspectRatio = "16:9"; $0.negativePrompt = "blur"; $0.externalTaskID = UUID().uuidString
        }, expectPath: "/v1/videos/text2video"),
        Job(name: "kling image2video", dialect: .klingOfficial, model: "kling-v1", configure: {
            $0.image = .url("https://img.example.com/a.png"); $0.imageTail = .url("https://img.example.com/z.png")
        }, expectPath: "/v1/videos/image2video"),
        Job(name: "kling omni-video with frames and references", dialect: .klingOfficial, model: "kling-video-o1", configure: {
            $0.image = .bytes(EmulatorDialectTests.png, mimeType: "image/png"); $0.images = [.url("https://img.example.com/r.png")]
        }, expectPath: "/v1/videos/omni-video"),
        Job(name: "fal queue", dialect: .fal, model: "fal-ai/kling-video/v2.1/standard/text-to-video", configure: {
            $0.duration = 5; $0.aspectRatio = "16:9"; $0.seed = 3
        }, expectPath: "/fal-ai/kling-video/v2.1/standard/text-to-video"),
        Job(name: "replicate model", dialect: .replicate, model: "kwaivgi/kling-v2.1", configure: { $0.duration = 5 },
            expectPath: "/v1/models/kwaivgi/kling-v2.1/predictions"),
        Job(name: "replicate version", dialect: .replicate, model: "kwaivgi/kling-v2.1:\(ReplicateAdapterTests.version)",
            expectPath: "/v1/predictions"),
        Job(name: "replicate deployment, several outputs", dialect: .replicate, model: "deployments/acme/video-emu-multi",
            expectPath: "/v1/deployments/acme/video-emu-multi/predictions"),
    ]

    @Test("the whole job gives the emulator's video byte for byte; the key goes only to the API origin", arguments: jobs)
    func wholeJob(_ job: Job) async throws {
        let emulator = try EmulatorProcess()
        var configuration = try Self.configuration(emulator, job.dialect)
        configuration.directProviders.preferWait = 0
        let client = VideoGenClient(configuration: configuration)
        let path = Self.temporaryPath("job.mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var request = VideoRequest(model: job.model, prompt: "a paper boat")
        job.configure(&request)
        let updates = Mutex<[TaskSnapshot]>([])
        let final = try await client.generate(request, to: path, timeout: 30, onUpdate: { s in updates.withLock { $0.append(s) } })
        #expect(final.state == .succeeded)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try EmulatorProcess.sampleVideo))
        let seen = updates.withLock { $0 }
        #expect(seen.compactMap(\.progress) == seen.compactMap(\.progress).sorted())
        let log = try await emulator.requests()
        let api = log.filter { $0["origin"]?.stringValue == "api" }
        #expect(api.first?["path"]?.stringValue == job.expectPath)
        #expect(api.allSatisfy { ($0["status"]?.intValue ?? 500) < 400 }, "no request was refused: \(api)")
        #expect(log.filter { $0["origin"]?.stringValue == "cdn" }.allSatisfy { $0["authorization"]?.stringValue == "none" })
        switch job.dialect {
        case .fal:
            #expect(seen.contains { $0.state == .queued && $0.queuePosition != nil }, "queue positions reported")
            #expect(final.links.keys.sorted() == ["cancel_url", "response_url", "status_url"] && final.usage?["inference_time"] != nil)
        case .replicate:
            #expect(final.usage?["predict_time"] != nil && final.links["get"] != nil)
            if job.model.contains("emu-multi") { #expect(final.outputs?.count == 2) }
        default:
            #expect(final.route == String(job.expectPath.split(separator: "/").last!))
            #expect(final.usage == ["final_unit_deduction": "1"])
        }
    }

    @Test("a record resumes in a second client (a new process's view): Kling by its external id, fal by its links")
    func resume() async throws {
        let emulator = try EmulatorProcess()
        let kling = VideoGenClient(configuration: try Self.configuration(emulator, .klingOfficial))
        var request = VideoRequest(model: "kling-video-o1", prompt: "p")
        let external = "mine-\(UUID().uuidString)"
        request.externalTaskID = external
        let submitted = try await kling.submit(request)
        let byExternal = try kling.resume(record: ["record_version": 1, "id": .string(external), "route": "omni-video", "state": "queued"])
        let found = try await VideoGenClient(configuration: try Self.configuration(emulator, .klingOfficial)).wait(for: byExternal, timeout: 20)
        #expect(found.state == .succeeded && found.id == submitted.id && found.links["external_task_id"] == external)

        let fal = VideoGenClient(configuration: try Self.configuration(emulator, .fal))
        let queued = try await fal.submit(VideoRequest(model: "fal-ai/minimax/video-01", prompt: "p"))
        let record = String(decoding: queued.json.serialized(), as: UTF8.self)
        let second = VideoGenClient(configuration: try Self.configuration(emulator, .fal))
        let done = try await second.wait(for: try second.resume(record: JSONValue.parse(Data(record.utf8))), timeout: 20)
        #expect(done.state == .succeeded && done.videoURL != nil)
    }

    @Test("failed tasks end with the provider's reason", arguments: [
        (Dialect.klingOfficial, "kling-v1-emu-fail", VideoGenError.Code.contentPolicy),
        (.klingOfficial, "kling-v1-emu-empty", .taskFailed),
        (.fal, "fal-ai/app-emu-fail", .contentPolicy),
        (.fal, "fal-ai/app-emu-empty", .taskFailed),
        (.replicate, "owner/model-emu-fail", .contentPolicy),
        (.replicate, "owner/model-emu-empty", .taskFailed),
    ])
    func failures(_ dialect: Dialect, _ model: String, _ code: VideoGenError.Code) async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try Self.configuration(emulator, dialect))
        let final = try await client.wait(for: try await client.submit(VideoRequest(model: model, prompt: "p")), timeout: 20)
        #expect(final.state == .failed && final.error?.code == code, "\(final.error.map(String.init(describing:)) ?? "")")
    }

    @Test("provider errors reach the caller as the right code", arguments: [
        (Dialect.klingOfficial, "kling-v1-emu-error-1102", VideoGenError.Code.quota, 429),
        (.klingOfficial, "kling-v1-emu-error-1301", .contentPolicy, 400),
        (.fal, "fal-ai/app-emu-error-locked", .permission, 403),
        (.fal, "fal-ai/app-emu-error-validation", .badRequest, 422),
        (.replicate, "owner/m-emu-error-insufficient_credit", .quota, 402),
        (.replicate, "owner/m-emu-error-invalid", .badRequest, 422),
    ])
    func providerErrors(_ dialect: Dialect, _ model: String, _ code: VideoGenError.Code, _ status: Int) async throws {
        let emulator = try EmulatorProcess()
        var configuration = try Self.configuration(emulator, dialect)
        configuration.retry = RetryPolicy(maxAttempts: 1, baseDelay: 0, maxDelay: 0)
        let error = await expectError(code) { _ = try await VideoGenClient(configuration: configuration).submit(VideoRequest(model: model, prompt: "p")) }
        #expect(error?.httpStatus == status)
    }

    @Test("wrong credentials are authentication errors: a JWT signed with another secret, a wrong fal key, a wrong token", arguments: [
        Dialect.klingOfficial, .fal, .replicate,
    ])
    func wrongCredentials(_ dialect: Dialect) async throws {
        let emulator = try EmulatorProcess()
        var configuration = try emulator.configuration(dialect, key: dialect == .klingOfficial ? nil : "sk-wrong-key-1")
        if dialect == .klingOfficial {
            configuration.authenticator = try KlingJWTAuthenticator(accessKey: configuration.apiKey, secretKey: "another-secret-key")
        }
        let model = dialect == .fal ? "fal-ai/app" : dialect == .replicate ? "owner/model" : "kling-v1"
        let error = await expectError(.auth) { _ = try await VideoGenClient(configuration: configuration).submit(VideoRequest(model: model, prompt: "p")) }
        #expect(error?.message.contains("another-secret") == false)
    }

    @Test("remote cancel: fal's PUT cancel_url ends the request cancelled; Replicate's cancel ends it canceled", arguments: [Dialect.fal, .replicate])
    func remoteCancel(_ dialect: Dialect) async throws {
        let emulator = try EmulatorProcess(taskSeconds: 30)
        var configuration = try Self.configuration(emulator, dialect)
        configuration.directProviders.preferWait = 0
        let client = VideoGenClient(configuration: configuration)
        let task = try await client.submit(VideoRequest(model: dialect == .fal ? "fal-ai/app" : "owner/model", prompt: "p"))
        try await client.cancelRemotely(task)
        let final = try await client.wait(for: task, timeout: 10)
        #expect(final.state == .cancelled && final.providerStatus == (dialect == .fal ? "COMPLETED" : "canceled"))
        if dialect == .fal {
            // A second cancel of a finished request is refused by fal with ALREADY_COMPLETED.
            let error = await expectError(.badRequest) { try await client.cancelRemotely(final) }
            #expect(error?.providerCode == "ALREADY_COMPLETED")
        }
    }

    @Test("Replicate's Cancel-After from the wait deadline aborts a prediction that never started")
    func cancelAfter() async throws {
        let emulator = try EmulatorProcess(taskSeconds: 60)
        var configuration = try Self.configuration(emulator, .replicate)
        configuration.directProviders.preferWait = 0
        configuration.directProviders.serverDeadline = true
        configuration.waitTimeout = 5
        let client = VideoGenClient(configuration: configuration)
        let task = try await client.submit(VideoRequest(model: "owner/model", prompt: "p"))
        let final = try await client.wait(for: task, timeout: 20)
        // The emulator aborts only on the Cancel-After it was sent (5 s, the wait timeout): the task itself runs 60 s.
        #expect(final.state == .cancelled && final.providerStatus == "aborted" && final.error?.code == .deadline)
    }

    @Test("Prefer: wait answers a quick prediction finished: no poll")
    func preferWait() async throws {
        let emulator = try EmulatorProcess(taskSeconds: 0.3)
        let client = VideoGenClient(configuration: try Self.configuration(emulator, .replicate))
        let task = try await client.submit(VideoRequest(model: "owner/model", prompt: "p"))
        #expect(task.state == .succeeded)
        _ = try await client.wait(for: task, timeout: 5)
        #expect(try await emulator.requests().filter { $0["origin"]?.stringValue == "api" }.count == 1)
    }
}
