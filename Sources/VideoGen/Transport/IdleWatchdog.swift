import Dispatch
import Synchronization

/// Watches the idle time of every request in flight with one periodic sweep, instead of a sleeping task and a
/// timer per request: with thousands of polls in flight, per-request timers cost more CPU than the polls' own work.
///
/// The sweep runs every `tick` seconds while at least one request is watched and stops when none is, so an idle
/// process has no wake-ups. A request is reported at most `tick` after its idle time passed its timeout.
final class IdleWatchdog: Sendable {
    /// The process-wide watchdog (a quarter-second sweep).
    static let shared = IdleWatchdog(tick: 0.25)

    private struct Watch {
        let context: RequestContext
        let timeout: Double
        let onExpiry: @Sendable () -> Void
    }

    private struct State {
        var watches: [UInt64: Watch] = [:]
        var nextID: UInt64 = 0
        var sweeping = false
    }

    private let tick: Double
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "videogen.idle-watchdog")

    init(tick: Double) {
        self.tick = tick
    }

    /// Starts watching `context`: once it has been idle for `timeout` seconds while still active, `onExpiry` runs
    /// (once, on the watchdog's queue). Returns the token for `unwatch`.
    func watch(_ context: RequestContext, timeout: Double, onExpiry: @escaping @Sendable () -> Void) -> UInt64 {
        let (id, start) = state.withLock { state -> (UInt64, Bool) in
            state.nextID += 1
            state.watches[state.nextID] = Watch(context: context, timeout: timeout, onExpiry: onExpiry)
            defer { state.sweeping = true }
            return (state.nextID, !state.sweeping)
        }
        if start { schedule(after: min(tick, max(0.01, timeout))) }
        return id
    }

    /// Stops watching (the request finished); nothing happens for an unknown or expired token.
    func unwatch(_ id: UInt64) {
        _ = state.withLock { $0.watches.removeValue(forKey: id) }
    }

    /// Requests watched right now (for tests).
    var count: Int { state.withLock { $0.watches.count } }

    private func schedule(after seconds: Double) {
        queue.asyncAfter(deadline: .now() + seconds) { [self] in sweep() }
    }

    /// Fails every watched request that has been idle past its timeout, forgets finished ones (internal for tests).
    func sweep() {
        let (expired, again) = state.withLock { state -> ([Watch], Bool) in
            let due = state.watches.filter { !$0.value.context.isActive || $0.value.context.idleSeconds >= $0.value.timeout }
            var expired: [Watch] = []
            for (id, watch) in due {
                state.watches.removeValue(forKey: id)
                if watch.context.isActive { expired.append(watch) }
            }
            state.sweeping = !state.watches.isEmpty
            return (expired, state.sweeping)
        }
        for watch in expired { watch.onExpiry() }
        if again { schedule(after: tick) }
    }
}
