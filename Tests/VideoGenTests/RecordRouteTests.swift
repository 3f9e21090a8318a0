import Foundation
import Testing
@testable import VideoGen

/// The task route in records: kept for Kling tasks, absent for single-route dialects.
@Suite("record route")
struct RecordRouteTests {
    @Test("a Kling record keeps its route through JSON")
    func roundTrip() throws {
        var snapshot = TaskSnapshot(id: "782539785375641665", dialect: "kling", baseURL: "https://gw.example.com")
        snapshot.route = "image2video"
        let text = snapshot.json.jsonText
        #expect(text.contains(#""route":"image2video""#))
        #expect(try TaskSnapshot(json: JSONValue.parse(text)) == snapshot)
    }

    @Test("records without a route stay as before, and old records still read")
    func absent() throws {
        let snapshot = TaskSnapshot(id: "video_1", dialect: "openai", baseURL: "https://x")
        #expect(snapshot.json["route"] == nil)
        let old = #"{"record_version":1,"id":"t","dialect":"kling","base_url":"https://x","state":"queued"}"#
        #expect(try TaskSnapshot(json: JSONValue.parse(old)).route == nil)
        expectError(.invalidArgument) {
            _ = try TaskSnapshot(json: JSONValue.parse(#"{"record_version":1,"id":"t","dialect":"kling","base_url":"https://x","state":"queued","route":7}"#))
        }
    }

    @Test("submitting records the route, and polls use it", arguments: [
        (nil as String?, "/kling/v1/videos/text2video/k1"), ("https://img.example.com/a.png", "/kling/v1/videos/image2video/k1"),
    ])
    func submitRecordsRoute(_ image: String?, _ pollPath: String) async throws {
        let transport = FakeTransport([
            .respond(.json(200, #"{"code":0,"message":"SUCCEED","request_id":"r","data":{"task_id":"k1","task_status":"submitted"}}"#)),
            .respond(.json(200, #"{"code":0,"data":{"task_id":"k1","task_status":"processing"}}"#)),
        ])
        let client = VideoGenClient(configuration: try TestConfig.make(.kling), transport: transport)
        var request = VideoRequest(model: "kling-v1", prompt: "p")
        request.image = image.map(ImageSource.url)
        let submitted = try await client.submit(request)
        #expect(submitted.route == (image == nil ? "text2video" : "image2video"))
        let refreshed = try await client.refresh(submitted)
        #expect(refreshed.state == .running && refreshed.route == submitted.route)
        #expect(transport.requests.last?.url.path == pollPath)
        let resumed = try client.resume(record: refreshed.json)
        #expect(resumed.route == submitted.route)
    }

    @Test("a chat task is finished at submit; refresh and wait do not poll")
    func chatIsSynchronous() async throws {
        let reply = #"{"id":"chatcmpl-9","object":"chat.completion","created":1,"model":"veo-3.1","choices":[{"index":0,"message":{"role":"assistant","content":"[Download video](https://cdn.example.com/v.mp4)"},"finish_reason":"stop"}]}"#
        let transport = FakeTransport([.respond(.json(200, reply))])
        let client = VideoGenClient(configuration: try TestConfig.make(.chat), transport: transport)
        let task = try await client.submit(VideoRequest(model: "veo-3.1", prompt: "p"))
        #expect(task.state == .succeeded && task.id == "chatcmpl-9" && task.videoURL == "https://cdn.example.com/v.mp4")
        #expect(try await client.refresh(task) == task)
        #expect(try await client.wait(for: task, timeout: 1) == task)
        #expect(transport.requests.count == 1)
        var unfinished = task
        unfinished.state = .running
        await expectError(.unsupported) { _ = try await client.refresh(unfinished) }
        await expectError(.unsupported) { _ = try await client.wait(for: unfinished, timeout: 1, pollImmediately: true) }
    }
}
