import Foundation
import Synchronization
import Testing
@testable import VideoGen

/// The shared sweep that enforces every request's idle timeout.
@Suite("idle watchdog")
struct IdleWatchdogTests {
    /// Counts expiries and remembers when the first one happened.
    final class Expiries: Sendable {
        private let state = Mutex<(count: Int, first: ContinuousClock.Instant?)>((0, nil))
        func fire() { state.withLock { $0.count += 1; if $0.first == nil { $0.first = .now } } }
        var count: Int { state.withLock { $0.count } }
        var first: ContinuousClock.Instant? { state.withLock { $0.first } }
    }

    func context() -> RequestContext { RequestContext(sink: BufferSink(limit: 1024)) }

    func waitUntil(_ seconds: Double, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
    }

    @Test("an idle request expires once, not before its timeout")
    func expiresAfterTimeout() async throws {
        let watchdog = IdleWatchdog(tick: 0.05)
        let expiries = Expiries()
        let started = ContinuousClock.now          // before the context exists: its idle time starts later
        _ = watchdog.watch(context(), timeout: 0.3) { expiries.fire() }
        try await waitUntil(10) { expiries.count > 0 }
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(expiries.count == 1)
        let first = try #require(expiries.first)
        #expect(first - started >= .milliseconds(300))
        #expect(watchdog.count == 0)
    }

    @Test("a sweep fails only requests idle past their timeout; unwatched and finished ones are dropped")
    func sweepRules() async throws {
        let watchdog = IdleWatchdog(tick: 3600)   // no periodic sweep within the test: sweeps are called here
        let busy = context(), idle = context(), unwatched = context(), finished = context()
        let fromBusy = Expiries(), fromIdle = Expiries(), fromUnwatched = Expiries(), fromFinished = Expiries()
        _ = watchdog.watch(busy, timeout: 3600) { fromBusy.fire() }
        _ = watchdog.watch(idle, timeout: 0) { fromIdle.fire() }
        let token = watchdog.watch(unwatched, timeout: 0) { fromUnwatched.fire() }
        watchdog.unwatch(token)
        _ = watchdog.watch(finished, timeout: 0) { fromFinished.fire() }
        finished.finish(error: VideoGenError(.cancelled, "done"))
        watchdog.sweep()
        watchdog.sweep()
        #expect(fromIdle.count == 1)
        #expect(fromBusy.count == 0 && fromUnwatched.count == 0 && fromFinished.count == 0)
        #expect(watchdog.count == 1)              // only the busy request is still watched
        busy.finish(error: nil)
        watchdog.sweep()
        #expect(watchdog.count == 0 && fromBusy.count == 0)
    }
}
