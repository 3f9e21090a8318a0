import CVideoGen
import Foundation
import Testing
@testable import VideoGen

/// The new dialects and presets through the C ABI, exactly as a C program uses them: a JSON configuration, a JSON
/// request, wait, download. No header change is needed for any of them.
@Suite("new dialects through the C ABI", .serialized)
struct CABIDialectTests {
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])

    struct Job: Sendable, CustomTestStringConvertible {
        let name: String
        /// Configuration members besides base_url, api_key and the fast poll schedule.
        let config: String
        /// Request members besides the prompt; `IMAGE` is replaced by a local PNG's path.
        let request: String
        var testDescription: String { name }
    }

    static let jobs: [Job] = [
        Job(name: "kling through the applerouter preset, image from a path", config: #""provider":"applerouter","dialect":"kling""#,
            request: #""model":"kling-v1","image":"IMAGE","duration":5,"mode":"pro","camera_control":{"type":"simple","config":{"pan":3}}"#),
        Job(name: "routerone preset", config: #""provider":"routerone""#,
            request: #""model":"video-default","duration":5,"resolution":"720p","aspect_ratio":"16:9","images":["https://img.example.com/a.png"]"#),
        Job(name: "chat through the newapi preset", config: #""provider":"newapi","dialect":"chat""#,
            request: #""model":"veo-3.1","image":"IMAGE""#),
        Job(name: "openai Veo through the applerouter preset", config: #""provider":"applerouter","dialect":"openai""#,
            request: #""model":"veo-3.1","aspect_ratio":"9:16","duration":8,"watermark":false,"input_reference":"IMAGE""#),
        Job(name: "unified polled on /v1/videos", config: #""dialect":"unified","status_route":"videos""#,
            request: #""model":"kling-v1","images":["IMAGE"],"input_reference":"https://img.example.com/r.png","mode":"std","cfg_scale":0.5"#),
    ]

    func config(_ emulator: EmulatorProcess, _ members: String) -> String {
        #"{\#(members),"base_url":"\#(emulator.baseURL)","api_key":"\#(emulator.key)","request_timeout":10,"poll":{"interval":0.1,"max_interval":0.3,"min_interval":0.05}}"#
    }

    @Test("the whole job through vg_client_create / submit / wait / download", arguments: jobs)
    func wholeJob(_ job: Job) async throws {
        let emulator = try EmulatorProcess()
        let image = FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString).png").path
        let video = FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString).mp4").path
        #expect(FileManager.default.createFile(atPath: image, contents: Self.png))
        defer {
            try? FileManager.default.removeItem(atPath: image)
            try? FileManager.default.removeItem(atPath: video)
        }
        let request = #"{"prompt":"a paper boat",\#(job.request.replacingOccurrences(of: "IMAGE", with: image))}"#
        let outcome = await CABIJob.run(config: config(emulator, job.config), request: request, downloadTo: video)
        #expect(outcome.code == VG_OK.rawValue, "\(outcome.step): \(outcome.message)")
        #expect(outcome.state == VG_STATE_SUCCEEDED.rawValue)
        #expect(try Data(contentsOf: URL(fileURLWithPath: video)) == (try EmulatorProcess.sampleVideo))
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let config: String
        let request: String
        let step: String
        let code: vg_code
        let mentions: String
        var testDescription: String { mentions }
    }

    @Test("refusals and provider errors come back with the right vg_code", arguments: [
        Refusal(config: #""provider":"nowhere""#, request: "", step: "create", code: VG_E_UNSUPPORTED, mentions: "known: openai, applerouter, routerone, "),
        Refusal(config: #""provider":"routerone","dialect":"kling""#, request: "", step: "create", code: VG_E_INVALID_ARGUMENT, mentions: "contradicts"),
        Refusal(config: #""provider":"routerone""#, request: #""model":"m","seed":3"#, step: "submit", code: VG_E_UNSUPPORTED, mentions: "'seed'"),
        Refusal(config: #""provider":"routerone""#, request: #""model":"m","image":"/tmp/x.png""#, step: "submit", code: VG_E_UNSUPPORTED, mentions: "image URLs only"),
        Refusal(config: #""dialect":"kling""#, request: #""model":"kling-emu-error-1102""#, step: "submit", code: VG_E_QUOTA, mentions: "Resource pack"),
        Refusal(config: #""dialect":"kling""#, request: #""model":"kling-emu-error-1301""#, step: "submit", code: VG_E_CONTENT_POLICY, mentions: "content security"),
        Refusal(config: #""dialect":"kling""#, request: #""model":"kling-emu-error-1303""#, step: "submit", code: VG_E_RATE_LIMITED, mentions: "parallel task"),
        Refusal(config: #""dialect":"routerone""#, request: #""model":"emu-error-insufficient_balance""#, step: "submit", code: VG_E_QUOTA, mentions: "Insufficient balance"),
        Refusal(config: #""dialect":"chat""#, request: #""model":"veo-emu-empty""#, step: "wait", code: VG_E_TASK_FAILED, mentions: "carries no video link"),
        Refusal(config: #""dialect":"chat""#, request: #""model":"veo-emu-fail""#, step: "wait", code: VG_E_CONTENT_POLICY, mentions: "the reply:"),
        // The emulator's Kling failure says "rejected by the safety system": a refusal in OpenAI's words.
        Refusal(config: #""dialect":"kling""#, request: #""model":"emu-fail""#, step: "wait", code: VG_E_CONTENT_POLICY, mentions: "safety system"),
        // Refusals as new-api relays them (see the emulator's gateway scenarios).
        Refusal(config: #""dialect":"unified""#, request: #""model":"kling-v1-emu-error-1301""#, step: "submit", code: VG_E_CONTENT_POLICY, mentions: "content security"),
        Refusal(config: #""dialect":"unified""#, request: #""model":"seedance-emu-refused-doubao""#, step: "wait", code: VG_E_CONTENT_POLICY, mentions: "sensitive information"),
    ])
    func refusals(_ refusal: Refusal) async throws {
        let emulator = try EmulatorProcess()
        let request = #"{"prompt":"p"\#(refusal.request.isEmpty ? #","model":"m""# : "," + refusal.request)}"#
        let outcome = await CABIJob.run(config: config(emulator, refusal.config), request: request, downloadTo: nil, timeout: 20)
        #expect(outcome.step == refusal.step)
        #expect(outcome.code == refusal.code.rawValue, "\(outcome.step): \(outcome.message)")
        #expect(outcome.message.contains(refusal.mentions), "\(outcome.message)")
    }
}
