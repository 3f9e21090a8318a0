import Foundation
import Testing
@testable import VideoGen

/// Reference images in every form (URL, file, bytes, data URI) through every dialect: each gets the form it takes,
/// and bad images are refused before anything is sent.
@Suite("image inputs across dialects")
struct ImageInputTests {
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])
    let base = URL(string: "https://gw.example.com")!

    enum Form: String, Sendable, CaseIterable { case url, file, bytes, dataURI }

    /// The expected wire form of the image, by dialect.
    enum Wire: Sendable { case text(String), upload, refused }

    /// The dialect's adapter; Vertex's with a project (it has no default one).
    static func adapter(_ dialect: Dialect) -> any ProviderAdapter {
        dialect == .vertex ? VertexVeoAdapter(project: "test-project", location: "us-central1") : dialect.adapter
    }

    static func expected(_ dialect: Dialect, _ form: Form) -> Wire {
        if form == .url { return dialect == .gemini || dialect == .vertex || dialect == .geminiInteractions ? .refused : .text("https://img.example.com/a.png") }
        switch dialect {
        case .gemini, .vertex, .geminiInteractions: return .text(png.base64EncodedString())
        case .openai: return .upload
        case .unified, .chat, .dashscope, .vidu, .openrouter, .fal, .replicate: return .text("data:image/png;base64,\(png.base64EncodedString())")
        case .minimax, .runway, .ark: return .text("data:image/png;base64,\(png.base64EncodedString())")
        case .kling, .klingOfficial: return .text(png.base64EncodedString())
        case .routerone, .luma: return .refused
        }
    }

    func source(_ form: Form, path: String) -> ImageSource {
        switch form {
        case .url: return .url("https://img.example.com/a.png")
        case .file: return .file(path)
        case .bytes: return .bytes(Self.png, mimeType: "image/png")
        case .dataURI: return .dataURI("data:image/png;base64,\(Self.png.base64EncodedString())")
        }
    }

    /// The image field of a dialect's wire body, as text.
    func sentImage(_ dialect: Dialect, _ wire: HTTPRequest) throws -> String? {
        let body = try #require(wire.body)
        switch dialect {
        case .openai: return nil
        case .unified, .kling, .klingOfficial: return try JSONValue.parse(body)["image"]?.stringValue
        case .fal: return try JSONValue.parse(body)["image_url"]?.stringValue
        case .replicate: return try JSONValue.parse(body)["input"]?["image"]?.stringValue
        case .routerone: return try JSONValue.parse(body)["image_url"]?.stringValue
        case .gemini, .vertex: return try JSONValue.parse(body)["instances"]?.arrayValue?.first?["image"]?["bytesBase64Encoded"]?.stringValue
        case .dashscope: return try JSONValue.parse(body)["input"]?["img_url"]?.stringValue
        case .vidu: return try JSONValue.parse(body)["images"]?.arrayValue?.first?.stringValue
        case .openrouter: return try JSONValue.parse(body)["frame_images"]?.arrayValue?.first?["image_url"]?["url"]?.stringValue
        case .chat: return try JSONValue.parse(body)["messages"]?.arrayValue?.first?["content"]?.arrayValue?.last?["image_url"]?["url"]?.stringValue
        case .minimax: return try JSONValue.parse(body)["first_frame_image"]?.stringValue
        case .runway: return try JSONValue.parse(body)["promptImage"]?.stringValue
        case .luma: return try JSONValue.parse(body)["keyframes"]?["frame0"]?["url"]?.stringValue
        case .ark: return try JSONValue.parse(body)["content"]?.arrayValue?.last?["image_url"]?["url"]?.stringValue
        case .geminiInteractions: return try JSONValue.parse(body)["input"]?.arrayValue?.last?["data"]?.stringValue
        }
    }

    @Test("each dialect gets the form it takes", arguments: Dialect.allCases, Form.allCases)
    func forms(_ dialect: Dialect, _ form: Form) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString).png").path
        #expect(FileManager.default.createFile(atPath: path, contents: Self.png))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var request = VideoRequest(model: dialect == .fal ? "fal-ai/app" : dialect == .replicate ? "owner/name" : "m", prompt: "p")
        request.image = source(form, path: path)
        switch Self.expected(dialect, form) {
        case .text(let text):
            let wire = try Self.adapter(dialect).submitRequest(request, baseURL: base)
            if dialect == .openai {
                #expect(String(decoding: wire.body ?? Data(), as: UTF8.self).contains("name=\"input_reference\"\r\n\r\n\(text)\r\n"))
            } else {
                #expect(try sentImage(dialect, wire) == text)
            }
        case .upload:
            let body = try #require(try Self.adapter(dialect).submitRequest(request, baseURL: base).body)
            #expect(body.range(of: Data("filename=\"input_reference.png\"\r\nContent-Type: image/png\r\n\r\n".utf8) + Self.png) != nil)
        case .refused:
            let error = expectError(.unsupported) { _ = try Self.adapter(dialect).submitRequest(request, baseURL: base) }
            #expect(error?.message.contains("'image'") == true)
        }
    }

    static let localDialects: [Dialect] = [.openai, .unified, .kling, .chat]

    @Test("a file over 20 MiB is refused by its size, without reading it", arguments: localDialects)
    func tooLarge(_ dialect: Dialect) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString).png").path
        #expect(FileManager.default.createFile(atPath: path, contents: Self.png))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(ImageSource.maxBytes + 1))
        try handle.close()
        var request = VideoRequest(model: "m", prompt: "p")
        request.image = .file(path)
        let error = expectError(.tooLarge) { _ = try Self.adapter(dialect).submitRequest(request, baseURL: base) }
        #expect(error?.message.contains("20971520") == true)
    }

    @Test("bytes that are not an image are refused by their magic bytes", arguments: localDialects)
    func notAnImage(_ dialect: Dialect) {
        var request = VideoRequest(model: "m", prompt: "p")
        request.image = .bytes(Data("%PDF-1.7 not an image".utf8), mimeType: "image/png")
        let error = expectError(.invalidArgument) { _ = try Self.adapter(dialect).submitRequest(request, baseURL: base) }
        #expect(error?.message.contains("magic") == true || error?.message.contains("first bytes") == true)
        request.image = .bytes(Self.png, mimeType: "application/pdf")
        expectError(.invalidArgument) { _ = try Self.adapter(dialect).submitRequest(request, baseURL: base) }
        request.image = .bytes(Data(count: ImageSource.maxBytes + 1), mimeType: "image/png")
        expectError(.tooLarge) { _ = try Self.adapter(dialect).submitRequest(request, baseURL: base) }
    }

    @Test("the bytes decide the type, whatever the label says")
    func sniffedType() throws {
        let jpeg = Data([0xFF, 0xD8, 0xFF, 0xDB, 1])
        let loaded = try #require(try ImageSource.bytes(jpeg, mimeType: "image/png").load(field: "image"))
        #expect(loaded.mimeType == "image/jpeg")
        #expect(try ImageSource.bytes(jpeg, mimeType: "").load(field: "image")?.mimeType == "image/jpeg")
    }
}
