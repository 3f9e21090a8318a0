import Foundation
import Testing
@testable import VideoGen

@Suite("task snapshots and records")
struct SnapshotTests {
    @Test("a record round-trips through JSON and holds no secret")
    func roundTrip() throws {
        var snapshot = TaskSnapshot(id: "task_1", dialect: "unified", baseURL: "https://gw.example.com", state: .succeeded)
        snapshot.providerStatus = "SUCCESS"
        snapshot.progress = 100
        snapshot.videoURL = "https://cdn.example.com/v.mp4"
        snapshot.model = "kling-v1"
        snapshot.createdAt = 1_762_336_916
        snapshot.updatedAt = 1_762_336_999.5
        snapshot.idempotencyKey = "6f1c"
        snapshot.download = DownloadRecord(path: "/tmp/v.mp4", bytes: 3898, sha256: String(repeating: "a", count: 64))
        let text = snapshot.json.jsonText
        #expect(try TaskSnapshot(json: JSONValue.parse(text)) == snapshot)
        #expect(!text.lowercased().contains("key\":\"sk"))

        var failed = TaskSnapshot(id: "t", dialect: "openai", baseURL: "https://x", state: .failed)
        failed.error = VideoGenError(.contentPolicy, "blocked", httpStatus: nil, providerCode: "moderation_blocked")
        #expect(try TaskSnapshot(json: JSONValue.parse(failed.json.jsonText)) == failed)
    }

    @Test("records of another version or with unknown fields are refused", arguments: [
        #"{"record_version":2,"id":"t","dialect":"openai","base_url":"https://x","state":"queued"}"#,
        #"{"id":"t","dialect":"openai","base_url":"https://x","state":"queued"}"#,
        #"{"record_version":1,"id":"t","dialect":"openai","base_url":"https://x","state":"dreaming"}"#,
        #"{"record_version":1,"id":"t","dialect":"openai","base_url":"https://x","state":"queued","api_key":"sk"}"#,
        #"{"record_version":1,"id":"","dialect":"openai","base_url":"https://x","state":"queued"}"#,
    ])
    func badRecords(_ text: String) {
        expectError(.invalidArgument) { _ = try TaskSnapshot(json: JSONValue.parse(text)) }
    }

    @Test("applying reports: progress is forgotten when the state moves without a figure; success without video fails")
    func applying() {
        var report = StatusReport(state: .running)
        report.progress = 40
        let running = TaskSnapshot(id: "t", dialect: "openai", baseURL: "https://x").applying(report, at: 1)
        #expect(running.progress == 40)
        let same = running.applying(StatusReport(state: .running), at: 2)
        #expect(same.progress == 40)
        let queued = running.applying(StatusReport(state: .queued), at: 3)
        #expect(queued.progress == nil)
        let empty = running.applying(StatusReport(state: .succeeded), at: 4)
        #expect(empty.state == .failed)
        #expect(empty.error?.code == .taskFailed)
    }
}
