import Foundation
import Testing
@testable import VideoGen

@Suite("kling dialect adapter")
struct KlingAdapterTests {
    let adapter = KlingAdapter()
    let base = URL(string: "https://gw.example.com")!

    typealias Fixture = StatusFixture

    static let fixtures: [Fixture] = [
        // Kling's own envelope.
        .init(name: "envelope submitted", body: #"{"code":0,"message":"SUCCEED","request_id":"r1","data":{"task_id":"782539785375641665","task_status":"submitted","task_info":{},"created_at":1722769557708,"updated_at":1722769557708}}"#,
              state: .queued, progress: nil, url: nil, errorCode: nil, errorMessage: nil),
        .init(name: "envelope processing", body: #"{"code":0,"message":"SUCCEED","request_id":"r1","data":{"task_id":"782539785375641665","task_status":"processing","task_status_msg":"","created_at":1722769557708,"updated_at":1722769600000}}"#,
              state: .running, progress: nil, url: nil, errorCode: nil, errorMessage: nil),
        .init(name: "envelope succeed", body: #"{"code":0,"message":"SUCCEED","request_id":"r1","data":{"task_id":"782539785375641665","task_status":"succeed","task_status_msg":"","task_info":{"external_task_id":"mine"},"task_result":{"videos":[{"id":"v1","url":"https://cdn.klingai.com/v.mp4","watermark_url":"https://cdn.klingai.com/w.mp4","duration":"5.1"}]},"watermark_info":{"enabled":false},"final_unit_deduction":"1","created_at":1722769557708,"updated_at":1722769700000}}"#,
              state: .succeeded, progress: 100, url: "https://cdn.klingai.com/v.mp4", errorCode: nil, errorMessage: nil),
        .init(name: "envelope failed with task_status_msg", body: #"{"code":0,"message":"SUCCEED","request_id":"r1","data":{"task_id":"782539785375641665","task_status":"failed","task_status_msg":"Failure to pass the risk control system","created_at":1722769557708,"updated_at":1722769600000}}"#,
              state: .failed, progress: nil, url: nil, errorCode: .taskFailed, errorMessage: "Failure to pass the risk control system"),
        .init(name: "envelope succeed without videos is a failure", body: #"{"code":0,"message":"SUCCEED","request_id":"r1","data":{"task_id":"782539785375641665","task_status":"succeed","task_result":{"videos":[]}}}"#,
              state: .failed, progress: 100, url: nil, errorCode: .taskFailed, errorMessage: "the service reported the task finished but returned no video"),
        .init(name: "upper-case Kling word", body: #"{"code":0,"data":{"task_id":"1","task_status":"SUCCEED","task_result":{"videos":[{"url":"https://cdn.klingai.com/u.mp4"}]}}}"#,
              state: .succeeded, progress: 100, url: "https://cdn.klingai.com/u.mp4", errorCode: nil, errorMessage: nil),
        // The gateway's flat answer on the Kling route.
        .init(name: "flat queued", body: #"{"task_id":"task_k","status":"queued"}"#,
              state: .queued, progress: nil, url: nil, errorCode: nil, errorMessage: nil),
        .init(name: "flat processing with NN% progress", body: #"{"task_id":"task_k","status":"processing","progress":"42%"}"#,
              state: .running, progress: 42, url: nil, errorCode: nil, errorMessage: nil),
        .init(name: "flat succeeded", body: #"{"task_id":"task_k","status":"succeeded","progress":100,"url":"https://cdn.example.com/k.mp4","error":null}"#,
              state: .succeeded, progress: 100, url: "https://cdn.example.com/k.mp4", errorCode: nil, errorMessage: nil),
        .init(name: "flat failed with a content-policy code", body: #"{"task_id":"task_k","status":"failed","error":{"code":"content_policy_violation","message":"blocked"}}"#,
              state: .failed, progress: nil, url: nil, errorCode: .contentPolicy, errorMessage: "blocked"),
        // new-api's task envelope, which its Kling fetch route may answer.
        .init(name: "new-api task envelope", body: #"{"code":"success","message":"","data":{"id":9,"task_id":"task_k","platform":"kling","status":"SUCCESS","progress":"100%","result_url":"https://cdn.example.com/n.mp4"}}"#,
              state: .succeeded, progress: 100, url: "https://cdn.example.com/n.mp4", errorCode: nil, errorMessage: nil),
    ]

    @Test("every status shape", arguments: fixtures)
    func status(_ fixture: Fixture) throws {
        try fixture.check(adapter, taskID: "t", baseURL: base)
    }

    @Test("millisecond timestamps are read as seconds")
    func timestamps() throws {
        let report = try adapter.parseStatus(.json(200, Self.fixtures[0].body), taskID: "t", baseURL: base)
        #expect(report.createdAt == 1_722_769_557.708)
        #expect(report.id == "782539785375641665")
    }

    @Test("submit answers: Kling's envelope and the gateway's flat answer", arguments: [
        #"{"code":0,"message":"SUCCEED","request_id":"r","data":{"task_id":"k_1","task_info":{"external_task_id":"x"},"task_status":"submitted","created_at":1722769557708,"updated_at":1722769557708}}"#,
        #"{"task_id":"k_1","status":"submitted"}"#,
        #"{"task_id":"k_1","status":"queued"}"#,
    ])
    func submitAnswers(_ body: String) throws {
        let report = try adapter.parseSubmit(.json(200, body), baseURL: base)
        #expect(report.id == "k_1")
        #expect(report.state == .queued)
    }

    struct CodeCase: Sendable, CustomTestStringConvertible {
        let status: Int
        let code: Int
        let expected: VideoGenError.Code
        var testDescription: String { "\(status)/\(code)" }
    }

    @Test("business codes map to videogen codes", arguments: [
        CodeCase(status: 429, code: 1102, expected: .quota), CodeCase(status: 429, code: 1101, expected: .quota),
        CodeCase(status: 400, code: 1301, expected: .contentPolicy), CodeCase(status: 400, code: 1300, expected: .contentPolicy),
        CodeCase(status: 429, code: 1302, expected: .rateLimited), CodeCase(status: 429, code: 1303, expected: .rateLimited),
        CodeCase(status: 401, code: 1002, expected: .auth), CodeCase(status: 403, code: 1103, expected: .permission),
        CodeCase(status: 429, code: 1304, expected: .permission), CodeCase(status: 429, code: 1100, expected: .permission),
        CodeCase(status: 400, code: 1201, expected: .badRequest), CodeCase(status: 404, code: 1203, expected: .notFound),
        CodeCase(status: 500, code: 5000, expected: .server), CodeCase(status: 503, code: 5001, expected: .server),
        CodeCase(status: 504, code: 5002, expected: .server),
    ])
    func businessCodes(_ item: CodeCase) {
        let body = #"{"code":\#(item.code),"message":"m \#(item.code)","request_id":"r"}"#
        let error = adapter.error(from: .json(item.status, body))
        #expect(error.code == item.expected)
        #expect(error.providerCode == String(item.code))
        #expect(error.httpStatus == item.status)
        #expect(error.message == "m \(item.code)")
    }

    @Test("a business error answered with HTTP 200 is thrown with its mapped code", arguments: [
        (#"{"code":1303,"message":"parallel task over resource pack limit","request_id":"r"}"#, VideoGenError.Code.rateLimited),
        (#"{"code":1203,"message":"task not found","request_id":"r","data":null}"#, .notFound),
        (#"{"code":1102,"message":"balance","request_id":"r","data":{}}"#, .quota),
        (#"{"code":5001,"message":"maintenance","request_id":"r"}"#, .server),
    ])
    func envelopeErrors(_ body: String, _ code: VideoGenError.Code) {
        let error = expectError(code) { _ = try adapter.parseStatus(.json(200, body), taskID: "t", baseURL: base) }
        #expect(error?.httpStatus == 200)
    }

    @Test("unknown status words and bodies without a status are protocol errors", arguments: [
        #"{"code":0,"data":{"task_id":"1","task_status":"pondering"}}"#, #"{"code":0,"data":{"task_id":"1"}}"#,
        #"{"code":0,"message":"ok"}"#, "[]",
    ])
    func badBodies(_ body: String) {
        expectError(.protocolError) { _ = try adapter.parseStatus(.json(200, body), taskID: "t", baseURL: base) }
    }

    @Test("text2video body: Kling's names and types, metadata and extra at the top level")
    func text2videoBody() throws {
        let json = try JSONValue.parse(#"""
            {"model":"kling-v2-master","prompt":"a fox","negative_prompt":"blur","duration":10,"aspect_ratio":"9:16",
             "mode":"pro","cfg_scale":0.5,"camera_control":{"type":"simple","config":{"zoom":5}},"watermark":false,
             "callback_url":"https://hooks.example.com/k","external_task_id":"ext-1","width":1280,"height":720,
             "fps":24,"seed":42,"n":1,"metadata":{"sound":"on"},"extra":{"multi_shot":false}}
            """#)
        let request = try VideoRequest(json: json)
        let wire = try adapter.submitRequest(request, baseURL: base)
        #expect(wire.method == "POST")
        #expect(wire.url.absoluteString == "https://gw.example.com/kling/v1/videos/text2video")
        #expect(adapter.route(of: wire) == "text2video")
        let body = try JSONValue.parse(try #require(wire.body))
        let expected: JSONValue = [
            "model_name": "kling-v2-master", "prompt": "a fox", "negative_prompt": "blur", "duration": "10",
            "aspect_ratio": "9:16", "mode": "pro", "cfg_scale": 0.5,
            "camera_control": ["type": "simple", "config": ["zoom": 5]], "watermark_info": ["enabled": false],
            "callback_url": "https://hooks.example.com/k", "external_task_id": "ext-1", "width": 1280, "height": 720,
            "fps": 24, "seed": 42, "n": 1, "sound": "on", "multi_shot": false,
        ]
        #expect(body == expected)
    }

    @Test("image2video: a local PNG goes as bare base64 without a data: prefix, a URL as given")
    func image2videoBody() throws {
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 9, 9, 9])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString).png").path
        #expect(FileManager.default.createFile(atPath: path, contents: png))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var request = VideoRequest(model: "kling-v1", prompt: "p")
        request.image = .file(path)
        request.imageTail = .url("https://cdn.example.com/last.jpg")
        let wire = try adapter.submitRequest(request, baseURL: base)
        #expect(wire.url.path == "/kling/v1/videos/image2video")
        #expect(adapter.route(of: wire) == "image2video")
        let body = try JSONValue.parse(try #require(wire.body))
        #expect(body["image"]?.stringValue == png.base64EncodedString())
        #expect(body["image_tail"]?.stringValue == "https://cdn.example.com/last.jpg")
    }

    @Test("a tail frame alone, or an image passed verbatim, still goes to image2video")
    func routeFromVerbatimFields() throws {
        var request = VideoRequest(model: "m", prompt: "p")
        request.imageTail = .url("https://cdn.example.com/t.png")
        #expect(try adapter.submitRequest(request, baseURL: base).url.lastPathComponent == "image2video")
        request.imageTail = nil
        request.extra = ["image": "https://cdn.example.com/i.png"]
        #expect(try adapter.submitRequest(request, baseURL: base).url.lastPathComponent == "image2video")
        request.extra = nil
        request.metadata = ["image_tail": "https://cdn.example.com/i.png"]
        #expect(try adapter.submitRequest(request, baseURL: base).url.lastPathComponent == "image2video")
    }

    @Test("status requests go to the route the task was created on")
    func statusPaths() throws {
        let image = try #require(adapter.statusRequest(taskID: "7/8", route: "image2video", baseURL: base))
        #expect(image.url.absoluteString == "https://gw.example.com/kling/v1/videos/image2video/7%2F8")
        let text = try #require(adapter.statusRequest(taskID: "7", route: "text2video", baseURL: base))
        #expect(text.url.path == "/kling/v1/videos/text2video/7")
        let unknown = try #require(adapter.statusRequest(taskID: "7", route: "../../admin", baseURL: base))
        #expect(unknown.url.path == "/kling/v1/videos/text2video/7")
        #expect(adapter.statusRequest(taskID: "7", baseURL: base)?.url.path == "/kling/v1/videos/text2video/7")
        #expect(adapter.cancelRequest(taskID: "7", baseURL: base) == nil)
    }

    @Test("images Kling cannot take are refused before anything is sent")
    func imageLimits() throws {
        var request = VideoRequest(model: "m", prompt: "p")
        let webp = Data("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8)
        request.image = .bytes(webp, mimeType: "image/webp")
        let unsupported = expectError(.unsupported) { _ = try adapter.submitRequest(request, baseURL: base) }
        #expect(unsupported?.message.contains("JPEG or PNG") == true)
        var big = Data([0xFF, 0xD8, 0xFF])
        big.append(Data(count: KlingAdapter.maxImageBytes))
        request.image = .bytes(big, mimeType: "image/jpeg")
        expectError(.tooLarge) { _ = try adapter.submitRequest(request, baseURL: base) }
    }

    @Test("fields Kling cannot carry are refused by name", arguments: [
        ("size", #"{"model":"m","prompt":"p","size":"1280x720"}"#),
        ("images", #"{"model":"m","prompt":"p","images":["https://x/a.png"]}"#),
        ("resolution", #"{"model":"m","prompt":"p","resolution":"720p"}"#),
        ("input_reference", #"{"model":"m","prompt":"p","input_reference":"https://x/a.png"}"#),
    ])
    func unsupported(_ field: String, _ json: String) throws {
        let request = try VideoRequest(json: JSONValue.parse(json))
        let error = expectError(.unsupported) { _ = try adapter.submitRequest(request, baseURL: base) }
        #expect(error?.message.contains("'\(field)'") == true)
        #expect(error?.message.contains("'metadata' or 'extra'") == true)
    }

    @Test("metadata and extra may not overwrite a field videogen sends")
    func collisions() throws {
        var request = VideoRequest(model: "m", prompt: "p")
        request.metadata = ["model_name": "other"]
        let error = expectError(.invalidArgument) { _ = try adapter.submitRequest(request, baseURL: base) }
        #expect(error?.message.contains("'metadata' field 'model_name'") == true)
        request.metadata = ["x": 1]
        request.extra = ["x": 2]
        expectError(.invalidArgument) { _ = try adapter.submitRequest(request, baseURL: base) }
    }
}
