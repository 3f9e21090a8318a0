import Foundation
import Synchronization
import Testing
@testable import VideoGen

/// The new dialects end to end against the loopback emulator, with the real libcurl transport: every answer
/// shape, every image form, the scenarios, the provider error codes and the presets.
@Suite("new dialects against the emulator", .serialized)
struct EmulatorDialectTests {
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString)-\(name)").path
    }

    /// One whole job: a dialect, the emulator's settings, and the request.
    struct Job: Sendable, CustomTestStringConvertible {
        enum Image: Sendable { case none, file, bytes, dataURI, url }
        let name: String
        let dialect: Dialect
        let model: String
        var settings: JSONValue = [:]
        var image: Image = .none
        var statusRoute: UnifiedTaskAdapter.StatusRoute = .generations
        var configure: @Sendable (inout VideoRequest) -> Void = { _ in }
        var testDescription: String { name }
    }

    static let jobs: [Job] = [
        Job(name: "kling text2video, Kling's envelope", dialect: .kling, model: "kling-v1") {
            $0.duration = 5; $0.mode = "std"; $0.cfgScale = 0.5; $0.aspectRatio = "16:9"; $0.negativePrompt = "blur"
            $0.cameraControl = try? CameraControl(type: "simple", config: ["zoom": 5]); $0.externalTaskID = UUID().uuidString
        },
        Job(name: "kling text2video, the gateway's flat answer", dialect: .kling, model: "kling-v2-master",
            settings: ["kling_shape": "flat"]),
        Job(name: "kling image2video from a local PNG (bare base64)", dialect: .kling, model: "kling-v1", image: .file),
        Job(name: "kling image2video from bytes, flat", dialect: .kling, model: "kling-v1", settings: ["kling_shape": "flat"],
            image: .bytes),
        Job(name: "kling image2video from a URL with a last frame", dialect: .kling, model: "kling-v1", image: .url) {
            $0.imageTail = .dataURI("data:image/png;base64,\(EmulatorDialectTests.png.base64EncodedString())")
        },
        Job(name: "routerone text", dialect: .routerone, model: "video-default") {
            $0.duration = 5; $0.resolution = "1080p"; $0.aspectRatio = "9:16"; $0.negativePrompt = "blur"
        },
        Job(name: "routerone with image URLs", dialect: .routerone, model: "video-default", image: .url) {
            $0.images = [.url("https://img.example.com/1.png"), .url("https://img.example.com/2.png")]
            $0.inputReference = .url("https://img.example.com/r.png")
        },
        Job(name: "chat, markdown link", dialect: .chat, model: "veo-3.1", settings: ["chat_form": "markdown"]),
        Job(name: "chat, plain URL", dialect: .chat, model: "veo-3.1", settings: ["chat_form": "plain"]),
        Job(name: "chat, structured part", dialect: .chat, model: "veo-3.1", settings: ["chat_form": "part"]),
        Job(name: "chat, HTML video tag, with a data URI image", dialect: .chat, model: "veo-3.1", settings: ["chat_form": "html"],
            image: .dataURI),
        Job(name: "unified polled through /v1/videos/{id}, data URI images", dialect: .unified, model: "kling-v1",
            image: .file, statusRoute: .videos) {
            $0.inputReference = .bytes(EmulatorDialectTests.png, mimeType: "image/png")
            $0.images = [.url("https://img.example.com/1.png")]; $0.duration = 5; $0.metadata = ["trace": "t"]
        },
        Job(name: "openai Veo: ratio size, string seconds, watermark, uploaded reference", dialect: .openai,
            model: "veo-3.1-fast", image: .file) {
            $0.aspectRatio = "16:9"; $0.duration = 8; $0.watermark = false
        },
        Job(name: "openai Veo: reference URL", dialect: .openai, model: "veo-3.1-landscape-fl", image: .url) {
            $0.size = "9x16"
        },
    ]

    @Test("the whole job gives the emulator's video byte for byte", arguments: jobs)
    func wholeJob(_ job: Job) async throws {
        let emulator = try EmulatorProcess()
        if job.settings != [:] { _ = try await emulator.control("/_emulator/control", method: "POST", json: job.settings) }
        var configuration = try emulator.configuration(job.dialect)
        configuration.statusRoute = job.statusRoute
        let client = VideoGenClient(configuration: configuration)
        let imagePath = Self.temporaryPath("ref.png")
        let videoPath = Self.temporaryPath("job.mp4")
        #expect(FileManager.default.createFile(atPath: imagePath, contents: Self.png))
        defer {
            try? FileManager.default.removeItem(atPath: imagePath)
            try? FileManager.default.removeItem(atPath: videoPath)
        }
        var request = VideoRequest(model: job.model, prompt: "a paper boat")
        switch job.image {
        case .none: break
        case .file: request.image = .file(imagePath)
        case .bytes: request.image = .bytes(Self.png, mimeType: "image/png")
        case .dataURI: request.image = .dataURI("data:image/png;base64,\(Self.png.base64EncodedString())")
        case .url: request.image = .url("https://img.example.com/a.png")
        }
        job.configure(&request)
        let updates = Mutex<[TaskSnapshot]>([])
        let final = try await client.generate(request, to: videoPath, timeout: 30,
                                              onUpdate: { snapshot in updates.withLock { $0.append(snapshot) } })
        #expect(final.state == .succeeded)
        #expect(final.dialect == job.dialect.rawValue)
        #expect(try Data(contentsOf: URL(fileURLWithPath: videoPath)) == (try EmulatorProcess.sampleVideo))
        let seen = updates.withLock { $0 }
        let progress = seen.compactMap(\.progress)
        #expect(progress == progress.sorted(), "progress never goes backwards")
        #expect(seen.last?.state == .succeeded)

        let log = try await emulator.requests()
        let api = log.filter { $0["origin"]?.stringValue == "api" }
        #expect(api.allSatisfy { $0["authorization"]?.stringValue == "valid" })
        #expect(api.allSatisfy { ($0["status"]?.intValue ?? 500) < 400 }, "no request was refused: \(api)")
        #expect(log.filter { $0["origin"]?.stringValue == "cdn" }.allSatisfy { $0["authorization"]?.stringValue == "none" })
        if job.dialect == .kling {
            let family = final.route ?? "?"
            #expect(family == (request.image != nil || request.imageTail != nil ? "image2video" : "text2video"))
            let polls = api.filter { $0["method"]?.stringValue == "GET" }.compactMap { $0["path"]?.stringValue }
            #expect(!polls.isEmpty && polls.allSatisfy { $0.hasPrefix("/kling/v1/videos/\(family)/") })
        }
        if job.dialect == .unified && job.statusRoute == .videos {
            let polls = api.filter { $0["method"]?.stringValue == "GET" }.compactMap { $0["path"]?.stringValue }
            #expect(!polls.isEmpty && polls.allSatisfy { $0.hasPrefix("/v1/videos/") && !$0.hasSuffix("/content") })
        }
        if job.dialect == .chat {
            #expect(api.count == 1, "one request: the reply is the finished task")
        }
    }

    struct Failure: Sendable, CustomTestStringConvertible {
        let dialect: Dialect
        let model: String
        let code: VideoGenError.Code
        let mentions: String
        var testDescription: String { "\(dialect) \(model)" }
    }

    @Test("failed and empty tasks end failed with the provider's reason", arguments: [
        Failure(dialect: .kling, model: "emu-fail", code: .contentPolicy, mentions: "safety system"),
        Failure(dialect: .kling, model: "emu-empty", code: .taskFailed, mentions: "returned no video"),
        Failure(dialect: .routerone, model: "emu-fail", code: .contentPolicy, mentions: "safety system"),
        Failure(dialect: .routerone, model: "emu-empty", code: .taskFailed, mentions: "returned no video"),
        Failure(dialect: .chat, model: "veo-emu-fail", code: .contentPolicy, mentions: "the reply: I can't generate that video"),
        Failure(dialect: .chat, model: "veo-emu-empty", code: .taskFailed, mentions: "the reply: The video could not be generated"),
    ])
    func failures(_ failure: Failure) async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(failure.dialect))
        let final = try await client.wait(for: try await client.submit(VideoRequest(model: failure.model, prompt: "p")), timeout: 20)
        #expect(final.state == .failed)
        #expect(final.error?.code == failure.code)
        #expect(final.error?.message.contains(failure.mentions) == true, "\(final.error?.message ?? "")")
        let error = await expectError(failure.code) {
            _ = try await client.generate(VideoRequest(model: failure.model, prompt: "p"), to: Self.temporaryPath("x.mp4"), timeout: 20)
        }
        #expect(error?.message.contains(failure.mentions) == true)
    }

    struct ProviderError: Sendable, CustomTestStringConvertible {
        let dialect: Dialect
        let providerCode: String
        let status: Int
        let code: VideoGenError.Code
        var testDescription: String { "\(dialect) \(providerCode)" }
    }

    @Test("provider error codes reach the caller as the right videogen code", arguments: [
        ProviderError(dialect: .kling, providerCode: "1102", status: 429, code: .quota),
        ProviderError(dialect: .kling, providerCode: "1301", status: 400, code: .contentPolicy),
        ProviderError(dialect: .kling, providerCode: "1302", status: 429, code: .rateLimited),
        ProviderError(dialect: .kling, providerCode: "1303", status: 429, code: .rateLimited),
        ProviderError(dialect: .kling, providerCode: "1000", status: 401, code: .auth),
        ProviderError(dialect: .routerone, providerCode: "insufficient_balance", status: 402, code: .quota),
        ProviderError(dialect: .routerone, providerCode: "reference_image_invalid", status: 400, code: .badRequest),
        ProviderError(dialect: .routerone, providerCode: "upstream_error", status: 502, code: .server),
        ProviderError(dialect: .routerone, providerCode: "invalid_api_key", status: 401, code: .auth),
    ])
    func providerErrors(_ item: ProviderError) async throws {
        let emulator = try EmulatorProcess()
        var configuration = try emulator.configuration(item.dialect)
        configuration.retry = RetryPolicy(maxAttempts: 1, baseDelay: 0, maxDelay: 0)
        let client = VideoGenClient(configuration: configuration)
        let error = await expectError(item.code) {
            _ = try await client.submit(VideoRequest(model: "m-emu-error-\(item.providerCode)", prompt: "p"))
        }
        #expect(error?.providerCode == item.providerCode)
        #expect(error?.httpStatus == item.status)
    }

    @Test("unknown tasks are not found", arguments: [
        (Dialect.kling, "123456789012345678"), (.routerone, "v_0123456789abcdef01234567"), (.routerone, "not-an-id"),
    ])
    func unknownTasks(_ dialect: Dialect, _ id: String) async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(dialect))
        let ghost = TaskSnapshot(id: id, dialect: dialect.rawValue, baseURL: emulator.baseURL)
        await expectError(.notFound) { _ = try await client.refresh(ghost) }
    }

    @Test("cross-origin redirects to the video lose the key", arguments: [Dialect.kling, .routerone, .chat])
    func redirects(_ dialect: Dialect) async throws {
        let emulator = try EmulatorProcess()
        let client = VideoGenClient(configuration: try emulator.configuration(dialect))
        let path = Self.temporaryPath("redirect.mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let final = try await client.generate(VideoRequest(model: "emu-redirect-form-plain", prompt: "p"), to: path, timeout: 20)
        #expect(final.videoURL?.hasPrefix(emulator.baseURL + "/v1/videos/") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try EmulatorProcess.sampleVideo))
        let log = try await emulator.requests()
        let content = log.filter { $0["path"]?.stringValue?.hasSuffix("/content") == true }
        #expect(content.first?["status"]?.intValue == 302 && content.first?["authorization"]?.stringValue == "valid")
        let cdn = log.filter { $0["origin"]?.stringValue == "cdn" }
        #expect(!cdn.isEmpty && cdn.allSatisfy { $0["authorization"]?.stringValue == "none" })
    }

    @Test("a chat reply that never comes is an unknown outcome, never a second submit")
    func chatStuck() async throws {
        let emulator = try EmulatorProcess()
        var configuration = try emulator.configuration(.chat)
        configuration.requestTimeout = 1
        let client = VideoGenClient(configuration: configuration)
        let error = await expectError(.unknownOutcome) { _ = try await client.submit(VideoRequest(model: "emu-stuck", prompt: "p")) }
        #expect(error?.message.contains("Idempotency-Key") == true)
        let posts = try await emulator.requests().filter { $0["method"]?.stringValue == "POST" }
        #expect(posts.count <= 1)
    }

    @Test("presets from JSON, pointed at the emulator", arguments: [
        (#""provider":"routerone""#, Dialect.routerone, "video-default"),
        (#""provider":"applerouter","dialect":"kling""#, .kling, "kling-v1"),
        (#""provider":"applerouter","dialect":"openai""#, .openai, "sora-2"),
        (#""provider":"newapi","status_route":"videos""#, .unified, "kling-v1"),
        (#""provider":"newapi","dialect":"chat""#, .chat, "veo-3.1"),
    ])
    func presets(_ fields: String, _ dialect: Dialect, _ model: String) async throws {
        let emulator = try EmulatorProcess()
        let json = #"{\#(fields),"base_url":"\#(emulator.baseURL)","api_key":"\#(emulator.key)","request_timeout":10,"poll":{"interval":0.1,"max_interval":0.3,"min_interval":0.05}}"#
        let client = try VideoGenClient(json: json)
        #expect(client.configuration.dialect == dialect)
        let path = Self.temporaryPath("preset.mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let final = try await client.generate(VideoRequest(model: model, prompt: "p"), to: path, timeout: 20)
        let expected = Int64(try EmulatorProcess.sampleVideo.count)
        #expect(final.state == .succeeded && final.download?.bytes == expected)
    }

    @Test("a resumed Kling image2video task is polled under its family in another client")
    func resumeKling() async throws {
        let emulator = try EmulatorProcess(taskSeconds: 1.5)
        let first = VideoGenClient(configuration: try emulator.configuration(.kling))
        var request = VideoRequest(model: "kling-v1", prompt: "p")
        request.image = .bytes(Self.png, mimeType: "image/png")
        let record = try await first.submit(request).json
        let second = VideoGenClient(configuration: try emulator.configuration(.kling))
        let resumed = try second.resume(record: record)
        #expect(resumed.route == "image2video")
        let final = try await second.wait(for: resumed, timeout: 20, pollImmediately: true)
        #expect(final.state == .succeeded)
    }
}
