import CVideoGen
import Foundation
import Testing
@testable import VideoGen

/// Re-sending a submit whose outcome is unknown, through the C ABI as a C program does: the request's own
/// "idempotency_key", or the key an asynchronous submit's record carries, makes the second POST a replay.
@Suite("re-sending a submit through the C ABI", .serialized)
struct CABIResubmitTests {
    /// A C client of `emulator`; freed by the caller.
    func client(_ emulator: EmulatorProcess) throws -> OpaquePointer {
        let config = #"{"dialect":"openai","base_url":"\#(emulator.baseURL)","api_key":"\#(emulator.key)","request_timeout":10}"#
        var client: OpaquePointer?
        #expect(vg_client_create(config, &client, nil) == VG_OK)
        return try #require(client)
    }

    /// `vg_client_submit`: its code, its error message, and the new task's id ("" on failure).
    func submit(_ client: OpaquePointer, _ request: String) -> (vg_code, String, String) {
        var task: OpaquePointer?
        var error: OpaquePointer?
        let code = vg_client_submit(client, request, &task, &error)
        let message = error.flatMap { vg_error_message($0).map { String(cString: $0) } } ?? ""
        vg_error_free(error)
        let id = task.flatMap { vg_task_id($0).map { String(cString: $0) } } ?? ""
        vg_task_free(task)
        return (code, message, id)
    }

    @Test("a blocking submit dropped after the service committed it: sent again with its own key, no second task")
    func blockingWithOwnKey() async throws {
        let emulator = try EmulatorProcess()
        let client = try client(emulator)
        defer { vg_client_free(client) }
        try await emulator.setFaults([rule("commit-drop", method: "POST", count: 1)])
        let request = #"{"model":"sora-2","prompt":"a fox","idempotency_key":"order-42-v1"}"#
        let (first, message, _) = submit(client, request)
        #expect(first == VG_E_UNKNOWN_OUTCOME)
        #expect(message.contains("order-42-v1"), "the error names the key to re-send with: \(message)")
        #expect(try await emulator.taskCount() == 1, "the service committed the first POST")
        let (second, secondMessage, id) = submit(client, request)
        #expect(second == VG_OK && !id.isEmpty, "\(second): \(secondMessage)")
        #expect(try await emulator.taskCount() == 1, "the second POST was a replay, not a new task")
        let posts = try await emulator.entries("POST") { $0 == "/v1/videos" }
        #expect(posts.count == 2 && posts.allSatisfy { $0["idempotency_key"]?.stringValue == "order-42-v1" })
        #expect(posts.last?["replayed"]?.boolValue == true)
    }

    @Test("an asynchronous submit cancelled before its answer: its record carries the key to re-send with")
    func asyncRecordCarriesKey() async throws {
        let emulator = try EmulatorProcess()
        let client = try client(emulator)
        defer { vg_client_free(client) }
        // The POST reaches the service, which holds it 3 s and then commits it; the caller gives up before that.
        // The order comes from counted events, not sleeps: the cancel waits for the rule to have fired (the POST
        // arrived), and the check for the commit waits for the task to exist.
        try await emulator.setFaults([rule("stall:3", method: "POST", count: 1)])
        var task: OpaquePointer?
        #expect(vg_client_submit_async(client, #"{"model":"sora-2","prompt":"a fox"}"#, &task, nil) == VG_OK)
        let arrived = try await eventually(within: 30) { try await emulator.faultCounters().first?.fired == 1 }
        #expect(arrived, "the POST reached the service")
        #expect(vg_task_cancel(task, Int32(VG_CANCEL_LOCAL.rawValue), nil) == VG_OK)
        var json: UnsafeMutablePointer<CChar>?
        #expect(vg_task_snapshot_json(task, &json) == VG_OK)
        let record = try JSONValue.parse(Data(String(cString: try #require(json)).utf8))
        vg_string_free(json)
        vg_task_free(task)
        let key = try #require(record["idempotency_key"]?.stringValue, "the record keeps the key: \(record)")
        #expect(record["id"]?.stringValue == "")
        try await eventually(within: 30) { try await emulator.taskCount() >= 1 }
        #expect(try await emulator.taskCount() == 1, "the stalled POST was committed after all")
        let (code, _, id) = submit(client, #"{"model":"sora-2","prompt":"a fox","idempotency_key":"\#(key)"}"#)
        #expect(code == VG_OK && !id.isEmpty)
        #expect(try await emulator.taskCount() == 1, "re-sent with the record's key: a replay, no duplicate")
    }
}
