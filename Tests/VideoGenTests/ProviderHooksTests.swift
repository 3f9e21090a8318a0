import Foundation
import Synchronization
import Testing
@testable import VideoGen

/// The engine's hooks for direct providers: authenticators (header schemes, token endpoints), secrets the client
/// learns, addresses kept with a task (`links`), results fetched by a second request, usage and several outputs.
@Suite("provider hooks")
struct ProviderHooksTests {
    /// A dialect whose tasks carry their own addresses and whose results must be asked for (shaped like fal's queue).
    struct LinkedAdapter: ProviderAdapter {
        var dialect: Dialect { .unified }
        var defaultPollPolicy: PollPolicy { PollPolicy(interval: 0, maxInterval: 0, multiplier: 1, jitter: 0, minInterval: 0) }
        var statusVocabulary: StatusVocabulary { UnifiedTaskAdapter().statusVocabulary }
        func authenticator(key: APIKey) -> any Authenticator { KeyHeaderAuthenticator(key: key, prefix: "Key ") }
        func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
            jsonPost(baseURL, "/app", ["prompt": .string(request.prompt ?? "")])
        }
        func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
            try submitReport(response) { body, _ in
                var report = StatusReport(state: .queued)
                report.id = body["request_id"]?.stringValue
                report.links = ["status": body["status_url"]?.stringValue ?? "", "response": body["response_url"]?.stringValue ?? ""]
                return report
            }
        }
        func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? { nil }
        func statusRequest(for task: TaskSnapshot, baseURL: URL) -> HTTPRequest? {
            task.links["status"].flatMap(URL.init(string:)).map { HTTPRequest(method: "GET", url: $0) }
        }
        func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
            try statusReport(response, taskID: taskID) { body, _ in
                guard body["status"]?.stringValue == "COMPLETED" else { return StatusReport(state: .running) }
                var report = StatusReport(state: .succeeded)
                report.resultRequest = HTTPRequest(method: "GET", url: URL(string: body["response_url"]?.stringValue ?? "")!)
                return report
            }
        }
        func parseResult(_ response: HTTPResponse, report: StatusReport, baseURL: URL) throws -> StatusReport {
            let body = try response.json()
            var finished = report
            let urls = (body["videos"]?.arrayValue ?? []).compactMap { $0["url"]?.stringValue }
            finished.videoURL = urls.first
            finished.outputs = urls.count > 1 ? urls : nil
            finished.usage = body["usage"]
            return finished
        }
        func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? { nil }
    }

    /// An authenticator that needs a token from an endpoint first, and keeps it until `expiresAt`.
    final class TokenAuthenticator: Authenticator, Sendable {
        let key: APIKey
        let token = Mutex<(value: String, expiresAt: Double)?>(nil)
        init(key: APIKey) { self.key = key }
        func headers(now: Double) throws -> [(name: String, value: String)]? {
            guard let current = token.withLock({ $0 }), current.expiresAt > now + 60 else { return nil }
            return [("Authorization", "Bearer " + current.value)]
        }
        func tokenRequest(now: Double) throws -> HTTPRequest? {
            HTTPRequest(method: "POST", url: URL(string: "http://127.0.0.2:9/token")!, body: Data("grant".utf8))
        }
        func acceptToken(_ response: HTTPResponse, now: Double) throws {
            guard response.isSuccess, let value = try response.json()["access_token"]?.stringValue else {
                throw VideoGenError(.auth, "the token endpoint refused (HTTP \(response.status))")
            }
            key.remember(value)
            token.withLock { $0 = (value, now + 3600) }
        }
    }

    /// A client over `transport`; `authenticator` is made from the client's own key (whose `remember` scrubs).
    func client(_ transport: FakeTransport, adapter: (any ProviderAdapter)? = nil,
                authenticator: ((APIKey) -> any Authenticator)? = nil) throws -> VideoGenClient {
        var configuration = try TestConfig.make(.unified, retry: TestConfig.fastRetry)
        configuration.authenticator = authenticator?(configuration.apiKey)
        return VideoGenClient(configuration: configuration, transport: transport, random: { 0 }, scheduler: nil, adapter: adapter)
    }

    @Test("a remembered secret is scrubbed like the key; short ones are not searched; the oldest goes past the cap")
    func rememberedSecrets() {
        let key = APIKey("sk-primary-123456")
        key.remember("signing-secret-abcdef")
        key.remember("short")
        #expect(key.redact("a signing-secret-abcdef b sk-primary-123456") == "a <redacted> b <redacted>")
        #expect(key.redact("short") == "short")
        #expect(key.occurs(in: "xx signing-secret-abcdef"))
        for index in 0..<APIKey.maxOthers { key.remember("minted-token-\(index)-xxxxxxxx") }
        #expect(!key.occurs(in: "signing-secret-abcdef"))
        #expect(key.occurs(in: "minted-token-0-xxxxxxxx"))
    }

    @Test("the adapter's header scheme carries the key; other origins get nothing")
    func headerScheme() async throws {
        let transport = FakeTransport([
            .respond(.json(200, #"{"request_id":"r1","status_url":"http://127.0.0.1:9/app/requests/r1/status","response_url":"http://127.0.0.1:9/app/requests/r1"}"#)),
        ])
        let snapshot = try await client(transport, adapter: LinkedAdapter()).submit(VideoRequest(model: "m", prompt: "p"))
        #expect(transport.requests[0].header("Authorization") == "Key \(TestConfig.key)")
        #expect(snapshot.links == ["status": "http://127.0.0.1:9/app/requests/r1/status", "response": "http://127.0.0.1:9/app/requests/r1"])
        let record = try TaskSnapshot(json: snapshot.json)
        #expect(record.links == snapshot.links)
    }

    @Test("links, a result request, several outputs and usage: polled at the task's own address, kept in the record")
    func linkedResult() async throws {
        let transport = FakeTransport([
            .respond(.json(200, #"{"status":"COMPLETED","response_url":"http://127.0.0.1:9/app/requests/r1"}"#)),
            .respond(.json(200, #"{"videos":[{"url":"https://cdn.example/a.mp4"},{"url":"https://cdn.example/b.mp4"}],"usage":{"seconds":8}}"#)),
        ])
        var task = TaskSnapshot(id: "r1", dialect: "unified", baseURL: "http://127.0.0.1:9")
        task.links = ["status": "http://127.0.0.1:9/app/requests/r1/status"]
        let done = try await client(transport, adapter: LinkedAdapter()).refresh(task)
        #expect(transport.requests.map(\.url.absoluteString) == ["http://127.0.0.1:9/app/requests/r1/status", "http://127.0.0.1:9/app/requests/r1"])
        #expect(done.state == .succeeded && done.videoURL == "https://cdn.example/a.mp4")
        #expect(done.outputs == ["https://cdn.example/a.mp4", "https://cdn.example/b.mp4"])
        #expect(done.usage == .object(["seconds": .int(8)]))
        #expect(try TaskSnapshot(json: done.json) == done)
    }

    @Test("a token is fetched first, without the service's credentials, then used and scrubbed from echoes")
    func tokenEndpoint() async throws {
        let transport = FakeTransport([
            .respond(.json(200, #"{"access_token":"ya29.minted-token-777","expires_in":3600}"#)),
            .respond(.json(400, #"{"error":{"message":"bad request from ya29.minted-token-777"}}"#)),
        ])
        let error = await expectError(.badRequest) {
            _ = try await client(transport, authenticator: TokenAuthenticator.init).submit(VideoRequest(model: "m", prompt: "p"))
        }
        #expect(transport.requests.count == 2)
        #expect(transport.requests[0].url.absoluteString == "http://127.0.0.2:9/token")
        #expect(transport.requests[0].header("Authorization") == nil)
        #expect(transport.requests[1].header("Authorization") == "Bearer ya29.minted-token-777")
        #expect(error?.message.contains("minted-token") == false)
    }

    @Test("a token endpoint that refuses fails the request as an authentication error, with nothing sent to the service")
    func tokenRefused() async throws {
        let transport = FakeTransport([.respond(.json(401, #"{"error":"invalid_grant"}"#))])
        await expectError(.auth) {
            _ = try await client(transport, authenticator: TokenAuthenticator.init).submit(VideoRequest(model: "m", prompt: "p"))
        }
        #expect(transport.requests.count == 1)
    }

    @Test("requests that need a token while one is being fetched share that one exchange")
    func tokenExchangeShared() async throws {
        let transport = TokenGateTransport()
        var configuration = try TestConfig.make(.unified, retry: TestConfig.fastRetry)
        configuration.authenticator = TokenAuthenticator(key: configuration.apiKey)
        let client = VideoGenClient(configuration: configuration, transport: transport, random: { 0 }, scheduler: nil)
        let request = HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:9/v1/video/generations/t1")!)
        let answers = AsyncStream<Result<HTTPResponse, VideoGenError>>.makeStream()
        // The first request starts the exchange, which the transport holds; the second asks while it is held.
        let first = client.executor.attempt(request) { answers.continuation.yield($0) }
        await transport.tokenAsked.first { _ in true }
        let second = client.executor.attempt(request) { answers.continuation.yield($0) }
        transport.releaseToken()
        var results: [Result<HTTPResponse, VideoGenError>] = []
        for await result in answers.stream {
            results.append(result)
            if results.count == 2 { break }
        }
        _ = (first, second)
        #expect(results.allSatisfy { (try? $0.get())?.status == 200 })
        let sent = transport.requests
        #expect(sent.filter { $0.url.path == "/token" }.count == 1)
        let service = sent.filter { $0.url.path != "/token" }
        #expect(service.count == 2 && service.allSatisfy { $0.header("Authorization") == "Bearer ya29.shared-token-1" })
    }

    @Test("a request cancelled while it waits for the shared exchange ends cancelled; the others still get the token")
    func tokenWaitCancelled() async throws {
        let transport = TokenGateTransport()
        var configuration = try TestConfig.make(.unified, retry: TestConfig.fastRetry)
        configuration.authenticator = TokenAuthenticator(key: configuration.apiKey)
        let client = VideoGenClient(configuration: configuration, transport: transport, random: { 0 }, scheduler: nil)
        let request = HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:9/v1/video/generations/t1")!)
        let answers = AsyncStream<(Int, Result<HTTPResponse, VideoGenError>)>.makeStream()
        let first = client.executor.attempt(request) { answers.continuation.yield((1, $0)) }
        await transport.tokenAsked.first { _ in true }
        let second = client.executor.attempt(request) { answers.continuation.yield((2, $0)) }
        second.cancel()
        transport.releaseToken()
        var results: [Int: Result<HTTPResponse, VideoGenError>] = [:]
        for await (index, result) in answers.stream {
            results[index] = result
            if results.count == 2 { break }
        }
        _ = first
        #expect((try? results[1]?.get())?.status == 200)
        if case .failure(let error)? = results[2] { #expect(error.code == .cancelled) } else { Issue.record("not cancelled") }
        #expect(transport.requests.filter { $0.url.path == "/token" }.count == 1)
    }
}

/// A transport whose token endpoint (`/token`) answers only when the test releases it; every other request gets a
/// 200 at once. What was sent is recorded.
final class TokenGateTransport: HTTPTransport {
    private let sent = Mutex<[HTTPRequest]>([])
    let tokenAsked: AsyncStream<Void>
    private let askedContinuation: AsyncStream<Void>.Continuation
    private let gate: AsyncStream<Void>
    private let gateContinuation: AsyncStream<Void>.Continuation

    init() {
        (tokenAsked, askedContinuation) = AsyncStream<Void>.makeStream()
        (gate, gateContinuation) = AsyncStream<Void>.makeStream()
    }

    var requests: [HTTPRequest] { sent.withLock { $0 } }

    func releaseToken() {
        gateContinuation.yield()
        gateContinuation.finish()
    }

    func stream(_ request: HTTPRequest, timeout: Double, progressBytes: Int64, sink: any ResponseSink) async throws -> HTTPResponseHead {
        sent.withLock { $0.append(request) }
        let body: Data
        if request.url.path == "/token" {
            askedContinuation.yield()
            for await _ in gate { break }
            body = Data(#"{"access_token":"ya29.shared-token-1","expires_in":3600}"#.utf8)
        } else {
            body = Data(#"{"id":"t1","status":"queued"}"#.utf8)
        }
        let head = HTTPResponseHead(status: 200, headers: ["content-type": "application/json"], url: request.url)
        try sink.receive(head: head)
        try sink.receive(data: body)
        return head
    }
}

