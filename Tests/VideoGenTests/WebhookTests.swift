import Foundation
import Synchronization
import Testing
@testable import VideoGen

/// Webhook verification with a manual clock, and verified callbacks applied to waits driven by a manual scheduler:
/// the event claims the wait's sleep and ends it (no poll), a hint polls at once, a stale or repeated event changes
/// nothing.
@Suite("webhooks: verify, then apply to the waits")
struct WebhookTests {
    /// Made by the standardwebhooks package (1.1.0): Webhook(secret).sign("msg_c1", 1767000000, body).
    static let secret = "whsec_dmlkZW9nZW4tYy10ZXN0LXNlY3JldC0zMi1ieXRlcyE="
    static let body = #"{"object":"event","type":"video.completed","data":{"id":"video_123"}}"#
    static let signature = "v1,xB3BpGk0nMR1HYw6g2jZQT85RxoG9hHHd4tckH9wlP8="
    static let stamp = 1_767_000_000.0

    static func verifier(now: Double = stamp, cap: Int = WebhookVerifier.defaultMaxBodyBytes) -> WebhookVerifier {
        WebhookVerifier(scheme: .standardWebhooks, secret: secret, maxBodyBytes: cap, clock: { now })
    }

    static func delivery(id: String = "msg_c1", stamp: String = "1767000000", signature: String = signature,
                         body: String = body) -> WebhookDelivery {
        WebhookDelivery(headers: [("webhook-id", id), ("webhook-timestamp", stamp), ("webhook-signature", signature)],
                        body: Data(body.utf8))
    }

    /// A Standard Webhooks delivery of `body` signed here (the known answer above anchors this signer).
    static func signed(_ body: String, id: String, at time: Double = stamp) -> WebhookDelivery {
        let key = [UInt8](Data(base64Encoded: String(secret.dropFirst(6)))!)
        let mac = WebhookCrypto.hmacSHA256(key: key, data: Array("\(id).\(Int(time)).\(body)".utf8))!
        return delivery(id: id, stamp: String(Int(time)), signature: "v1," + WebhookEncoding.base64String(mac), body: body)
    }

    func refusal(_ verifier: WebhookVerifier, _ delivery: WebhookDelivery) -> WebhookRefusal.Reason? {
        do {
            _ = try verifier.verify(delivery)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("the reference implementation's signature verifies; the signer here agrees with it")
    func knownAnswer() throws {
        let verified = try Self.verifier().verify(Self.delivery())
        #expect(verified.deliveryID == "msg_c1" && verified.signed && verified.timestamp == Self.stamp)
        #expect(Self.signed(Self.body, id: "msg_c1").header("webhook-signature") == Self.signature)
    }

    @Test("every refusal names its check")
    func refusals() {
        let verifier = Self.verifier()
        #expect(refusal(Self.verifier(now: Self.stamp + 300), Self.delivery()) == nil)
        #expect(refusal(Self.verifier(now: Self.stamp - 300), Self.delivery()) == nil)
        #expect(refusal(Self.verifier(now: Self.stamp + 301), Self.delivery()) == .timestampOutsideTolerance)
        #expect(refusal(Self.verifier(now: Self.stamp - 301), Self.delivery()) == .timestampOutsideTolerance)
        #expect(refusal(verifier, Self.delivery(body: String(Self.body.dropLast()))) == .badSignature)
        #expect(refusal(verifier, Self.delivery(signature: "v1,AAAA " + Self.signature.replacingOccurrences(of: "xB3", with: "xB4"))) == .badSignature)
        #expect(refusal(verifier, Self.delivery(signature: "v1,AAAA " + Self.signature)) == nil, "several signatures, one matching")
        #expect(refusal(verifier, Self.delivery(stamp: "1767000000.5")) == .malformedHeader)
        #expect(refusal(verifier, Self.delivery(signature: "v1")) == .malformedHeader)
        #expect(refusal(verifier, Self.delivery(signature: "v2,abc")) == .malformedHeader)
        #expect(refusal(verifier, WebhookDelivery(headers: [], body: Data(Self.body.utf8))) == .malformedHeader)
        #expect(refusal(Self.verifier(cap: 16), Self.delivery()) == .bodyTooLarge)
        #expect(refusal(WebhookVerifier(scheme: .unsigned), Self.delivery()) == .unsigned)
        #expect(refusal(WebhookVerifier(scheme: .unsigned, acceptUnsigned: true), Self.delivery()) == nil)
        #expect(refusal(WebhookVerifier(scheme: .standardWebhooks), Self.delivery()) == .noKey)
        #expect(refusal(WebhookVerifier(scheme: .fal), Self.delivery()) == .noKey)
    }

    @Test("Vidu signs the request line and the listed headers; OpenRouter signs t,body")
    func viduAndOpenRouter() throws {
        // Vidu's documented example request: POST http://127.0.0.1:8080/vidu/callback?name=james&age=36.
        let date = "Tue, 06 May 2025 12:09:42 GMT"
        let nonce = "123e4567-e89b-12d3-a456-426614174000"
        let signing = "POST\n/vidu/callback\nname=james&age=36\nvidu\n\(date)\nDate:\(date)\nx-request-nonce:\(nonce)\n"
        let mac = WebhookCrypto.hmacSHA256(key: Array("token".utf8), data: Array(signing.utf8))!
        let vidu = WebhookDelivery(target: "/vidu/callback?name=james&age=36",
                                   headers: [("Date", date), ("x-request-nonce", nonce), ("X-HMAC-SIGNED-HEADERS", "Date;x-request-nonce"),
                                             ("X-HMAC-SIGNATURE", WebhookEncoding.base64String(mac)), ("X-HMAC-ALGORITHM", "hmac-sha256")],
                                   body: Data("{}".utf8))
        let sent = RetryHint.parseHTTPDate(date)!.timeIntervalSince1970
        let verifier = WebhookVerifier(scheme: .vidu, secret: "token", clock: { sent + 10 })
        #expect(try verifier.verify(vidu).deliveryID == nonce)
        var moved = vidu
        moved.target = "/vidu/callback?name=james&age=37"
        #expect(refusal(verifier, moved) == .badSignature)

        let body = #"{"type":"video.generation.completed","data":{"id":"j1","status":"completed"}}"#
        let orMac = WebhookCrypto.hmacSHA256(key: Array("s3cret".utf8), data: Array("1767000000,\(body)".utf8))!
        let openrouter = WebhookDelivery(headers: [("X-OpenRouter-Signature", "t=1767000000,v1=\(WebhookEncoding.hexString(orMac))")],
                                         body: Data(body.utf8))
        let orVerifier = WebhookVerifier(scheme: .openrouter, secret: "s3cret", clock: { Self.stamp })
        #expect(try orVerifier.verify(openrouter).signed)
        #expect(refusal(WebhookVerifier(scheme: .openrouter, secret: "other", clock: { Self.stamp }), openrouter) == .badSignature)
    }

    @Test("JWKS: Ed25519 keys read, other key types skipped, a bad x refused")
    func jwks() throws {
        let x = Data(repeating: 7, count: 32).base64EncodedString().replacingOccurrences(of: "=", with: "")
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let keys = try WebhookPublicKey.keys(fromJWKS: .object(["keys": .array([
            .object(["kty": "RSA", "n": "x", "e": "AQAB"]),
            .object(["kty": "OKP", "crv": "Ed25519", "x": .string(x), "kid": "k1"]),
        ])]))
        #expect(keys.count == 1 && keys[0].keyID == "k1" && keys[0].bytes == [UInt8](repeating: 7, count: 32))
        #expect(throws: VideoGenError.self) {
            try WebhookPublicKey.keys(fromJWKS: .object(["keys": .array([.object(["kty": "OKP", "crv": "Ed25519", "x": "abc"])])]))
        }
    }

    // MARK: - Applying events to waits

    func client(_ transport: FakeTransport, scheduler: ManualScheduler) throws -> VideoGenClient {
        let policy = PollPolicy(interval: 60, maxInterval: 60, jitter: 0, adaptive: false)
        let configuration = try TestConfig.make(.openai, poll: policy)
        return VideoGenClient(configuration: configuration, transport: transport, random: { 0 }, scheduler: scheduler)
    }

    final class Waiting: @unchecked Sendable {
        let updates = Mutex<[String]>([])
        let result = Mutex<Result<TaskSnapshot, VideoGenError>?>(nil)
        var handle: OperationHandle?
    }

    func startWait(_ client: VideoGenClient, _ scheduler: ManualScheduler) async throws -> Waiting {
        let waiting = Waiting()
        let task = TaskSnapshot(id: "video_1", dialect: "openai", baseURL: "http://127.0.0.1:9")
        waiting.handle = client.startWait(task, timeout: 600, pollImmediately: false,
                                          onUpdate: { snapshot in waiting.updates.withLock { $0.append(snapshot.state.rawValue) } },
                                          completion: { outcome in waiting.result.withLock { $0 = outcome } })
        #expect(try await scheduler.nextDelay() == 60)
        try await eventually(within: 10) { client.webhooks.waits(for: "video_1").count == 1 }
        return waiting
    }

    static func videoObject(_ status: String, progress: Int) -> String {
        #"{"id":"video_1","object":"video","status":"\#(status)","progress":\#(progress)}"#
    }

    @Test("a signed status ends the wait at once: no poll, no timer left, the registry empty")
    func fullPayloadEndsTheWait() async throws {
        let transport = FakeTransport([])
        let scheduler = ManualScheduler()
        let client = try client(transport, scheduler: scheduler)
        let waiting = try await startWait(client, scheduler)
        let outcome = try client.applyWebhook(Self.signed(Self.videoObject("completed", progress: 100), id: "m1", at: Date().timeIntervalSince1970),
                                              verifier: Self.verifier(now: Date().timeIntervalSince1970))
        #expect(outcome.kind == .applied && outcome.state == .succeeded && outcome.waits == 1)
        // The event claimed the 60-s sleep (cancelled) and runs as the wait's next step.
        try await scheduler.fireNext(expecting: 0)
        try await eventually(within: 10) { waiting.result.withLock { $0 } != nil }
        #expect(try waiting.result.withLock { $0 }?.get().state == .succeeded)
        #expect(transport.requests.isEmpty, "no poll")
        #expect(scheduler.pendingCount == 0)
        #expect(client.webhooks.waits(for: "video_1").isEmpty)
        #expect(waiting.updates.withLock { $0 } == ["queued", "succeeded"])
    }

    @Test("an envelope-only event is a hint: the wait polls at once, once")
    func hintPollsOnce() async throws {
        let transport = FakeTransport([.respond(.json(200, Self.videoObject("completed", progress: 100)))])
        let scheduler = ManualScheduler()
        let client = try client(transport, scheduler: scheduler)
        let waiting = try await startWait(client, scheduler)
        let now = Date().timeIntervalSince1970
        let outcome = try client.applyWebhook(Self.signed(#"{"object":"event","type":"video.completed","data":{"id":"video_1"}}"#, id: "m2", at: now),
                                              verifier: Self.verifier(now: now))
        #expect(outcome.kind == .hint && outcome.state == nil && outcome.eventType == "video.completed")
        try await scheduler.fireNext(expecting: 0)
        try await eventually(within: 10) { waiting.result.withLock { $0 } != nil }
        #expect(try waiting.result.withLock { $0 }?.get().state == .succeeded)
        #expect(transport.requests.count == 1)
    }

    @Test("an event older than the task's state, or the same delivery again, changes nothing")
    func staleAndDuplicate() async throws {
        let transport = FakeTransport([])
        let scheduler = ManualScheduler()
        let client = try client(transport, scheduler: scheduler)
        let waiting = try await startWait(client, scheduler)
        let now = Date().timeIntervalSince1970
        let running = Self.signed(Self.videoObject("in_progress", progress: 40), id: "m3", at: now)
        #expect(try client.applyWebhook(running, verifier: Self.verifier(now: now)).kind == .applied)
        try await scheduler.fireNext(expecting: 0)
        // Applied like a poll's answer: the wait sleeps again on its schedule.
        #expect(try await scheduler.nextDelay() == 60)
        #expect(waiting.updates.withLock { $0 } == ["queued", "running"])
        // The same delivery again: nothing reaches the wait.
        #expect(try client.applyWebhook(running, verifier: Self.verifier(now: now)).kind == .duplicate)
        #expect(scheduler.pendingCount == 1)
        // An older state (queued) in a new delivery: the wait takes it, keeps its state, and sleeps out the rest
        // of the interval it was in.
        let queued = Self.signed(Self.videoObject("queued", progress: 0), id: "m4", at: now)
        #expect(try client.applyWebhook(queued, verifier: Self.verifier(now: now)).kind == .applied)
        try await scheduler.fireNext(expecting: 0)
        let rest = try await scheduler.nextDelay()
        #expect(rest > 0 && rest <= 60)
        #expect(waiting.updates.withLock { $0 } == ["queued", "running"], "no step back")
        #expect(transport.requests.isEmpty)
        waiting.handle?.cancel()
        #expect(client.webhooks.waits(for: "video_1").isEmpty)
    }

    /// Answers each request with `answer` once the test opens the gate: a poll stays in flight as long as needed.
    final class HeldTransport: HTTPTransport, @unchecked Sendable {
        let answer: HTTPResponse
        let requests = Mutex(0)
        private let gate: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation
        init(_ answer: HTTPResponse) {
            self.answer = answer
            (gate, continuation) = AsyncStream<Void>.makeStream()
        }
        func open() {
            continuation.yield()
            continuation.finish()
        }
        func stream(_ request: HTTPRequest, timeout: Double, progressBytes: Int64, sink: any ResponseSink) async throws -> HTTPResponseHead {
            requests.withLock { $0 += 1 }
            for await _ in gate { break }
            let head = HTTPResponseHead(status: answer.status, headers: answer.headers, url: request.url)
            try sink.receive(head: head)
            try sink.receive(data: answer.body)
            return head
        }
    }

    @Test("an event that arrives while a poll is in flight is applied right after that poll's answer")
    func eventDuringPoll() async throws {
        let transport = HeldTransport(.json(200, Self.videoObject("in_progress", progress: 10)))
        let scheduler = ManualScheduler()
        let policy = PollPolicy(interval: 60, maxInterval: 60, jitter: 0, adaptive: false)
        let client = VideoGenClient(configuration: try TestConfig.make(.openai, poll: policy), transport: transport,
                                    random: { 0 }, scheduler: scheduler)
        let waiting = Waiting()
        let task = TaskSnapshot(id: "video_1", dialect: "openai", baseURL: "http://127.0.0.1:9")
        waiting.handle = client.startWait(task, timeout: 600, pollImmediately: true,
                                          onUpdate: { snapshot in waiting.updates.withLock { $0.append(snapshot.state.rawValue) } },
                                          completion: { outcome in waiting.result.withLock { $0 = outcome } })
        try await eventually(within: 10) { transport.requests.withLock { $0 } == 1 }
        let now = Date().timeIntervalSince1970
        let outcome = try client.applyWebhook(Self.signed(Self.videoObject("completed", progress: 100), id: "m5", at: now),
                                              verifier: Self.verifier(now: now))
        #expect(outcome.kind == .applied && outcome.waits == 1)
        #expect(scheduler.pendingCount == 0, "the wait was polling: nothing to claim, the event waits for the answer")
        transport.open()
        try await eventually(within: 10) { waiting.result.withLock { $0 } != nil }
        #expect(try waiting.result.withLock { $0 }?.get().state == .succeeded)
        #expect(waiting.updates.withLock { $0 } == ["queued", "running", "succeeded"])
        #expect(transport.requests.withLock { $0 } == 1, "no second poll")
        #expect(scheduler.pendingCount == 0, "no 60-s sleep left behind")
    }

    @Test("unsigned callbacks are hints whatever they say; events for tasks nobody waits on are reported unwatched")
    func unsignedAndUnwatched() throws {
        let client = try client(FakeTransport([]), scheduler: ManualScheduler())
        let body = Self.videoObject("completed", progress: 100)
        let unsigned = WebhookDelivery(headers: [], body: Data(body.utf8))
        let outcome = try client.applyWebhook(unsigned, verifier: WebhookVerifier(scheme: .unsigned, acceptUnsigned: true))
        #expect(outcome.kind == .unwatched && outcome.state == nil && !outcome.verified.signed)
        #expect(throws: WebhookRefusal.self) { try client.applyWebhook(unsigned, verifier: WebhookVerifier(scheme: .unsigned)) }
        let unreadable = WebhookDelivery(headers: [], body: Data("[1,2]".utf8))
        do {
            _ = try client.applyWebhook(unreadable, verifier: WebhookVerifier(scheme: .unsigned, acceptUnsigned: true))
            Issue.record("an unreadable payload was accepted")
        } catch {
            #expect(error.reason == .unreadablePayload)
        }
    }
}
