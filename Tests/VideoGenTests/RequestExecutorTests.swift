import Foundation
import Testing
@testable import VideoGen

/// The client over a scripted transport: retries, idempotency, credentials, key scrubbing.
@Suite("request execution")
struct RequestExecutorTests {
    let queuedVideo = HTTPResponse.json(200, #"{"id":"video_1","object":"video","status":"queued","progress":0}"#)

    func client(_ transport: FakeTransport, dialect: Dialect = .openai, retry: RetryPolicy = TestConfig.fastRetry) throws -> VideoGenClient {
        VideoGenClient(configuration: try TestConfig.make(dialect, retry: retry), transport: transport, random: { 0 })
    }

    @Test("submit sends the key to the configured origin, with an Idempotency-Key kept in the record")
    func submitHeaders() async throws {
        let transport = FakeTransport([.respond(queuedVideo)])
        let snapshot = try await client(transport).submit(VideoRequest(model: "sora-2", prompt: "p"))
        let sent = try #require(transport.requests.first)
        #expect(sent.header("Authorization") == "Bearer \(TestConfig.key)")
        #expect(sent.header("User-Agent")?.hasPrefix("videogen/") == true)
        #expect(sent.header("Idempotency-Key") == snapshot.idempotencyKey)
        #expect(snapshot.id == "video_1" && snapshot.state == .queued)
        #expect(!snapshot.json.jsonText.contains(TestConfig.key))
    }

    @Test("a submit that never reached the service is retried with the same Idempotency-Key")
    func submitRetriedWhenUnsent() async throws {
        var refused = VideoGenError(.network, "cannot connect")
        refused.requestNotSent = true
        let transport = FakeTransport([.fail(refused), .respond(queuedVideo)])
        _ = try await client(transport).submit(VideoRequest(model: "m", prompt: "p"))
        let keys = transport.requests.map { $0.header("Idempotency-Key") }
        #expect(keys.count == 2 && keys[0] != nil && keys[0] == keys[1])
    }

    @Test("a submit refused with 429 + Retry-After is retried after the hint")
    func submitRetriedOnHint() async throws {
        let transport = FakeTransport([.respond(.json(429, #"{"error":{"message":"slow down"}}"#, headers: ["retry-after": "0"])), .respond(queuedVideo)])
        _ = try await client(transport).submit(VideoRequest(model: "m", prompt: "p"))
        #expect(transport.requests.count == 2)
    }

    @Test("a submit whose answer was lost is not retried: unknown outcome", arguments: [VideoGenError.Code.network, .timeout])
    func submitUnknownOutcome(_ code: VideoGenError.Code) async throws {
        let transport = FakeTransport([.fail(VideoGenError(code, "connection reset")), .respond(queuedVideo)])
        let error = await expectError(.unknownOutcome) { _ = try await client(transport).submit(VideoRequest(model: "m", prompt: "p")) }
        #expect(transport.requests.count == 1)
        #expect(error?.message.contains("Idempotency-Key") == true)
    }

    @Test("a 5xx on submit without a hint is reported, not retried")
    func submitServerError() async throws {
        let transport = FakeTransport([.respond(.json(500, #"{"error":{"message":"boom"}}"#)), .respond(queuedVideo)])
        await expectError(.server) { _ = try await client(transport).submit(VideoRequest(model: "m", prompt: "p")) }
        #expect(transport.requests.count == 1)
    }

    @Test("polls retry transient failures up to max_attempts")
    func pollRetries() async throws {
        let running = HTTPResponse.json(200, #"{"id":"video_1","status":"in_progress","progress":10}"#)
        let transport = FakeTransport([.respond(.json(503, "")), .fail(VideoGenError(.network, "reset")), .respond(running)])
        let snapshot = try await client(transport).refresh(TaskSnapshot(id: "video_1", dialect: "openai", baseURL: "http://127.0.0.1:9"))
        #expect(snapshot.state == .running && snapshot.progress == 10)
        #expect(transport.requests.count == 3)

        let failing = FakeTransport([.respond(.json(503, "")), .respond(.json(503, "")), .respond(.json(503, "")), .respond(running)])
        await expectError(.server) { _ = try await client(failing).refresh(TaskSnapshot(id: "video_1", dialect: "openai", baseURL: "http://127.0.0.1:9")) }
        #expect(failing.requests.count == 3)
    }

    @Test("non-retryable answers are tried once", arguments: [400, 401, 403, 404, 422])
    func noRetry(_ status: Int) async throws {
        let transport = FakeTransport([.respond(.json(status, #"{"error":{"message":"no"}}"#)), .respond(queuedVideo)])
        let c = try client(transport)
        await #expect(throws: VideoGenError.self) {
            _ = try await c.refresh(TaskSnapshot(id: "v", dialect: "openai", baseURL: "http://127.0.0.1:9"))
        }
        #expect(transport.requests.count == 1)
    }

    @Test("a retry hint above max_retry_after fails at once, carrying the hint")
    func hugeHint() async throws {
        let transport = FakeTransport([.respond(.json(429, "{}", headers: ["retry-after": "600"])), .respond(queuedVideo)])
        let error = await expectError(.rateLimited) { _ = try await client(transport).refresh(TaskSnapshot(id: "v", dialect: "openai", baseURL: "http://127.0.0.1:9")) }
        #expect(error?.retryAfter == 600)
        #expect(transport.requests.count == 1)
    }

    @Test("x-should-retry: false forbids retrying a 503; without it the 503 is retried")
    func shouldRetryFalse() async throws {
        let task = TaskSnapshot(id: "v", dialect: "openai", baseURL: "http://127.0.0.1:9")
        let forbidden = FakeTransport([.respond(.json(503, "{}", headers: ["x-should-retry": "false"])), .respond(queuedVideo)])
        await expectError(.server) { _ = try await client(forbidden).refresh(task) }
        #expect(forbidden.requests.count == 1)
        let allowed = FakeTransport([.respond(.json(503, "{}")), .respond(queuedVideo)])
        _ = try await client(allowed).refresh(task)
        #expect(allowed.requests.count == 2)
    }

    @Test("a key echoed by the service is scrubbed from the error")
    func scrubbed() async throws {
        let transport = FakeTransport([.respond(.json(401, "{\"error\":{\"message\":\"Incorrect API key provided: \(TestConfig.key)\",\"code\":\"invalid_api_key\"}}"))])
        let error = await expectError(.auth) { _ = try await client(transport).submit(VideoRequest(model: "m", prompt: "p")) }
        #expect(error?.message == "Incorrect API key provided: <redacted>")
    }

    @Test("records of another service or dialect are refused before any traffic")
    func ownership() async throws {
        let transport = FakeTransport([])
        let c = try client(transport)
        await expectError(.invalidArgument) { _ = try await c.refresh(TaskSnapshot(id: "v", dialect: "openai", baseURL: "https://evil.example.com")) }
        await expectError(.invalidArgument) { _ = try await c.refresh(TaskSnapshot(id: "v", dialect: "unified", baseURL: "http://127.0.0.1:9")) }
        #expect(transport.requests.isEmpty)
    }

    @Test("downloads send the key only to the configured origin")
    func downloadCredentials() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let body = HTTPResponse(status: 200, headers: ["content-length": "5"], body: Data("hello".utf8))
        let transport = FakeTransport([.respond(body), .respond(body)])
        let c = try client(transport, dialect: .unified)
        var snapshot = TaskSnapshot(id: "t", dialect: "unified", baseURL: "http://127.0.0.1:9", state: .succeeded)
        snapshot.videoURL = "http://127.0.0.1:9/v1/videos/t/content"
        let first = try await c.download(snapshot, to: directory.appendingPathComponent("a.mp4").path)
        snapshot.videoURL = "http://127.0.0.1:10/files/t.mp4?sig=1"
        _ = try await c.download(snapshot, to: directory.appendingPathComponent("b.mp4").path)
        #expect(transport.requests[0].header("Authorization") != nil)
        #expect(transport.requests[1].header("Authorization") == nil)
        #expect(first.download?.sha256 == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(first.download?.bytes == 5)
    }

    @Test("a truncated download fails, is retried, and leaves no partial file")
    func truncated() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let short = HTTPResponse(status: 200, headers: ["content-length": "10"], body: Data("hello".utf8))
        let transport = FakeTransport([.respond(short), .respond(short), .respond(short)])
        var snapshot = TaskSnapshot(id: "t", dialect: "openai", baseURL: "http://127.0.0.1:9", state: .succeeded)
        snapshot.videoURL = "http://127.0.0.1:9/v1/videos/t/content"
        let path = directory.appendingPathComponent("v.mp4").path
        await expectError(.network) { _ = try await client(transport).download(snapshot, to: path) }
        #expect(transport.requests.count == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test("downloads refuse tasks that are not succeeded and plain http to remote hosts")
    func downloadRefusals() async throws {
        let c = try client(FakeTransport([]))
        let running = TaskSnapshot(id: "t", dialect: "openai", baseURL: "http://127.0.0.1:9", state: .running)
        await expectError(.notReady) { _ = try await c.download(running, to: "/tmp/x.mp4") }
        var remote = TaskSnapshot(id: "t", dialect: "openai", baseURL: "http://127.0.0.1:9", state: .succeeded)
        remote.videoURL = "http://cdn.example.com/v.mp4"
        await expectError(.insecure) { _ = try await c.download(remote, to: "/tmp/x.mp4") }
        remote.videoURL = "file:///etc/passwd"
        await expectError(.insecure) { _ = try await c.download(remote, to: "/tmp/x.mp4") }
    }

    @Test("redirect rule: strip on any origin change, refuse downgrades and loops", arguments: [
        ("https://a.com/x", "https://a.com/y", 1, OriginPolicy.RedirectDecision.follow(stripCredentials: false)),
        ("https://a.com/x", "https://b.com/y", 1, .follow(stripCredentials: true)),
        ("https://a.com/x", "https://a.com:8443/y", 1, .follow(stripCredentials: true)),
        ("http://a.com/x", "https://a.com/y", 1, .follow(stripCredentials: true)),
        ("https://a.com/x", "http://a.com/y", 1, .refuse(VideoGenError(.insecure, "refusing a redirect from https to plain http (a.com)"))),
        ("https://a.com/x", "ftp://a.com/y", 1, .refuse(VideoGenError(.insecure, "refusing a redirect to a non-http(s) URL"))),
        ("https://a.com/x", "https://a.com/y", 21, .refuse({ var loop = VideoGenError(.network, "more than 20 redirects"); loop.isFinal = true; return loop }())),
    ])
    func redirects(_ from: String, _ to: String, _ hops: Int, _ expected: OriginPolicy.RedirectDecision) {
        #expect(OriginPolicy.redirect(from: URL(string: from)!, to: URL(string: to)!, hops: hops, maxHops: 20) == expected)
    }
}

@Suite("caller-managed idempotency keys")
struct IdempotencyKeyTests {
    @Test("a request's own idempotency_key is sent and kept; a bad one is refused")
    func ownKey() async throws {
        let transport = FakeTransport([.respond(.json(200, #"{"id":"video_1","object":"video","status":"queued"}"#))])
        let client = VideoGenClient(configuration: try TestConfig.make(.openai), transport: transport, random: { 0 })
        let request = try VideoRequest(json: JSONValue.parse(#"{"model":"m","prompt":"p","idempotency_key":"order-42"}"#))
        #expect(try client.prepare(request).idempotencyKey == "order-42")
        let snapshot = try await client.submit(request)
        #expect(transport.requests.first?.header("Idempotency-Key") == "order-42")
        #expect(snapshot.idempotencyKey == "order-42")
        #expect(request.presentFields.contains("idempotency_key") == false, "not a provider field: no dialect refuses it")
        for bad in ["", "has space", String(repeating: "k", count: 256)] {
            expectError(.invalidArgument) {
                _ = try VideoRequest(json: .object(["model": "m", "prompt": "p", "idempotency_key": .string(bad)]))
            }
        }
    }
}
