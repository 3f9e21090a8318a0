import Foundation
import Testing
@testable import VideoGen

/// fal's callback envelope read into events: a finished output, a hint when the payload names no video, a failure
/// with its validation type, and refusals of bodies that name no request.
@Suite("fal webhook payloads")
struct FalWebhookMappingTests {
    let adapter = FalQueueAdapter()
    let base = URL(string: "https://queue.fal.run")!

    func event(_ text: String) throws -> WebhookEvent {
        try adapter.webhookEvent(body: Data(text.utf8), baseURL: base)
    }

    @Test("OK with a video in the payload is the finished task; several videos are its outputs")
    func finished() throws {
        let one = try event(#"{"request_id":"r1","gateway_request_id":"r1","status":"OK","payload":{"video":{"url":"https://v3.fal.media/a.mp4"}}}"#)
        #expect(one.taskID == "r1" && one.report?.state == .succeeded)
        #expect(one.report?.videoURL == "https://v3.fal.media/a.mp4" && one.report?.outputs == nil)
        let two = try event(#"{"request_id":"r2","status":"OK","payload":{"videos":[{"url":"https://x/a.mp4"},{"url":"https://x/b.mp4"}]}}"#)
        #expect(two.report?.outputs == ["https://x/a.mp4", "https://x/b.mp4"])
    }

    @Test("OK without a readable video (an unknown schema, a payload_error) is a hint to poll")
    func hint() throws {
        for body in [#"{"request_id":"r3","status":"OK","payload":{"frames":[]}}"#,
                     #"{"request_id":"r3","status":"OK","payload":null,"payload_error":"too large"}"#] {
            let hinted = try event(body)
            #expect(hinted.taskID == "r3" && hinted.report == nil)
        }
    }

    @Test("ERROR is a failed task with fal's message and the validation type as provider code")
    func failed() throws {
        let failed = try event(#"{"request_id":"r4","status":"ERROR","error":"Invalid status code: 422","payload":{"detail":[{"loc":["body","prompt"],"msg":"too long","type":"string_too_long"}]}}"#)
        #expect(failed.report?.state == .failed)
        #expect(failed.report?.error?.providerCode == "string_too_long")
        #expect(failed.report?.error?.message.contains("422") == true)
    }

    @Test("a body without request_id or with another status word is refused", arguments: [
        #"{"status":"OK","payload":{}}"#, #"{"request_id":"","status":"OK"}"#, #"{"request_id":"r","status":"DONE"}"#, #"[]"#,
    ])
    func refused(_ body: String) {
        #expect(throws: VideoGenError.self) { try event(body) }
    }
}
