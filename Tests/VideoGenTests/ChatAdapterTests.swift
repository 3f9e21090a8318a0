import Foundation
import Testing
@testable import VideoGen

@Suite("chat dialect adapter")
struct ChatAdapterTests {
    let adapter = ChatCompletionsAdapter()
    let base = URL(string: "https://gw.example.com")!

    /// A chat completion whose assistant message content is `content` (a JSON value as text).
    static func completion(_ content: String, finish: String = "stop", extraMessage: String = "") -> String {
        #"{"id":"chatcmpl-1","object":"chat.completion","created":1762336916,"model":"veo-3.1","choices":[{"index":0,"message":{"role":"assistant","content":\#(content)\#(extraMessage)},"finish_reason":"\#(finish)"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#
    }

    struct Reply: Sendable, CustomTestStringConvertible {
        let name: String
        let body: String
        let url: String?
        var testDescription: String { name }
    }

    static let replies: [Reply] = [
        .init(name: "plain URL alone", body: completion(#""https://cdn.example.com/v/abc?sig=1""#),
              url: "https://cdn.example.com/v/abc?sig=1"),
        .init(name: "plain URL in angle brackets", body: completion(#"" <https://cdn.example.com/v/abc> ""#),
              url: "https://cdn.example.com/v/abc"),
        .init(name: "plain .mp4 URL inside text, trailing punctuation dropped", body: completion(#""Done! Your video: https://cdn.example.com/out/v1.mp4?e=9&s=2. Enjoy.""#),
              url: "https://cdn.example.com/out/v1.mp4?e=9&s=2"),
        .init(name: "markdown link labelled as a video", body: completion(#""Your video is ready.\n\n[Download video](https://cdn.example.com/dl/123)\n""#),
              url: "https://cdn.example.com/dl/123"),
        .init(name: "markdown link labelled download", body: completion(#""Done. [Download](https://cdn.example.com/d/9) or [docs](https://docs.example.com)""#),
              url: "https://cdn.example.com/d/9"),
        .init(name: "markdown link with a Chinese label", body: completion(#""> 视频生成成功 [点击下载](https://filesystem.site/cdn/20250612/x) ""#),
              url: "https://filesystem.site/cdn/20250612/x"),
        .init(name: "markdown embed of an .mp4 after a reference image", body: completion(#""Reference: ![ref](https://img.example.com/in.png)\n![video](https://cdn.example.com/v.mp4)""#),
              url: "https://cdn.example.com/v.mp4"),
        .init(name: "markdown link with a title", body: completion(#""[watch](https://cdn.example.com/w \"Video\")""#),
              url: "https://cdn.example.com/w"),
        .init(name: "markdown link that is the whole reply", body: completion(#""[here](https://cdn.example.com/z)""#),
              url: "https://cdn.example.com/z"),
        .init(name: "HTML video tag", body: completion(#""<video src='https://cdn.example.com/t' controls></video>""#),
              url: "https://cdn.example.com/t"),
        .init(name: "HTML source tag", body: completion(#""<video controls><source type=\"video/mp4\" src=\"https://cdn.example.com/s\"></video>""#),
              url: "https://cdn.example.com/s"),
        .init(name: "structured video_url part", body: completion(#"[{"type":"text","text":"ready"},{"type":"video_url","video_url":{"url":"https://cdn.example.com/p"}}]"#),
              url: "https://cdn.example.com/p"),
        .init(name: "structured video part with a url member", body: completion(#"[{"type":"output_video","url":"https://cdn.example.com/o"}]"#),
              url: "https://cdn.example.com/o"),
        .init(name: "structured video part with a string", body: completion(#"[{"type":"video_url","video_url":"https://cdn.example.com/q"}]"#),
              url: "https://cdn.example.com/q"),
        .init(name: "file part with a video MIME type", body: completion(#"[{"type":"file","file":{"url":"https://cdn.example.com/f","mime_type":"video/mp4"}}]"#),
              url: "https://cdn.example.com/f"),
        .init(name: "text part carrying a markdown link", body: completion(#"[{"type":"text","text":"[Download video](https://cdn.example.com/tp)"}]"#),
              url: "https://cdn.example.com/tp"),
        .init(name: "message-level videos list", body: completion("null", extraMessage: #","videos":[{"type":"video_url","video_url":{"url":"https://cdn.example.com/mv"}}]"#),
              url: "https://cdn.example.com/mv"),
        .init(name: "message-level video_url", body: completion(#""""#, extraMessage: #","video_url":{"url":"https://cdn.example.com/mu"}"#),
              url: "https://cdn.example.com/mu"),
        // Replies without a video link.
        .init(name: "an apology", body: completion(#""Sorry, I cannot create videos.""#), url: nil),
        .init(name: "a link to a help page is not a video", body: completion(#""Sorry, see https://help.example.com/video-limits for details.""#), url: nil),
        .init(name: "a link to an image is not a video", body: completion(#""Here is a frame: [preview](https://img.example.com/a.png)""#), url: nil),
        .init(name: "a file part that is an image", body: completion(#"[{"type":"file","file":{"url":"https://img.example.com/a","mime_type":"image/png"}}]"#), url: nil),
        .init(name: "a javascript: link", body: completion(#""[video](javascript:alert(1))""#), url: nil),
        .init(name: "an empty reply", body: completion("null"), url: nil),
    ]

    @Test("the video link in every form, and replies without one", arguments: replies)
    func replyForms(_ reply: Reply) throws {
        let report = try adapter.parseSubmit(.json(200, reply.body), baseURL: base)
        let snapshot = TaskSnapshot(id: report.id ?? "", dialect: "chat", baseURL: base.absoluteString).applying(report, at: 1)
        #expect(snapshot.id == "chatcmpl-1")
        #expect(snapshot.videoURL == reply.url)
        if reply.url == nil {
            #expect(snapshot.state == .failed)
            #expect(snapshot.error?.code == .taskFailed)
            #expect(snapshot.error?.message.hasPrefix("the chat reply carries no video link") == true)
        } else {
            #expect(snapshot.state == .succeeded)
            #expect(snapshot.progress == 100)
            #expect(snapshot.createdAt == 1_762_336_916)
        }
    }

    @Test("a reply without a link carries the reply text")
    func failureCarriesText() throws {
        let report = try adapter.parseSubmit(.json(200, Self.completion(#""I can only describe videos, not make them.""#)), baseURL: base)
        #expect(report.error?.message == "the chat reply carries no video link; the reply: I can only describe videos, not make them.")
        #expect(report.error?.providerCode == nil)
    }

    @Test("a content-filtered reply is a content-policy failure; a refusal's text is kept")
    func contentFilter() throws {
        let body = Self.completion("null", finish: "content_filter", extraMessage: #","refusal":"I can't help with that.""#)
        let report = try adapter.parseSubmit(.json(200, body), baseURL: base)
        #expect(report.state == .failed)
        #expect(report.error?.code == .contentPolicy)
        #expect(report.error?.providerCode == "content_filter")
        #expect(report.error?.message.contains("I can't help with that.") == true)
    }

    @Test("a reply without an id gets a stable one")
    func missingID() throws {
        let body = #"{"choices":[{"message":{"role":"assistant","content":"https://cdn.example.com/a.mp4"}}]}"#
        let first = try adapter.parseSubmit(.json(200, body), baseURL: base)
        let second = try adapter.parseSubmit(.json(200, body), baseURL: base)
        #expect(first.id?.hasPrefix("chatcmpl-") == true && first.id == second.id)
    }

    @Test("bodies that are not completions", arguments: [
        (#"{"id":"x","choices":[]}"#, VideoGenError.Code.protocolError),
        (#"{"id":"x"}"#, .protocolError),
        ("[1]", .protocolError),
        (#"{"error":{"message":"quota","code":"insufficient_quota"}}"#, .quota),
        (#"{"error":{"message":"bad model","code":"model_not_found"}}"#, .badRequest),
    ])
    func badBodies(_ body: String, _ code: VideoGenError.Code) {
        expectError(code) { _ = try adapter.parseSubmit(.json(200, body), baseURL: base) }
    }

    @Test("submit body: the prompt as a user message; images as image_url parts; metadata verbatim")
    func submitBody() throws {
        var request = VideoRequest(model: "veo-3.1", prompt: "a paper boat")
        request.metadata = ["trace": "t-1"]
        request.extra = ["temperature": 0]
        var wire = try adapter.submitRequest(request, baseURL: base)
        #expect(wire.url.absoluteString == "https://gw.example.com/v1/chat/completions")
        var body = try JSONValue.parse(try #require(wire.body))
        let expected: JSONValue = [
            "model": "veo-3.1", "stream": false, "messages": [["role": "user", "content": "a paper boat"]],
            "metadata": ["trace": "t-1"], "temperature": 0,
        ]
        #expect(body == expected)

        let gif = Data("GIF89a\u{1}\u{0}".utf8)
        request = VideoRequest(model: "veo-3.1", prompt: "animate")
        request.image = .url("https://img.example.com/a.png")
        request.images = [.bytes(gif, mimeType: "image/gif")]
        wire = try adapter.submitRequest(request, baseURL: base)
        body = try JSONValue.parse(try #require(wire.body))
        let content: JSONValue = [
            ["type": "text", "text": "animate"],
            ["type": "image_url", "image_url": ["url": "https://img.example.com/a.png"]],
            ["type": "image_url", "image_url": ["url": .string("data:image/gif;base64,\(gif.base64EncodedString())")]],
        ]
        #expect(body["messages"]?.arrayValue?.first?["content"] == content)
    }

    @Test("fields chat completions cannot carry are refused by name", arguments: [
        "duration", "size", "aspect_ratio", "negative_prompt", "seed",
    ])
    func unsupported(_ field: String) throws {
        let value = field == "duration" || field == "seed" ? "5" : field == "size" ? "\"1280x720\"" : field == "aspect_ratio" ? "\"16:9\"" : "\"x\""
        let request = try VideoRequest(json: JSONValue.parse(#"{"model":"m","prompt":"p","\#(field)":\#(value)}"#))
        let error = expectError(.unsupported) { _ = try adapter.submitRequest(request, baseURL: base) }
        #expect(error?.message.contains("'\(field)'") == true)
    }

    @Test("nothing to poll or cancel; a long request timeout")
    func synchronous() {
        #expect(adapter.statusRequest(taskID: "chatcmpl-1", baseURL: base) == nil)
        #expect(adapter.cancelRequest(taskID: "chatcmpl-1", baseURL: base) == nil)
        #expect(adapter.defaultRequestTimeout == 600)
    }
}
