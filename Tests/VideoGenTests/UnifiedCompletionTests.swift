import Foundation
import Testing
@testable import VideoGen

/// The `unified` dialect's full request vocabulary and its two fetch routes.
@Suite("unified dialect: every field and both fetch routes")
struct UnifiedCompletionTests {
    let base = URL(string: "https://gw.example.com")!

    @Test("Kling-style fields travel in metadata; input_reference and mode at the top; metadata kept verbatim")
    func klingFieldsInMetadata() throws {
        let request = try VideoRequest(json: JSONValue.parse(#"""
            {"model":"kling-v1","prompt":"p","mode":"pro","cfg_scale":0.25,"camera_control":{"type":"forward_up"},
             "callback_url":"https://hooks.example.com/h","external_task_id":"e-1","input_reference":"https://img/r.png",
             "images":["https://img/1.png"],"duration":8,"metadata":{"nested":{"keep":[1,2]},"durationSeconds":8}}
            """#))
        let body = try JSONValue.parse(try #require(try UnifiedTaskAdapter().submitRequest(request, baseURL: base).body))
        let expected: JSONValue = [
            "model": "kling-v1", "prompt": "p", "mode": "pro", "input_reference": "https://img/r.png",
            "images": ["https://img/1.png"], "duration": 8, "seconds": "8",
            "metadata": ["nested": ["keep": [1, 2]], "durationSeconds": 8, "cfg_scale": 0.25,
                         "camera_control": ["type": "forward_up"], "callback_url": "https://hooks.example.com/h",
                         "external_task_id": "e-1"],
        ]
        #expect(body == expected)
    }

    @Test("a local image_tail goes as a data URI inside metadata")
    func imageTail() throws {
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 7])
        var request = VideoRequest(model: "m", prompt: "p")
        request.imageTail = .bytes(png, mimeType: "image/png")
        let body = try JSONValue.parse(try #require(try UnifiedTaskAdapter().submitRequest(request, baseURL: base).body))
        #expect(body["metadata"]?["image_tail"]?.stringValue == "data:image/png;base64,\(png.base64EncodedString())")
    }

    @Test("polls go to the configured fetch route", arguments: [
        (UnifiedTaskAdapter.StatusRoute.generations, "/v1/video/generations/task_a"),
        (.videos, "/v1/videos/task_a"),
    ])
    func statusRoute(_ route: UnifiedTaskAdapter.StatusRoute, _ path: String) throws {
        let request = try #require(UnifiedTaskAdapter(statusRoute: route).statusRequest(taskID: "task_a", baseURL: base))
        #expect(request.url.path == path)
        #expect(request.method == "GET")
    }

    @Test("the /v1/videos fetch answer parses in the unified dialect", arguments: [
        (#"{"id":"task_a","task_id":"task_a","object":"video","status":"in_progress","progress":30}"#, TaskState.running, nil as String?),
        (#"{"id":"task_a","task_id":"task_a","object":"video","status":"completed","progress":100,"metadata":{"url":"https://cdn.example.com/m.mp4"}}"#, .succeeded, "https://cdn.example.com/m.mp4"),
        (#"{"id":"task_a","task_id":"task_a","object":"video","status":"completed","progress":100}"#, .succeeded, "https://gw.example.com/v1/videos/task_a/content"),
    ])
    func videosAnswers(_ body: String, _ state: TaskState, _ url: String?) throws {
        let report = try UnifiedTaskAdapter(statusRoute: .videos).parseStatus(.json(200, body), taskID: "task_a", baseURL: base)
        #expect(report.state == state)
        #expect(report.videoURL == url)
    }
}
