import Foundation
import Testing
@testable import VideoGen

/// Issue 11, point 5: a task id is always exactly one URL path segment. Ids a service answers are hostile input:
/// `.` and `..` would be resolved (`/v1/videos/..` is `/v1`, and `/v1/videos/../content` is `/v1/content`),
/// `/`, `?`, `#` and `%` would end or reshape the path. Every adapter builds its id paths through `PathSegment`,
/// checked here on the final URL string, for every dialect; the client refuses the ids it cannot use before asking.
@Suite("task ids as one path segment")
struct TaskIDSegmentTests {
    /// A dialect's status route: the adapter and the path before the id.
    struct Route: Sendable, CustomTestStringConvertible {
        let name: String
        let adapter: any ProviderAdapter
        let route: String?
        let prefix: String
        var testDescription: String { name }
    }

    static let routes: [Route] = [
        Route(name: "openai", adapter: OpenAIVideosAdapter(), route: nil, prefix: "/v1/videos/"),
        Route(name: "unified, generations", adapter: UnifiedTaskAdapter(statusRoute: .generations), route: nil,
              prefix: "/v1/video/generations/"),
        Route(name: "unified, videos", adapter: UnifiedTaskAdapter(statusRoute: .videos), route: nil, prefix: "/v1/videos/"),
        Route(name: "kling, text2video", adapter: KlingAdapter(), route: "text2video", prefix: "/kling/v1/videos/text2video/"),
        Route(name: "kling, image2video", adapter: KlingAdapter(), route: "image2video", prefix: "/kling/v1/videos/image2video/"),
        Route(name: "routerone", adapter: RouterOneAdapter(), route: nil, prefix: "/v1/videos/generations/"),
    ]

    /// Ids that cannot be one segment.
    static let refused = ["", ".", "..", "a\u{0}b", "a\nb", "a\u{7F}b", "a\u{85}b", "a\u{2028}b", String(repeating: "x", count: 1025)]

    /// Ids with characters that must be encoded, and the segment each becomes.
    static let encoded: [(id: String, segment: String)] = [
        ("a/b?c#d%e f", "a%2Fb%3Fc%23d%25e%20f"),
        ("../x", "..%2Fx"),
        ("%2E%2E", "%252E%252E"),
        ("...", "..."),
        ("vidéo_ü", "vid%C3%A9o_%C3%BC"),
        ("a;b=c:d@e+f!~", "a;b=c:d@e+f!~"),
        ("video_68d7e0a1", "video_68d7e0a1"),
        (String(repeating: "x", count: 1024), String(repeating: "x", count: 1024)),
    ]

    static let bases = ["https://gw.example.com", "http://127.0.0.1:9/gateway"]

    @Test("status requests: a refused id builds no request; any other id is exactly one encoded segment, on the final URL string",
          arguments: routes)
    func statusRequests(_ route: Route) throws {
        for base in TaskIDSegmentTests.bases {
            let baseURL = try #require(URL(string: base))
            for id in TaskIDSegmentTests.refused {
                #expect(route.adapter.statusRequest(taskID: id, route: route.route, baseURL: baseURL) == nil,
                        "\(route.name): \(id.debugDescription) builds no request")
            }
            for (id, segment) in TaskIDSegmentTests.encoded {
                let request = try #require(route.adapter.statusRequest(taskID: id, route: route.route, baseURL: baseURL))
                #expect(request.method == "GET")
                #expect(request.url.absoluteString == base + route.prefix + segment, "\(route.name): \(id.debugDescription)")
                let path = try #require(URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.percentEncodedPath)
                let last = try #require(path.split(separator: "/", omittingEmptySubsequences: false).last)
                #expect(last.removingPercentEncoding == id, "the last segment decodes to the id")
                #expect(request.url.query == nil && request.url.fragment == nil)
                #expect(request.url.standardized.absoluteString == request.url.absoluteString, "nothing to resolve")
            }
        }
    }

    @Test("content URLs made from an id (openai, and unified's OpenAI-object answers) hold it as one segment; a refused id gives none")
    func contentURLs() throws {
        let base = try #require(URL(string: "https://gw.example.com"))
        let parsers: [(String, any ProviderAdapter)] = [("openai", OpenAIVideosAdapter()),
                                                        ("unified", UnifiedTaskAdapter(statusRoute: .videos))]
        for (name, adapter) in parsers {
            for (id, segment) in TaskIDSegmentTests.encoded {
                let body = JSONValue.object(["object": "video", "id": .string(id), "status": "completed"]).jsonText
                let report = try adapter.parseStatus(.json(200, body), taskID: "t", baseURL: base)
                #expect(report.videoURL == "https://gw.example.com/v1/videos/\(segment)/content", "\(name): \(id.debugDescription)")
            }
            for id in ["..", "."] {
                let body = JSONValue.object(["object": "video", "id": .string(id), "status": "completed"]).jsonText
                let report = try adapter.parseStatus(.json(200, body), taskID: "t", baseURL: base)
                #expect(report.videoURL == nil, "\(name): no /v1/content for \(id)")
            }
        }
    }

    @Test("chat: the id is never put into a path (no status, no cancel, the link comes from the reply)")
    func chatBuildsNoPath() throws {
        let adapter = ChatCompletionsAdapter()
        let base = try #require(URL(string: "https://gw.example.com"))
        for id in TaskIDSegmentTests.refused + TaskIDSegmentTests.encoded.map(\.id) {
            #expect(adapter.statusRequest(taskID: id, route: nil, baseURL: base) == nil)
            #expect(adapter.cancelRequest(taskID: id, baseURL: base) == nil)
        }
        let reply = #"{"id":"..","choices":[{"finish_reason":"stop","message":{"role":"assistant","content":"https://cdn.example.com/v.mp4"}}]}"#
        let report = try adapter.parseSubmit(.json(200, reply), baseURL: base)
        #expect(report.videoURL == "https://cdn.example.com/v.mp4")
    }

    /// A submit answer carrying `id`, in the dialect's own shape.
    static func submitAnswer(_ dialect: Dialect, id: String) -> String {
        let quoted = JSONValue.string(id).jsonText
        switch dialect {
        case .openai: return #"{"object":"video","id":\#(quoted),"status":"queued"}"#
        case .kling, .klingOfficial: return #"{"code":0,"message":"SUCCEED","data":{"task_id":\#(quoted),"task_status":"submitted"}}"#
        case .dashscope: return #"{"request_id":"r","output":{"task_id":\#(quoted),"task_status":"PENDING"}}"#
        case .vidu: return #"{"task_id":\#(quoted),"state":"created"}"#
        case .openrouter: return #"{"id":\#(quoted),"polling_url":"/api/v1/videos/x","status":"pending"}"#
        case .fal:
            let links = #""status_url":"http://127.0.0.1:9/a/b/requests/r/status","response_url":"http://127.0.0.1:9/a/b/requests/r","cancel_url":"http://127.0.0.1:9/a/b/requests/r/cancel""#
            return #"{"request_id":\#(quoted),\#(links)}"#
        case .replicate: return #"{"id":\#(quoted),"status":"starting"}"#
        case .chat:
            return #"{"id":\#(quoted),"choices":[{"finish_reason":"stop","message":{"role":"assistant","content":"https://cdn.example.com/v.mp4"}}]}"#
        case .runway, .ark: return #"{"id":\#(quoted)}"#
        case .luma: return #"{"id":\#(quoted),"state":"queued"}"#
        case .gemini, .vertex: return #"{"name":\#(quoted)}"#
        case .geminiInteractions: return #"{"id":\#(quoted),"status":"queued"}"#
        default: return #"{"task_id":\#(quoted),"status":"queued"}"#
        }
    }

    @Test("the client refuses a submit answer whose id is a dot segment, empty of meaning or holds control characters, before any poll",
          arguments: Dialect.allCases)
    func clientRefusesAnsweredIDs(_ dialect: Dialect) async throws {
        for id in [".", "..", "a\u{1B}[2Jb", String(repeating: "y", count: 1025)] {
            let transport = FakeTransport([.respond(.json(200, TaskIDSegmentTests.submitAnswer(dialect, id: id)))])
            var configuration = try TestConfig.make(dialect, retry: TestConfig.fastRetry)
            if dialect == .klingOfficial {
                configuration.authenticator = try KlingJWTAuthenticator(accessKey: configuration.apiKey, secretKey: "sk-secret-123")
            }
            let client = VideoGenClient(configuration: configuration, transport: transport, random: { 0 })
            let model = dialect == .fal ? "fal-ai/app" : dialect == .replicate ? "owner/model" : "m"
            let error = await expectError(.protocolError) {
                _ = try await client.submit(VideoRequest(model: model, prompt: "p"))
            }
            #expect(error?.message.contains("path segment") == true, "\(error?.message ?? "")")
            #expect(transport.requests.count == 1, "only the submit went out")
        }
    }

    @Test("the client refuses a status answer that renames the task to '..' (a wait goes on polling the id it knows), and a record whose id is '..'")
    func clientRefusesStatusAndRecordIDs() async throws {
        let answer = #"{"object":"video","id":"..","status":"in_progress","progress":10}"#
        let transport = FakeTransport(Array(repeating: .respond(.json(200, answer)), count: 100))
        let fast = PollPolicy(interval: 0.05, maxInterval: 0.05, multiplier: 1, jitter: 0, minInterval: 0.05)
        let client = VideoGenClient(configuration: try TestConfig.make(.openai, retry: TestConfig.fastRetry, poll: fast),
                                    transport: transport, random: { 0 })
        let task = TaskSnapshot(id: "video_1", dialect: "openai", baseURL: "http://127.0.0.1:9")
        let refused = await expectError(.protocolError) { _ = try await client.refresh(task) }
        #expect(refused?.message.contains("dot segment") == true)
        // A wait treats a protocol error as transient, as for any malformed answer: it keeps polling the task it
        // knows, never the id it was offered, until its deadline.
        do {
            _ = try await client.wait(for: task, timeout: 0.3, pollImmediately: true)
            Issue.record("the wait cannot succeed")
        } catch let error as VideoGenError {
            #expect(error.code == .deadline || error.code == .protocolError, "\(error)")
        }
        let paths = transport.requests.map(\.url.path)
        #expect(paths.count >= 2 && paths.allSatisfy { $0 == "/v1/videos/video_1" }, "\(paths)")
        for id in [".", "..", "a\u{7}"] {
            let record: JSONValue = ["record_version": 1, "id": .string(id), "dialect": "openai",
                                     "base_url": "http://127.0.0.1:9", "state": "queued"]
            expectError(.invalidArgument) { _ = try client.resume(record: record) }
        }
        #expect(transport.requests.count == paths.count, "no request for a refused record")
    }

    @Test("end to end through the emulator: an answered '..' is refused after the submit alone (every dialect); 'a/b?c#d%e' is polled as one segment and downloaded (all but routerone and chat)")
    func endToEnd() async throws {
        let emulator = try EmulatorProcess(taskSeconds: 0.2)
        for dialect in Dialect.allCases {
            var configuration = try emulator.configuration(dialect)
            if dialect == .klingOfficial {
                configuration.authenticator = try KlingJWTAuthenticator(accessKey: configuration.apiKey,
                                                                        secretKey: EmulatorKlingFalReplicateTests.klingSecret)
            }
            let client = VideoGenClient(configuration: configuration)
            let model = dialect == .fal ? "fal-ai/kling-v1" : dialect == .replicate ? "owner/kling-v1" : "kling-v1"
            try await emulator.settings(["task_id": ".."])
            let before = try await emulator.requests().count
            let refused = await expectError(.protocolError) {
                _ = try await client.submit(VideoRequest(model: model, prompt: "a fox"))
            }
            #expect(refused?.message.contains("dot segment") == true, "\(dialect): \(refused?.message ?? "")")
            let after = try await emulator.requests().dropFirst(before).filter { !($0["path"]?.stringValue ?? "").hasPrefix("/_emulator/") }
            #expect(after.map { $0["method"]?.stringValue ?? "" } == ["POST"], "\(dialect): nothing but the submit: \(after)")
            // Router One's own ids are `v_<hex>` (its emulator refuses others), chat has nothing to poll, Google's ids
            // are operation names (`models/{m}/operations/{id}`), whose segments are checked one by one, and fal's and
            // Replicate's tasks are polled at the addresses their answers give (never built from the id).
            guard ![.routerone, .chat, .gemini, .vertex, .fal, .replicate].contains(dialect) else { continue }

            let odd = "a/b?c#d%e"
            try await emulator.settings(["task_id": .string(odd)])
            let mark = try await emulator.requests().count
            let submitted = try await client.submit(VideoRequest(model: "kling-v1", prompt: "a fox"))
            #expect(submitted.id == odd)
            let done = try await client.wait(for: submitted, timeout: 20)
            #expect(done.state == .succeeded, "\(dialect): \(String(describing: done.error))")
            let statusPath = ["openai": "/v1/videos/", "unified": "/v1/video/generations/",
                              "kling": "/kling/v1/videos/text2video/", "kling_official": "/v1/videos/text2video/", "runway": "/v1/tasks/",
                              "luma": "/dream-machine/v1/generations/",
                              "ark": "/api/v3/contents/generations/tasks/", "dashscope": "/api/v1/tasks/",
                              "vidu": "/ent/v2/tasks/", "openrouter": "/api/v1/videos/",
                              "gemini_interactions": "/v1/interactions/"][dialect.rawValue, default: "?"]
                + "a%2Fb%3Fc%23d%25e" + (dialect == .vidu ? "/creations" : "")
            let gets = try await emulator.requests().dropFirst(mark)
                .filter { $0["method"]?.stringValue == "GET" && !($0["path"]?.stringValue ?? "").hasPrefix("/_emulator/") }
            let polls = gets.map { $0["path"]?.stringValue ?? "" }
            if dialect == .minimax {
                // MiniMax v1 names the task in the query string, then asks for its file.
                let queries = gets.filter { $0["path"]?.stringValue == "/v1/query/video_generation" }
                #expect(!queries.isEmpty && queries.allSatisfy { $0["query"]?["task_id"]?.stringValue == odd }, "\(gets)")
                #expect(polls.allSatisfy { $0 == "/v1/query/video_generation" || $0 == "/v1/files/retrieve" }, "\(polls)")
            } else {
                #expect(!polls.isEmpty && polls.allSatisfy { $0 == statusPath }, "\(dialect): \(polls)")
            }
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("vg-odd-id-\(UUID().uuidString).mp4").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let downloaded = try await client.download(done, to: path)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try EmulatorProcess.sampleVideo))
            #expect(downloaded.download?.bytes == Int64(try EmulatorProcess.sampleVideo.count))
        }
        try await emulator.settings(["task_id": .null])
    }
}
