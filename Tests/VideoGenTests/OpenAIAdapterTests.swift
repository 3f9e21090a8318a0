import Foundation
import Testing
@testable import VideoGen

@Suite("openai dialect adapter")
struct OpenAIAdapterTests {
    let adapter = OpenAIVideosAdapter()
    let base = URL(string: "https://gw.example.com")!

    /// Status bodies as OpenAI and gateways send them, with what they must parse to.
    struct StatusFixture: Sendable, CustomTestStringConvertible {
        let name: String
        let body: String
        let state: TaskState
        let progress: Int?
        let hasVideo: Bool
        let errorCode: VideoGenError.Code?
        var testDescription: String { name }
    }

    static let statusFixtures: [StatusFixture] = [
        .init(name: "queued", body: #"{"id":"video_1","object":"video","created_at":1712697600,"completed_at":null,"expires_at":null,"model":"sora-2","progress":0,"prompt":"p","remixed_from_video_id":null,"seconds":"4","size":"720x1280","status":"queued","error":null}"#,
              state: .queued, progress: 0, hasVideo: false, errorCode: nil),
        .init(name: "in progress", body: #"{"id":"video_1","object":"video","status":"in_progress","progress":37}"#,
              state: .running, progress: 37, hasVideo: false, errorCode: nil),
        .init(name: "completed", body: #"{"id":"video_1","object":"video","status":"completed","progress":100,"completed_at":1712697700,"expires_at":1712701300}"#,
              state: .succeeded, progress: 100, hasVideo: true, errorCode: nil),
        .init(name: "failed with error object", body: #"{"id":"video_1","object":"video","status":"failed","progress":12,"error":{"code":"moderation_blocked","message":"Your request was blocked."}}"#,
              state: .failed, progress: 12, hasVideo: false, errorCode: .contentPolicy),
        .init(name: "failed without a reason", body: #"{"id":"video_1","status":"failed"}"#,
              state: .failed, progress: nil, hasVideo: false, errorCode: .taskFailed),
        .init(name: "upper-case synonym", body: #"{"id":"video_1","status":"SUCCEEDED"}"#,
              state: .succeeded, progress: 100, hasVideo: true, errorCode: nil),
        .init(name: "progress over 100 is clamped", body: #"{"id":"video_1","status":"in_progress","progress":250}"#,
              state: .running, progress: 100, hasVideo: false, errorCode: nil),
        .init(name: "negative progress is clamped", body: #"{"id":"video_1","status":"queued","progress":-4}"#,
              state: .queued, progress: 0, hasVideo: false, errorCode: nil),
        .init(name: "progress as a string is read", body: #"{"id":"video_1","status":"in_progress","progress":"45%"}"#,
              state: .running, progress: 45, hasVideo: false, errorCode: nil),
        .init(name: "progress absent stays unknown", body: #"{"id":"video_1","status":"in_progress"}"#,
              state: .running, progress: nil, hasVideo: false, errorCode: nil),
    ]

    @Test("status bodies", arguments: statusFixtures)
    func status(_ fixture: StatusFixture) throws {
        let report = try adapter.parseStatus(.json(200, fixture.body), taskID: "video_1", baseURL: base)
        let snapshot = TaskSnapshot(id: "video_1", dialect: "openai", baseURL: base.absoluteString).applying(report, at: 1)
        #expect(snapshot.state == fixture.state)
        #expect(snapshot.progress == fixture.progress)
        #expect((snapshot.videoURL != nil) == fixture.hasVideo)
        #expect(snapshot.error?.code == fixture.errorCode)
        if fixture.hasVideo {
            #expect(snapshot.videoURL == "https://gw.example.com/v1/videos/video_1/content")
        }
    }

    @Test("the failure's provider code and message are kept")
    func failureDetails() throws {
        let body = #"{"id":"v","status":"failed","error":{"code":"moderation_blocked","message":"Blocked\u0007 by\nmoderation"}}"#
        let report = try adapter.parseStatus(.json(200, body), taskID: "v", baseURL: base)
        #expect(report.error?.providerCode == "moderation_blocked")
        #expect(report.error?.message == "Blocked  by moderation")
    }

    @Test("unknown status words and non-objects are protocol errors", arguments: [
        #"{"id":"v","status":"pondering"}"#, #"{"id":"v"}"#, #"[1,2]"#, "<html>502</html>",
    ])
    func badBodies(_ body: String) {
        expectError(.protocolError) { _ = try adapter.parseStatus(.json(200, body), taskID: "v", baseURL: base) }
    }

    @Test("submit builds a multipart body with seconds as a string")
    func submitMultipart() throws {
        var request = VideoRequest(model: "sora-2", prompt: "a fox \"quoted\"")
        request.duration = 8
        request.width = 1280
        request.height = 720
        request.extra = ["user": "u-1", "watermark": false]
        let wire = try adapter.submitRequest(request, baseURL: base)
        #expect(wire.method == "POST")
        #expect(wire.url.absoluteString == "https://gw.example.com/v1/videos")
        let contentType = try #require(wire.header("Content-Type"))
        #expect(contentType.hasPrefix("multipart/form-data; boundary="))
        let boundary = String(contentType.split(separator: "=").last!)
        let body = String(decoding: wire.body ?? Data(), as: UTF8.self)
        #expect(body.contains("name=\"seconds\"\r\n\r\n8\r\n"))
        #expect(body.contains("name=\"size\"\r\n\r\n1280x720\r\n"))
        #expect(body.contains("name=\"model\"\r\n\r\nsora-2\r\n"))
        #expect(body.contains("name=\"prompt\"\r\n\r\na fox \"quoted\"\r\n"))
        #expect(body.contains("name=\"user\"\r\n\r\nu-1\r\n"))
        #expect(body.contains("name=\"watermark\"\r\n\r\nfalse\r\n"))
        #expect(body.hasSuffix("--\(boundary)--\r\n"))
        #expect(wire.header("Authorization") == nil, "adapters never add credentials")
    }

    @Test("the same request always encodes to the same bytes; another request gets another boundary, never in a part")
    func deterministicMultipart() throws {
        var request = VideoRequest(model: "sora-2", prompt: "a fox")
        request.duration = 4
        let first = try adapter.submitRequest(request, baseURL: base)
        let again = try adapter.submitRequest(request, baseURL: base)
        #expect(first.body == again.body && first.header("Content-Type") == again.header("Content-Type"),
                "a submit re-sent with its Idempotency-Key must be the same request")
        request.prompt = "a fox, at night"
        let other = try adapter.submitRequest(request, baseURL: base)
        let boundary = { (wire: HTTPRequest) in String(wire.header("Content-Type")!.split(separator: "=").last!) }
        #expect(boundary(other) != boundary(first))
        // A prompt that spells out the first form's boundary does not break the second form.
        request.prompt = "--" + boundary(first)
        let tricky = try adapter.submitRequest(request, baseURL: base)
        let text = String(decoding: tricky.body ?? Data(), as: UTF8.self)
        #expect(text.components(separatedBy: "--" + boundary(tricky)).count == 5, "3 parts and the closing delimiter, nothing else")
    }

    @Test("unsupported fields are refused by name", arguments: [
        ("seed", #"{"model":"m","prompt":"p","seed":1}"#),
        ("negative_prompt", #"{"model":"m","prompt":"p","negative_prompt":"x"}"#),
        ("metadata", #"{"model":"m","prompt":"p","metadata":{}}"#),
        ("aspect_ratio", #"{"model":"m","prompt":"p","aspect_ratio":"16:9"}"#),
    ])
    func unsupported(_ field: String, _ json: String) throws {
        let request = try VideoRequest(json: JSONValue.parse(json))
        let error = expectError(.unsupported) { _ = try adapter.submitRequest(request, baseURL: base) }
        #expect(error?.message.contains("'\(field)'") == true)
    }

    @Test("a local image is uploaded as a file part; a URL is sent as text")
    func imageInputs() throws {
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString).png").path
        #expect(FileManager.default.createFile(atPath: path, contents: png))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var request = VideoRequest(model: "m", prompt: "p")
        request.image = .file(path)
        let body = try #require(adapter.submitRequest(request, baseURL: base).body)
        #expect(body.range(of: Data("filename=\"input_reference.png\"\r\nContent-Type: image/png\r\n\r\n".utf8)) != nil)
        #expect(body.range(of: png) != nil)

        request.image = .url("https://cdn.example.com/a.jpg")
        let text = String(decoding: try #require(adapter.submitRequest(request, baseURL: base).body), as: UTF8.self)
        #expect(text.contains("name=\"input_reference\"\r\n\r\nhttps://cdn.example.com/a.jpg\r\n"))
    }

    @Test("a file that is not an image is refused before anything is sent")
    func notAnImage() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString).txt").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("hello".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var request = VideoRequest(model: "m", prompt: "p")
        request.image = .file(path)
        expectError(.invalidArgument) { _ = try adapter.submitRequest(request, baseURL: base) }
        request.image = .file("/nonexistent/vg.png")
        expectError(.io) { _ = try adapter.submitRequest(request, baseURL: base) }
    }

    @Test("submit answer without an id is a protocol error")
    func submitWithoutID() {
        expectError(.protocolError) { _ = try adapter.parseSubmit(.json(200, #"{"status":"queued"}"#), baseURL: base) }
    }

    @Test("task ids are percent-encoded into one path segment")
    func pathEncoding() throws {
        let request = try #require(adapter.statusRequest(taskID: "a/b?c", baseURL: base))
        #expect(request.url.absoluteString == "https://gw.example.com/v1/videos/a%2Fb%3Fc")
    }

    @Test("there is no cancel operation")
    func noCancel() {
        #expect(adapter.cancelRequest(taskID: "v", baseURL: base) == nil)
    }
}
