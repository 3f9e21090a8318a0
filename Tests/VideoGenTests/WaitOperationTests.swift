import Foundation
import Synchronization
import Testing
@testable import VideoGen

/// The wait driven as data: a manual scheduler holds the waiting task's timers, a scripted transport answers its
/// polls; the test fires each timer by hand and sees the delays the machine chose and the updates it reported.
@Suite("wait operation: a waiting task is one timer")
struct WaitOperationTests {
    static func answer(_ status: String, progress: Int) -> FakeTransport.Outcome {
        .respond(.json(200, #"{"id":"video_1","object":"video","status":"\#(status)","progress":\#(progress)}"#))
    }

    func client(_ transport: FakeTransport, scheduler: ManualScheduler) throws -> VideoGenClient {
        let policy = PollPolicy(interval: 1, maxInterval: 4, multiplier: 2, jitter: 0, minInterval: 0.2)
        let configuration = try TestConfig.make(.openai, retry: RetryPolicy(maxAttempts: 3, baseDelay: 1, maxDelay: 1), poll: policy)
        return VideoGenClient(configuration: configuration, transport: transport, random: { 0 }, scheduler: scheduler)
    }

    @Test("between polls the wait is exactly one pending timer; polls follow the schedule; updates arrive in order")
    func timersOnly() async throws {
        let transport = FakeTransport([Self.answer("queued", progress: 0), Self.answer("in_progress", progress: 40),
                                       Self.answer("in_progress", progress: 30), Self.answer("completed", progress: 100)])
        let scheduler = ManualScheduler()
        let client = try client(transport, scheduler: scheduler)
        let updates = Mutex<[Int?]>([])
        let result = Mutex<Result<TaskSnapshot, VideoGenError>?>(nil)
        let task = TaskSnapshot(id: "video_1", dialect: "openai", baseURL: "http://127.0.0.1:9")
        let handle = client.startWait(task, timeout: 600, pollImmediately: false,
                                      onUpdate: { snapshot in updates.withLock { $0.append(snapshot.progress) } },
                                      completion: { outcome in result.withLock { $0 = outcome } })
        defer { handle.cancel() }
        // The start runs off the caller's stack; the first poll is one interval away.
        var delays: [Double] = []
        for _ in 0..<4 {
            let delay = try await scheduler.nextDelay()
            delays.append(delay)
            #expect(scheduler.pendingCount == 1, "one timer, nothing else, while the task waits")
            try await scheduler.fireNext(expecting: delay)
            try await eventually(within: 10) { transport.requests.count == delays.count }
            if delays.count < 4 { try await eventually(within: 10) { scheduler.pendingCount == 1 } }
        }
        try await eventually(within: 10) { result.withLock { $0 } != nil }
        #expect(delays == [1, 2, 4, 4], "interval, then doubling to the ceiling")
        #expect(updates.withLock { $0 } == [nil, 0, 40, 100], "the start, then each change; progress never goes back (30 is held at 40)")
        #expect(try result.withLock { $0 }?.get().state == .succeeded)
    }

    @Test("cancel ends the wait at once with .cancelled and leaves no timer")
    func cancel() async throws {
        let transport = FakeTransport([])
        let scheduler = ManualScheduler()
        let client = try client(transport, scheduler: scheduler)
        let result = Mutex<Result<TaskSnapshot, VideoGenError>?>(nil)
        let task = TaskSnapshot(id: "video_1", dialect: "openai", baseURL: "http://127.0.0.1:9")
        let handle = client.startWait(task, timeout: 600, pollImmediately: false, onUpdate: { _ in },
                                      completion: { outcome in result.withLock { $0 = outcome } })
        try await eventually(within: 10) { scheduler.pendingCount == 1 }
        handle.cancel()
        #expect(scheduler.pendingCount == 0)
        guard case .failure(let error) = result.withLock({ $0 }) else {
            Issue.record("the wait did not end")
            return
        }
        #expect(error.code == .cancelled)
        #expect(transport.requests.isEmpty)
    }

    @Test("a 503 on a poll is retried after the retry machine's backoff, then the schedule goes on")
    func retriedPoll() async throws {
        let transport = FakeTransport([.respond(.json(503, #"{"error":{"message":"busy"}}"#)), Self.answer("completed", progress: 100)])
        let scheduler = ManualScheduler()
        let client = try client(transport, scheduler: scheduler)
        let result = Mutex<Result<TaskSnapshot, VideoGenError>?>(nil)
        let task = TaskSnapshot(id: "video_1", dialect: "openai", baseURL: "http://127.0.0.1:9")
        let handle = client.startWait(task, timeout: 600, pollImmediately: true, onUpdate: { _ in },
                                      completion: { outcome in result.withLock { $0 = outcome } })
        defer { handle.cancel() }
        try await eventually(within: 10) { transport.requests.count == 1 && scheduler.pendingCount == 1 }
        let backoff = try await scheduler.nextDelay()
        #expect(backoff >= 0.2, "never sooner than min_interval")
        try await scheduler.fireNext(expecting: backoff)
        try await eventually(within: 10) { result.withLock { $0 } != nil }
        #expect(try result.withLock { $0 }?.get().state == .succeeded)
        #expect(client.retryBudget.available == client.retryBudget.capacity, "the success paid the retry back")
    }
}

/// Timers held until the test fires them.
final class ManualScheduler: EngineScheduler {
    final class Timer: Cancellable {
        let delay: Double
        let fire: Mutex<(@Sendable () -> Void)?>
        init(delay: Double, fire: @escaping @Sendable () -> Void) {
            self.delay = delay
            self.fire = Mutex(fire)
        }
        func cancel() { fire.withLock { $0 = nil } }
        var isLive: Bool { fire.withLock { $0 != nil } }
    }

    private let timers = Mutex<[Timer]>([])

    func schedule(after seconds: Double, _ fire: @escaping @Sendable () -> Void) -> any Cancellable {
        let timer = Timer(delay: seconds, fire: fire)
        timers.withLock { $0.append(timer) }
        return timer
    }

    /// Timers not fired and not cancelled.
    var pendingCount: Int { timers.withLock { $0.filter(\.isLive).count } }

    /// The delay of the oldest live timer (waiting for one to appear).
    func nextDelay() async throws -> Double {
        try await eventually(within: 10) { pendingCount > 0 }
        return timers.withLock { $0.first(where: \.isLive)?.delay ?? -1 }
    }

    /// Fires the oldest live timer, checking its delay.
    func fireNext(expecting delay: Double) async throws {
        try await eventually(within: 10) { pendingCount > 0 }
        let timer = timers.withLock { timers -> Timer? in
            guard let index = timers.firstIndex(where: \.isLive) else { return nil }
            return timers.remove(at: index)
        }
        #expect(timer?.delay == delay)
        let fire = timer?.fire.withLock { fire -> (@Sendable () -> Void)? in
            defer { fire = nil }
            return fire
        }
        fire?()
    }
}
