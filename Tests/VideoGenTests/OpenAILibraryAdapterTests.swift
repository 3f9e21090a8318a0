import Foundation
import Testing
@testable import VideoGen

/// The `/v1/videos` list, delete, remix and content-variant requests and answers, from the shapes openai-python
/// 3.54 sends and reads (resources/videos.py, types/video*.py, pagination.SyncConversationCursorPage). Pure: no I/O.
@Suite("openai dialect: list, delete, remix, content variants (adapter)")
struct OpenAILibraryAdapterTests {
    let adapter = OpenAIVideosAdapter()
    let base = URL(string: "https://gw.example.com")!

    static let completed = #"{"id":"video_b","object":"video","created_at":1712697600,"completed_at":1712697700,"expires_at":1712701300,"model":"veo-3.1","progress":100,"prompt":"p","remixed_from_video_id":null,"seconds":"8","size":"16x9","status":"completed","error":null}"#
    static let failed = #"{"id":"video_a","object":"video","created_at":1712697500,"model":"veo-3.1","progress":40,"status":"failed","error":{"code":"moderation_blocked","message":"blocked"}}"#

    // MARK: list

    @Test("a list request carries only the members given, in the SDK's names")
    func listRequests() {
        let bare = adapter.listRequest(VideoListQuery(), baseURL: base)
        #expect(bare.method == "GET" && bare.url.absoluteString == "https://gw.example.com/v1/videos")
        #expect(bare.header("Accept") == "application/json" && bare.body == nil)
        let full = adapter.listRequest(VideoListQuery(after: "video_9", limit: 2, order: .asc), baseURL: base)
        #expect(full.url.absoluteString == "https://gw.example.com/v1/videos?after=video_9&limit=2&order=asc")
        let odd = adapter.listRequest(VideoListQuery(after: "a b&c=d/é", order: .desc), baseURL: base)
        #expect(odd.url.absoluteString == "https://gw.example.com/v1/videos?after=a%20b%26c%3Dd%2F%C3%A9&order=desc")
    }

    @Test("a cursor page is read into reports with its cursors")
    func listPage() throws {
        let body = #"{"object":"list","data":[\#(Self.completed),\#(Self.failed)],"first_id":"video_b","last_id":"video_a","has_more":true}"#
        let page = try adapter.parseList(.json(200, body), baseURL: base)
        #expect(page.items.map(\.id) == ["video_b", "video_a"])
        #expect(page.items.map(\.state) == [.succeeded, .failed])
        #expect(page.items[0].videoURL == "https://gw.example.com/v1/videos/video_b/content")
        #expect(page.items[1].error?.code == .contentPolicy && page.items[1].progress == 40)
        #expect(page.firstID == "video_b" && page.lastID == "video_a" && page.hasMore)
    }

    @Test("cursors left out are the first and last ids; an empty last page")
    func listWithoutCursors() throws {
        let page = try adapter.parseList(.json(200, #"{"data":[\#(Self.completed),\#(Self.failed)],"has_more":true}"#), baseURL: base)
        #expect(page.firstID == "video_b" && page.lastID == "video_a")
        let empty = try adapter.parseList(.json(200, #"{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}"#), baseURL: base)
        #expect(empty.items.isEmpty && empty.firstID == nil && empty.lastID == nil && !empty.hasMore)
    }

    @Test("answers that are not a page are protocol errors", arguments: [
        #"[]"#, #"{"object":"list"}"#, #"{"object":"video","data":[]}"#, #"{"data":{}}"#,
        #"{"data":[{"id":"v","status":"pondering"}]}"#, #"{"data":[{"status":"completed"}]}"#, #"{"data":[7]}"#,
        #"{"data":[],"has_more":"yes"}"#, #"{"data":[],"has_more":true}"#, "<html>",
    ])
    func listRefusals(_ body: String) {
        expectError(.protocolError) { _ = try adapter.parseList(.json(200, body), baseURL: base) }
    }

    @Test("the list query document is read strictly")
    func listQueryDocument() throws {
        let query = try VideoListQuery(json: JSONValue.parse(#"{"after":"video_1","limit":100,"order":"desc"}"#))
        #expect(query == VideoListQuery(after: "video_1", limit: 100, order: .desc))
        #expect(try VideoListQuery(json: JSONValue.parse(#"{"after":null,"limit":null}"#)) == VideoListQuery())
        for (text, mentions) in [(#"{"page":2}"#, "'page'"), (#"{"limit":0}"#, "'limit'"), (#"{"limit":101}"#, "'limit'"),
                                 (#"{"limit":"5"}"#, "'limit'"), (#"{"order":"up"}"#, "'order'"), (#"{"after":""}"#, "'after'"),
                                 (#"{"after":"a\nb"}"#, "'after'")] {
            let error = expectError(.invalidArgument) { _ = try VideoListQuery(json: JSONValue.parse(text)) }
            #expect(error?.message.contains(mentions) == true, "\(text): \(error?.message ?? "")")
        }
        expectError(.invalidJSON) { _ = try VideoListQuery(json: JSONValue.parse("[]")) }
    }

    // MARK: delete

    @Test("delete is DELETE /v1/videos/{id} with the id as one path segment")
    func deleteRequest() {
        let request = adapter.deleteRequest(taskID: "video_1", baseURL: base)
        #expect(request.method == "DELETE" && request.body == nil)
        #expect(request.url.absoluteString == "https://gw.example.com/v1/videos/video_1")
        #expect(adapter.deleteRequest(taskID: "a/b?c", baseURL: base).url.absoluteString == "https://gw.example.com/v1/videos/a%2Fb%3Fc")
    }

    @Test("the delete answer must confirm the deletion of that video")
    func deleteAnswers() throws {
        try adapter.parseDelete(.json(200, #"{"id":"video_1","object":"video.deleted","deleted":true}"#), taskID: "video_1")
        try adapter.parseDelete(.json(200, #"{"deleted":true}"#), taskID: "video_1")
        for body in [#"{"id":"video_1","object":"video.deleted","deleted":false}"#, #"{"id":"video_1"}"#,
                     #"{"id":"video_2","deleted":true}"#, #"true"#, "ok"] {
            expectError(.protocolError) { try adapter.parseDelete(.json(200, body), taskID: "video_1") }
        }
    }

    // MARK: remix

    @Test("remix is a JSON POST of {prompt} to /v1/videos/{id}/remix")
    func remixRequest() throws {
        let request = try adapter.remixRequest(taskID: "video_1", RemixRequest(prompt: "the fox \"at night\""), baseURL: base)
        #expect(request.method == "POST" && request.url.absoluteString == "https://gw.example.com/v1/videos/video_1/remix")
        #expect(request.header("Content-Type") == "application/json")
        #expect(String(decoding: request.body ?? Data(), as: UTF8.self) == #"{"prompt":"the fox \"at night\""}"#)
        var withExtra = RemixRequest(prompt: "p")
        withExtra.extra = ["seconds": "8"]
        let extended = try adapter.remixRequest(taskID: "video_1", withExtra, baseURL: base)
        #expect(String(decoding: extended.body ?? Data(), as: UTF8.self) == #"{"prompt":"p","seconds":"8"}"#)
        withExtra.extra = ["prompt": "other"]
        expectError(.invalidArgument) { _ = try adapter.remixRequest(taskID: "video_1", withExtra, baseURL: base) }
        expectError(.invalidArgument) { _ = try adapter.remixRequest(taskID: "video_1", RemixRequest(prompt: " \n"), baseURL: base) }
    }

    @Test("the remix answer is the new task, naming its source")
    func remixAnswer() throws {
        let body = #"{"id":"video_2","object":"video","created_at":1712697800,"model":"veo-3.1","progress":0,"prompt":"again","remixed_from_video_id":"video_1","seconds":"8","size":"16x9","status":"queued","error":null}"#
        let report = try adapter.parseRemix(.json(200, body), baseURL: base)
        #expect(report.id == "video_2" && report.state == .queued && report.remixedFrom == "video_1")
        expectError(.protocolError) { _ = try adapter.parseRemix(.json(200, #"{"status":"queued"}"#), baseURL: base) }
        expectError(.protocolError) { _ = try adapter.parseRemix(.json(200, #"{"id":"video_2"}"#), baseURL: base) }
    }

    @Test("the remix document is read strictly")
    func remixDocument() throws {
        let remix = try RemixRequest(json: JSONValue.parse(#"{"prompt":"p","extra":{"k":1},"idempotency_key":"remix-1"}"#))
        #expect(remix.prompt == "p" && remix.extra == ["k": 1] && remix.idempotencyKey == "remix-1")
        for text in [#"{}"#, #"{"prompt":""}"#, #"{"prompt":3}"#, #"{"prompt":"p","seconds":"8"}"#,
                     #"{"prompt":"p","idempotency_key":"has space"}"#, #"{"prompt":"p","extra":[]}"#] {
            expectError(.invalidArgument) { _ = try RemixRequest(json: JSONValue.parse(text)) }
        }
    }

    // MARK: content variants

    @Test("the video has no query; the stills add ?variant=")
    func contentURLs() throws {
        #expect(adapter.contentURL(taskID: "video_1", variant: .video, baseURL: base).absoluteString == "https://gw.example.com/v1/videos/video_1/content")
        #expect(adapter.contentURL(taskID: "video_1", variant: .thumbnail, baseURL: base).absoluteString == "https://gw.example.com/v1/videos/video_1/content?variant=thumbnail")
        #expect(adapter.contentURL(taskID: "video_1", variant: .spritesheet, baseURL: base).absoluteString == "https://gw.example.com/v1/videos/video_1/content?variant=spritesheet")
        #expect(try ContentVariant(name: "spritesheet") == .spritesheet)
        let error = expectError(.invalidArgument) { _ = try ContentVariant(name: "gif") }
        #expect(error?.message.contains("video, thumbnail, spritesheet") == true)
    }

    @Test("a record keeps remixed_from and the variant of its last download")
    func recordRoundTrip() throws {
        var snapshot = TaskSnapshot(id: "video_2", dialect: "openai", baseURL: base.absoluteString, state: .succeeded)
        snapshot.remixedFrom = "video_1"
        snapshot.download = DownloadRecord(path: "/tmp/t.jpg", bytes: 10, sha256: String(repeating: "b", count: 64), variant: .thumbnail)
        let json = snapshot.json
        #expect(json["remixed_from"] == "video_1" && json["download"]?["variant"] == "thumbnail")
        #expect(try TaskSnapshot(json: json) == snapshot)
        let plain = TaskSnapshot(id: "video_3", dialect: "openai", baseURL: base.absoluteString)
        #expect(plain.json["remixed_from"] == nil, "written only when set")
    }
}
