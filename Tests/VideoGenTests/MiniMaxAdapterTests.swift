import Foundation
import Testing
@testable import VideoGen

@Suite("minimax dialect adapter")
struct MiniMaxAdapterTests {
    let v1 = MiniMaxAdapter()
    let v2 = MiniMaxAdapter(api: .v2)
    let base = URL(string: "https://api.minimax.io")!

    static let v2Fixtures: [StatusFixture] = [
        .init(name: "queued", body: #"{"task":{"id":"424","status":"queued"}}"#, state: .queued, progress: nil, url: nil, errorMessage: nil),
        .init(name: "running", body: #"{"task":{"id":"424","status":"running"}}"#, state: .running, progress: nil, url: nil, errorMessage: nil),
        .init(name: "succeeded", body: #"{"task":{"id":"424","status":"succeeded","content":{"url":"https://cdn.example/v.mp4","resolution":"768P","duration":6},"usage":{"output_seconds":6}}}"#,
              state: .succeeded, progress: 100, url: "https://cdn.example/v.mp4", errorMessage: nil),
        .init(name: "failed by sensitive output", body: #"{"task":{"id":"424","status":"failed","error":{"code":1027,"message":"generated video contains sensitive content"}}}"#,
              state: .failed, progress: nil, url: nil, errorCode: .contentPolicy, errorMessage: "generated video contains sensitive content"),
        .init(name: "cancelled", body: #"{"task":{"id":"424","status":"cancelled"}}"#, state: .cancelled, progress: nil, url: nil,
              errorCode: .taskFailed, errorMessage: "the task ended cancelled without a reason"),
    ]

    @Test("v2 status answers", arguments: v2Fixtures)
    func v2Status(_ fixture: StatusFixture) throws {
        try fixture.check(v2, taskID: "424", baseURL: base)
    }

    @Test("v1 submit, query and file retrieval")
    func v1Steps() throws {
        var request = VideoRequest(model: "MiniMax-Hailuo-02", prompt: "a fox")
        request.duration = 6
        request.image = .url("https://img.example/a.png")
        request.watermark = true
        let submit = try v1.submitRequest(request, baseURL: base)
        #expect(submit.url.absoluteString == "https://api.minimax.io/v1/video_generation")
        let body = try JSONValue.parse(submit.body!)
        #expect(body["first_frame_image"] == "https://img.example/a.png" && body["aigc_watermark"] == true && body["prompt"] == "a fox")
        #expect(v1.route(of: submit) == "v1")
        let created = try v1.parseSubmit(.json(200, #"{"task_id":"106916112212032","base_resp":{"status_code":0,"status_msg":"success"}}"#,
                                              headers: ["Date": "Wed, 02 Dec 2026 04:13:54 GMT"]), baseURL: base)
        #expect(created.id == "106916112212032" && created.createdAt == 1_796_184_834)
        let query = v1.statusRequest(taskID: "1069 16&x", route: "v1", baseURL: base)
        #expect(query?.url.absoluteString == "https://api.minimax.io/v1/query/video_generation?task_id=1069%2016%26x")
        let done = try v1.parseStatus(.json(200, #"{"task_id":"1","status":"Success","file_id":"176844028768320","video_width":1920,"video_height":1080,"base_resp":{"status_code":0,"status_msg":"success"}}"#),
                                      taskID: "1", baseURL: base)
        #expect(done.state == .succeeded && done.links == ["file_id": "176844028768320"])
        #expect(done.resultRequest?.url.absoluteString == "https://api.minimax.io/v1/files/retrieve?file_id=176844028768320")
        let file = try v1.parseResult(.json(200, #"{"file":{"file_id":176844028768320,"bytes":0,"created_at":1,"filename":"output.mp4","purpose":"video_generation","download_url":"https://cdn.example/o.mp4"},"base_resp":{"status_code":0,"status_msg":"success"}}"#),
                                      report: done, baseURL: base)
        #expect(file.videoURL == "https://cdn.example/o.mp4")
    }

    @Test("v1 words and failures", arguments: [("Preparing", TaskState.queued), ("Queueing", .queued), ("Processing", .running), ("Fail", .failed)])
    func v1Words(_ word: String, _ state: TaskState) throws {
        let code = word == "Fail" ? 1026 : 0
        let report = try v1.parseStatus(.json(200, #"{"task_id":"1","status":"\#(word)","base_resp":{"status_code":\#(code),"status_msg":"video description contains sensitive content"}}"#),
                                        taskID: "1", baseURL: base)
        #expect(report.state == state)
        if state == .failed { #expect(report.error?.code == .contentPolicy && report.error?.providerCode == "1026") }
    }

    @Test("a v1 Fail whose base_resp only says the query worked has no reason, not 'success'")
    func v1FailWithoutReason() throws {
        let report = try v1.parseStatus(.json(200, #"{"task_id":"1","status":"Fail","base_resp":{"status_code":0,"status_msg":"success"}}"#),
                                        taskID: "1", baseURL: base)
        #expect(report.state == .failed && report.error?.code == .taskFailed && report.error?.message.contains("success") == false)
    }

    @Test("business codes in HTTP 200 and v2 error bodies", arguments: [
        ("1004", VideoGenError.Code.auth), ("1008", .quota), ("1002", .rateLimited), ("1026", .contentPolicy), ("2013", .badRequest),
    ])
    func businessCodes(_ code: String, _ expected: VideoGenError.Code) throws {
        #expect(throws: VideoGenError.self) {
            _ = try v1.parseSubmit(.json(200, #"{"task_id":"","base_resp":{"status_code":\#(code),"status_msg":"m"}}"#), baseURL: base)
        }
        do {
            _ = try v1.parseSubmit(.json(200, #"{"base_resp":{"status_code":\#(code),"status_msg":"m"}}"#), baseURL: base)
        } catch let error as VideoGenError {
            #expect(error.code == expected && error.providerCode == code)
        }
        let v2Error = v2.error(from: .json(400, #"{"type":"error","error":{"type":"x","message":"something (\#(code))","http_code":"400"}}"#))
        #expect(v2Error.code == expected && v2Error.providerCode == code)
    }

    @Test("v2 content items carry roles; v1 refuses images and ratios by name")
    func v2Content() throws {
        var request = VideoRequest(model: "MiniMax-H3", prompt: "a fox")
        request.image = .url("https://a.example/1.png")
        request.imageTail = .url("https://a.example/2.png")
        request.images = [.url("https://a.example/3.png")]
        request.aspectRatio = "16:9"
        let submit = try v2.submitRequest(request, baseURL: base)
        #expect(submit.url.path == "/v2/video_generation" && v2.route(of: submit) == "v2")
        let content = try JSONValue.parse(submit.body!)["content"]?.arrayValue ?? []
        #expect(content.map { $0["role"]?.stringValue } == [nil, "first_frame", "last_frame", "reference_image"])
        #expect(v2.statusRequest(taskID: "424", route: "v2", baseURL: base)?.url.absoluteString == "https://api.minimax.io/v2/query/video_generation/424")
        #expect(throws: VideoGenError.self) { _ = try v1.submitRequest(request, baseURL: base) }
    }

    @Test("invalid task_id past the 7-day window is expired; within it, an error")
    func queryWindow() {
        let error = VideoGenError(.badRequest, "invalid params, invalid task_id", providerCode: "2013")
        var task = TaskSnapshot(id: "1", dialect: "minimax", baseURL: base.absoluteString, state: .running)
        task.createdAt = 1_000_000
        let expired = v1.statusFailure(error, for: task, now: 1_000_000 + MiniMaxAdapter.queryWindow + 1)
        #expect(expired?.state == .expired)
        #expect(v1.statusFailure(error, for: task, now: 1_000_000 + 3600) == nil)
        #expect(v1.statusFailure(VideoGenError(.server, "boom"), for: task, now: 1e10) == nil)
        task.createdAt = nil
        #expect(v1.statusFailure(error, for: task, now: 1e10) == nil)
    }
}

/// The engine side of `ProviderAdapter.statusFailure`: a wait and a refresh of a MiniMax task past its 7-day query
/// window end with the task expired (the failed request is the answer), a younger task's failure stays an error.
@Suite("minimax query window through the client")
struct MiniMaxQueryWindowClientTests {
    static let invalid = HTTPResponse.json(400, #"{"type":"error","error":{"type":"bad_request_error","message":"invalid task_id (2013)","http_code":"400"}}"#)

    func task(ageDays: Double) -> TaskSnapshot {
        var task = TaskSnapshot(id: "424010985738629", dialect: "minimax", baseURL: "http://127.0.0.1:9", state: .running)
        task.route = "v2"
        task.createdAt = Date().timeIntervalSince1970 - ageDays * 86400
        return task
    }

    @Test("a wait of an 8-day-old task ends expired after one poll")
    func waitExpires() async throws {
        let transport = FakeTransport([.respond(Self.invalid)])
        let client = VideoGenClient(configuration: try TestConfig.make(.minimax, retry: TestConfig.fastRetry), transport: transport, random: { 0 })
        let final = try await client.wait(for: task(ageDays: 8), timeout: 5, pollImmediately: true)
        #expect(final.state == .expired && final.error?.code == .notFound && final.error?.providerCode == "2013")
        #expect(transport.requests.count == 1)
    }

    @Test("a refresh of an 8-day-old task is expired; of a 1-day-old one, not found")
    func refresh() async throws {
        let old = VideoGenClient(configuration: try TestConfig.make(.minimax, retry: TestConfig.fastRetry),
                                 transport: FakeTransport([.respond(Self.invalid)]), random: { 0 })
        #expect(try await old.refresh(task(ageDays: 8)).state == .expired)
        let young = VideoGenClient(configuration: try TestConfig.make(.minimax, retry: TestConfig.fastRetry),
                                   transport: FakeTransport([.respond(Self.invalid)]), random: { 0 })
        await expectError(.notFound) { _ = try await young.refresh(task(ageDays: 1)) }
    }
}
