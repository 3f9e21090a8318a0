import Foundation
import Testing
@testable import VideoGen

/// The Gemini API and Vertex AI Veo adapters against recorded-shape bodies (field names from google-genai's
/// converters): submit bodies, refused fields, operation answers, RAI filtering, errors, configuration.
@Suite("google veo adapters")
struct GoogleVeoAdapterTests {
    let gemini = GeminiVeoAdapter()
    let vertex = VertexVeoAdapter(project: "proj-1", location: "us-central1")
    let base = URL(string: "https://generativelanguage.googleapis.com")!
    let vertexBase = URL(string: "https://us-central1-aiplatform.googleapis.com")!
    static let geminiOp = "models/veo-3.0-generate-001/operations/7y2mbb3x2k1q"
    static let vertexOp = "projects/proj-1/locations/us-central1/publishers/google/models/veo-3.0-generate-001/operations/0b1c2d3e-aaaa-bbbb-cccc-000000000001"
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])

    static let geminiFixtures: [StatusFixture] = [
        .init(name: "running (no done)", body: #"{"name":"\#(geminiOp)"}"#,
              state: .running, progress: nil, url: nil, errorMessage: nil),
        .init(name: "running (done false, metadata)", body: #"{"name":"\#(geminiOp)","metadata":{"@type":"x"},"done":false}"#,
              state: .running, progress: nil, url: nil, errorMessage: nil),
        .init(name: "done with a sample", body: #"{"name":"\#(geminiOp)","done":true,"response":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse","generateVideoResponse":{"generatedSamples":[{"video":{"uri":"https://generativelanguage.googleapis.com/v1beta/files/abc123:download?alt=media"}}]}}}"#,
              state: .succeeded, progress: 100, url: "https://generativelanguage.googleapis.com/v1beta/files/abc123:download?alt=media", errorMessage: nil),
        .init(name: "every sample filtered by RAI", body: #"{"name":"\#(geminiOp)","done":true,"response":{"generateVideoResponse":{"raiMediaFilteredCount":1,"raiMediaFilteredReasons":["Veo could not generate videos because the input image violates usage guidelines. Support codes: 17301594"]}}}"#,
              state: .failed, progress: nil, url: nil, errorCode: .contentPolicy,
              errorMessage: "Veo's safety filters removed 1 video: Veo could not generate videos because the input image violates usage guidelines. Support codes: 17301594"),
        .init(name: "done with an error", body: #"{"name":"\#(geminiOp)","done":true,"error":{"code":13,"message":"Video generation failed."}}"#,
              state: .failed, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "Video generation failed."),
        .init(name: "done, cancelled", body: #"{"name":"\#(geminiOp)","done":true,"error":{"code":1,"message":"Operation cancelled."}}"#,
              state: .cancelled, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "Operation cancelled."),
        .init(name: "done with neither videos nor a filter", body: #"{"name":"\#(geminiOp)","done":true,"response":{"generateVideoResponse":{}}}"#,
              state: .failed, progress: 100, url: nil, errorCode: .taskFailed, errorMessage: "the service reported the task finished but returned no video"),
    ]

    @Test("Gemini API operation answers", arguments: geminiFixtures)
    func geminiStatus(_ fixture: StatusFixture) throws {
        try fixture.check(gemini, taskID: Self.geminiOp, baseURL: base, expectedID: Self.geminiOp)
    }

    static let vertexFixtures: [StatusFixture] = [
        .init(name: "running", body: #"{"name":"\#(vertexOp)"}"#, state: .running, progress: nil, url: nil, errorMessage: nil),
        .init(name: "done with a gcsUri", body: #"{"name":"\#(vertexOp)","done":true,"response":{"@type":"type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse","raiMediaFilteredCount":0,"videos":[{"gcsUri":"gs://bucket/out/sample_0.mp4","mimeType":"video/mp4"}]}}"#,
              state: .succeeded, progress: 100, url: "gs://bucket/out/sample_0.mp4", errorMessage: nil),
        .init(name: "done with inline bytes", body: #"{"name":"\#(vertexOp)","done":true,"response":{"raiMediaFilteredCount":0,"videos":[{"bytesBase64Encoded":"AAAAGGZ0eXA=","mimeType":"video/mp4"}]}}"#,
              state: .succeeded, progress: 100, url: "inline:videos/0", errorMessage: nil),
        .init(name: "RAI filtered, two reasons", body: #"{"name":"\#(vertexOp)","done":true,"response":{"raiMediaFilteredCount":2,"raiMediaFilteredReasons":["r1","r2"],"videos":[]}}"#,
              state: .failed, progress: nil, url: nil, errorCode: .contentPolicy, errorMessage: "Veo's safety filters removed 2 videos: r1; r2"),
        .init(name: "error with a status name", body: #"{"name":"\#(vertexOp)","done":true,"error":{"code":3,"message":"bad prompt","status":"INVALID_ARGUMENT"}}"#,
              state: .failed, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "bad prompt"),
    ]

    @Test("Vertex AI operation answers", arguments: vertexFixtures)
    func vertexStatus(_ fixture: StatusFixture) throws {
        try fixture.check(vertex, taskID: Self.vertexOp, baseURL: vertexBase, expectedID: Self.vertexOp)
    }

    @Test("the RAI failure names its provider code; several samples become outputs")
    func raiCodeAndOutputs() throws {
        let filtered = try gemini.parseStatus(.json(200, Self.geminiFixtures[3].body), taskID: Self.geminiOp, baseURL: base)
        #expect(filtered.error?.providerCode == "raiMediaFiltered")
        let two = #"{"name":"\#(Self.vertexOp)","done":true,"response":{"videos":[{"gcsUri":"gs://b/0.mp4"},{"bytesBase64Encoded":"AAAA"}]}}"#
        let report = try vertex.parseStatus(.json(200, two), taskID: Self.vertexOp, baseURL: vertexBase)
        #expect(report.outputs == ["gs://b/0.mp4", "inline:videos/1"])
        let error = try vertex.parseStatus(.json(200, Self.vertexFixtures[4].body), taskID: Self.vertexOp, baseURL: vertexBase).error
        #expect(error?.providerCode == "INVALID_ARGUMENT")
    }

    @Test("Gemini submit: path, body in google-genai's names, the model read from the operation name")
    func geminiSubmit() throws {
        var request = VideoRequest(model: "veo-3.0-generate-001", prompt: "a fox")
        request.duration = 8; request.aspectRatio = "16:9"; request.resolution = "720p"; request.n = 2
        request.negativePrompt = "blur"; request.image = .bytes(Self.png, mimeType: "image/png")
        request.imageTail = .bytes(Self.png, mimeType: "image/png")
        request.extra = ["personGeneration": "allow_adult"]
        let http = try gemini.submitRequest(request, baseURL: base)
        #expect(http.method == "POST")
        #expect(http.url.absoluteString == "https://generativelanguage.googleapis.com/v1beta/models/veo-3.0-generate-001:predictLongRunning")
        let body = try JSONValue.parse(http.body!)
        let instance = body["instances"]?.arrayValue?.first
        #expect(instance?["prompt"] == "a fox")
        #expect(instance?["image"]?["bytesBase64Encoded"]?.stringValue == Self.png.base64EncodedString())
        #expect(instance?["image"]?["mimeType"] == "image/png")
        #expect(instance?["lastFrame"]?["mimeType"] == "image/png")
        #expect(body["parameters"] == ["durationSeconds": 8, "aspectRatio": "16:9", "resolution": "720p", "sampleCount": 2,
                                       "negativePrompt": "blur", "personGeneration": "allow_adult"])
        let answer = try gemini.parseSubmit(.json(200, #"{"name":"\#(Self.geminiOp)"}"#), baseURL: base)
        #expect(answer.id == Self.geminiOp && answer.model == "veo-3.0-generate-001" && answer.state == .running)
        #expect(try gemini.submitRequest(VideoRequest(model: "models/veo-2.0-generate-001", prompt: "p"), baseURL: base)
            .url.path == "/v1beta/models/veo-2.0-generate-001:predictLongRunning")
    }

    /// `request` with `field` set.
    static func setting(_ field: String, in request: inout VideoRequest) {
        switch field {
        case "seed": request.seed = 1
        case "fps": request.fps = 24
        case "size": request.size = "1280x720"
        case "watermark": request.watermark = true
        case "callback_url": request.callbackURL = "https://x.example/cb"
        case "metadata": request.metadata = ["a": "b"]
        case "input_reference": request.inputReference = .url("https://x.example/a.png")
        default: request.mode = "pro"
        }
    }

    @Test("fields refused by name (Vertex takes seed and fps)", arguments: [
        ("seed", true), ("fps", true), ("size", false), ("watermark", false), ("callback_url", false),
        ("metadata", false), ("input_reference", false), ("mode", false),
    ])
    func refused(_ field: String, _ vertexTakes: Bool) throws {
        var request = VideoRequest(model: "veo-3.0-generate-001", prompt: "p")
        Self.setting(field, in: &request)
        let error = #expect(throws: VideoGenError.self) { try gemini.submitRequest(request, baseURL: base) }
        #expect(error?.code == .unsupported && error?.message.contains("'\(field)'") == true)
        if vertexTakes {
            let body = try JSONValue.parse(try vertex.submitRequest(request, baseURL: vertexBase).body!)
            #expect(body["parameters"]?[field] != nil)
        } else {
            #expect(throws: VideoGenError.self) { try vertex.submitRequest(request, baseURL: vertexBase) }
        }
    }

    @Test("images: URLs refused, gs:// only on Vertex, at most three references")
    func images() throws {
        var request = VideoRequest(model: "veo-3.0-generate-001", prompt: "p")
        request.image = .url("https://img.example.com/a.png")
        let url = #expect(throws: VideoGenError.self) { try gemini.submitRequest(request, baseURL: base) }
        #expect(url?.code == .unsupported && url?.message.contains("http(s) image URLs") == true)
        request.image = ImageSource(string: "gs://bucket/first.png")
        #expect(throws: VideoGenError.self) { try gemini.submitRequest(request, baseURL: base) }
        let body = try JSONValue.parse(try vertex.submitRequest(request, baseURL: vertexBase).body!)
        #expect(body["instances"]?.arrayValue?.first?["image"] == ["gcsUri": "gs://bucket/first.png"])
        request.image = nil
        request.images = Array(repeating: .bytes(Self.png, mimeType: "image/png"), count: 2)
        let refs = try JSONValue.parse(try gemini.submitRequest(request, baseURL: base).body!)["instances"]?.arrayValue?.first?["referenceImages"]
        #expect(refs?.arrayValue?.count == 2 && refs?.arrayValue?.first?["referenceType"] == "asset")
        request.images = Array(repeating: .bytes(Self.png, mimeType: "image/png"), count: 4)
        #expect(throws: VideoGenError.self) { try gemini.submitRequest(request, baseURL: base) }
        var collide = VideoRequest(model: "veo-3.0-generate-001", prompt: "p")
        collide.duration = 8; collide.extra = ["durationSeconds": 4]
        #expect(throws: VideoGenError.self) { try gemini.submitRequest(collide, baseURL: base) }
    }

    @Test("status requests are built from the operation name alone; other names are refused")
    func statusRequests() throws {
        let get = try #require(gemini.statusRequest(taskID: Self.geminiOp, route: nil, baseURL: base))
        #expect(get.method == "GET" && get.url.absoluteString == "https://generativelanguage.googleapis.com/v1beta/\(Self.geminiOp)")
        let fetch = try #require(vertex.statusRequest(taskID: Self.vertexOp, route: nil, baseURL: vertexBase))
        #expect(fetch.method == "POST")
        #expect(fetch.url.absoluteString == "https://us-central1-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-central1/publishers/google/models/veo-3.0-generate-001:fetchPredictOperation")
        #expect(try JSONValue.parse(fetch.body!) == ["operationName": .string(Self.vertexOp)])
        for hostile in ["models/../operations/x", "models/m/operations/a?b", "x", "models/m/operations/", "models/m/ops/x",
                        "projects/p/locations/l/publishers/google/models/m/operations/x"] {
            #expect(gemini.statusRequest(taskID: hostile, route: nil, baseURL: base) == nil, "\(hostile)")
        }
        #expect(vertex.statusRequest(taskID: Self.geminiOp, route: nil, baseURL: vertexBase) == nil)
        #expect(gemini.cancelRequest(taskID: Self.geminiOp, baseURL: base) == nil)
    }

    @Test("Google error bodies: API_KEY_INVALID is auth, status names refine the HTTP status")
    func errors() {
        let invalid = gemini.error(from: .json(400, #"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}"#))
        #expect(invalid.code == .auth && invalid.providerCode == "API_KEY_INVALID")
        let quota = gemini.error(from: .json(429, #"{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}"#))
        #expect(quota.code == .rateLimited && quota.providerCode == "RESOURCE_EXHAUSTED")
        let denied = vertex.error(from: .json(403, #"{"error":{"code":403,"message":"Permission denied","status":"PERMISSION_DENIED"}}"#))
        #expect(denied.code == .permission)
        let bad = vertex.error(from: .json(400, #"{"error":{"code":400,"message":"`seed` isn't supported by this model.","status":"INVALID_ARGUMENT"}}"#))
        #expect(bad.code == .badRequest && bad.message.contains("seed"))
    }

    @Test("inline videos are asked for again and decoded; gs:// objects are refused naming them")
    func embedded() throws {
        var task = TaskSnapshot(id: Self.vertexOp, dialect: "vertex", baseURL: vertexBase.absoluteString, state: .succeeded)
        task.videoURL = "inline:videos/1"
        let embedded = try #require(try vertex.embeddedVideo(for: task, baseURL: vertexBase))
        #expect(embedded.request.url.path.hasSuffix(":fetchPredictOperation"))
        let answer = #"{"name":"\#(Self.vertexOp)","done":true,"response":{"videos":[{"bytesBase64Encoded":"AAAA"},{"bytesBase64Encoded":"\#(Data("video!".utf8).base64EncodedString())"}]}}"#
        #expect(try embedded.decode(.json(200, answer)) == Data("video!".utf8))
        #expect(throws: VideoGenError.self) { try embedded.decode(.json(200, #"{"name":"x","done":true,"response":{"videos":[]}}"#)) }
        task.videoURL = "gs://bucket/out/0.mp4"
        let refused = #expect(throws: VideoGenError.self) { try vertex.embeddedVideo(for: task, baseURL: vertexBase) }
        #expect(refused?.code == .unsupported && refused?.message.contains("gs://bucket/out/0.mp4") == true)
        task.videoURL = "https://storage.example/x.mp4"
        #expect(try vertex.embeddedVideo(for: task, baseURL: vertexBase) == nil)
        let inlineSample = #"{"name":"\#(Self.geminiOp)","done":true,"response":{"generateVideoResponse":{"generatedSamples":[{"video":{"encodedVideo":"\#(Data("gemini!".utf8).base64EncodedString())","encoding":"video/mp4"}}]}}}"#
        let report = try gemini.parseStatus(.json(200, inlineSample), taskID: Self.geminiOp, baseURL: base)
        var geminiTask = TaskSnapshot(id: Self.geminiOp, dialect: "gemini", baseURL: base.absoluteString).applying(report, at: 1)
        #expect(geminiTask.state == .succeeded && geminiTask.videoURL == "inline:generatedSamples/0")
        let geminiEmbedded = try #require(try gemini.embeddedVideo(for: geminiTask, baseURL: base))
        #expect(geminiEmbedded.request.method == "GET" && geminiEmbedded.request.url.path.hasSuffix(Self.geminiOp))
        #expect(try geminiEmbedded.decode(.json(200, inlineSample)) == Data("gemini!".utf8))
        geminiTask.videoURL = "inline:generatedSamples/x"
        #expect(throws: VideoGenError.self) { try gemini.embeddedVideo(for: geminiTask, baseURL: base) }
        #expect(try gemini.embeddedVideo(for: task, baseURL: base) == nil)
    }

    @Test("configuration: presets, the location's endpoint, Vertex fields refused elsewhere, one credential")
    func configuration() throws {
        let geminiConfig = try ClientConfiguration(json: ["provider": "gemini", "api_key": "AIza-test-key"])
        #expect(geminiConfig.dialect == .gemini && geminiConfig.baseURL.absoluteString == "https://generativelanguage.googleapis.com")
        let vertexConfig = try ClientConfiguration(json: ["provider": "vertex", "project": "p1", "location": "europe-west4",
                                                          "access_token_env": "VG_TOKEN"], environment: ["VG_TOKEN": "ya29.token-123"])
        #expect(vertexConfig.baseURL.absoluteString == "https://europe-west4-aiplatform.googleapis.com")
        #expect(vertexConfig.google == GoogleSettings(project: "p1", location: "europe-west4"))
        #expect((vertexConfig.adapter as? VertexVeoAdapter)?.location == "europe-west4")
        #expect(vertexConfig.maxResponseBytes == 64 * 1024 * 1024)
        let global = try ClientConfiguration(json: ["provider": "vertex", "project": "p1", "location": "global", "access_token": "ya29.t-1"])
        #expect(global.baseURL.absoluteString == "https://aiplatform.googleapis.com")
        let keyAsToken = try ClientConfiguration(json: ["provider": "vertex", "project": "p1", "api_key_env": "VG_TOKEN"],
                                                 environment: ["VG_TOKEN": "ya29.token-456"])
        #expect(keyAsToken.apiKey.reveal() == "ya29.token-456" && keyAsToken.authenticator == nil)
        let followOnly = try ClientConfiguration(json: ["provider": "vertex", "access_token": "ya29.t-2"])
        let noProject = #expect(throws: VideoGenError.self) {
            try followOnly.adapter.submitRequest(VideoRequest(model: "veo-3.0-generate-001", prompt: "p"), baseURL: followOnly.baseURL)
        }
        #expect(noProject?.message.contains("'project'") == true)
        #expect(followOnly.adapter.statusRequest(taskID: Self.vertexOp, route: nil, baseURL: followOnly.baseURL) != nil)
        let cases: [(JSONValue, VideoGenError.Code, String)] = [
            (["provider": "gemini", "api_key": "k-12345", "project": "p"], .unsupported, "'project'"),
            (["dialect": "openai", "base_url": "https://x.example", "api_key": "k-12345", "service_account_file": "/x"], .unsupported, "'service_account_file'"),
            (["provider": "vertex", "project": "a/b", "access_token": "t-12345"], .invalidArgument, "'project'"),
            (["provider": "vertex", "project": "p", "location": "US Central", "access_token": "t-12345"], .invalidArgument, "'location'"),
            (["provider": "vertex", "project": "p"], .auth, "access_token"),
            (["provider": "vertex", "project": "p", "access_token": "t-12345", "service_account_file": "/x"], .invalidArgument, "exclude"),
            (["provider": "vertex", "project": "p", "access_token": "t-12345", "api_key": "k-12345"], .invalidArgument, "exclude"),
            (["provider": "vertex", "project": "p", "service_account_file": "/nonexistent/sa.json"], .invalidArgument, "service_account_file"),
        ]
        for (json, code, fragment) in cases {
            let error = #expect(throws: VideoGenError.self) { try ClientConfiguration(json: json, environment: [:]) }
            #expect(error?.code == code && error?.message.contains(fragment) == true, "\(json.jsonText): \(error?.message ?? "")")
        }
    }
}
