import Foundation
import Testing
@testable import VideoGen

/// The `openai` dialect as gateways serve Veo models on `/v1/videos`.
@Suite("openai dialect: Veo models and reference images")
struct OpenAIVeoTests {
    let adapter = OpenAIVideosAdapter()
    let base = URL(string: "https://api.applerouter.ai")!

    func text(_ request: VideoRequest) throws -> String {
        String(decoding: try #require(try adapter.submitRequest(request, baseURL: base).body), as: UTF8.self)
    }

    @Test("Veo models: aspect_ratio becomes the ratio size, seconds and watermark are strings", arguments: [
        ("veo-3.1", "16:9", "16x9"), ("veo-3.1-fast", "9:16", "9x16"), ("veo-3.1-landscape-fast-fl", "16:9", "16x9"),
        ("VEO-3.1-FL", "9:16", "9x16"),
    ])
    func veoForm(_ model: String, _ ratio: String, _ size: String) throws {
        var request = VideoRequest(model: model, prompt: "a paper boat")
        request.aspectRatio = ratio
        request.duration = 8
        request.watermark = false
        let body = try text(request)
        #expect(body.contains("name=\"size\"\r\n\r\n\(size)\r\n"))
        #expect(body.contains("name=\"seconds\"\r\n\r\n8\r\n"))
        #expect(body.contains("name=\"watermark\"\r\n\r\nfalse\r\n"))
        #expect(!body.contains("aspect_ratio"))
    }

    @Test("a ratio size given directly is sent as is")
    func ratioSize() throws {
        var request = VideoRequest(model: "veo-3.1", prompt: "p")
        request.size = "9x16"
        #expect(try text(request).contains("name=\"size\"\r\n\r\n9x16\r\n"))
        request.aspectRatio = "9:16"
        #expect(try text(request).contains("name=\"size\"\r\n\r\n9x16\r\n"))
        request.aspectRatio = "16:9"
        let error = expectError(.invalidArgument) { _ = try adapter.submitRequest(request, baseURL: base) }
        #expect(error?.message.contains("contradicts") == true)
    }

    @Test("aspect_ratio is refused by name for models that take pixel sizes")
    func ratioForSora() {
        var request = VideoRequest(model: "sora-2", prompt: "p")
        request.aspectRatio = "16:9"
        let error = expectError(.unsupported) { _ = try adapter.submitRequest(request, baseURL: base) }
        #expect(error?.message.contains("'aspect_ratio'") == true)
    }

    @Test("watermark true is sent as the string true")
    func watermarkTrue() throws {
        var request = VideoRequest(model: "veo-3.1", prompt: "p")
        request.watermark = true
        #expect(try text(request).contains("name=\"watermark\"\r\n\r\ntrue\r\n"))
    }

    @Test("input_reference: bytes and data URIs are uploaded as files, a URL is sent as text", arguments: [
        ImageSource.bytes(Data([0xFF, 0xD8, 0xFF, 0xE0, 1, 2]), mimeType: "image/jpeg"),
        .dataURI("data:image/jpeg;base64,\(Data([0xFF, 0xD8, 0xFF, 0xE0, 1, 2]).base64EncodedString())"),
    ])
    func localReference(_ source: ImageSource) throws {
        var request = VideoRequest(model: "veo-3.1", prompt: "p")
        request.inputReference = source
        let body = try #require(try adapter.submitRequest(request, baseURL: base).body)
        #expect(body.range(of: Data("name=\"input_reference\"; filename=\"input_reference.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)) != nil)
        #expect(body.range(of: Data([0xFF, 0xD8, 0xFF, 0xE0, 1, 2])) != nil)
    }

    @Test("input_reference as a URL; image and input_reference together are refused")
    func referenceURL() throws {
        var request = VideoRequest(model: "veo-3.1", prompt: "p")
        request.inputReference = .url("https://img.example.com/r.png")
        #expect(try text(request).contains("name=\"input_reference\"\r\n\r\nhttps://img.example.com/r.png\r\n"))
        request.image = .url("https://img.example.com/i.png")
        expectError(.invalidArgument) { _ = try adapter.submitRequest(request, baseURL: base) }
    }

    @Test("the applerouter Veo answer parses")
    func veoAnswer() throws {
        let body = #"{"id":"video_55cb","object":"video","model":"veo-3.1","status":"queued","progress":0,"created_at":1762336916,"seconds":"8","size":"16x9"}"#
        let report = try adapter.parseSubmit(.json(200, body), baseURL: base)
        #expect(report.id == "video_55cb" && report.state == .queued && report.progress == 0)
    }
}
