import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// The delegate queue of the library's sessions: each delegate call runs at once on the thread that queues it
/// (URLSession's network thread) instead of becoming an Operation for another thread. Calls are still one at a
/// time and in order: one queued while another runs (from another thread, or from within a delegate call) waits
/// in a list that the running thread works through before it returns.
final class CallerRunsOperationQueue: OperationQueue, @unchecked Sendable {
    // Unchecked: the only stored state is the Mutex.
    private struct State {
        var running = false
        var queued: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    override func addOperation(_ block: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.running {
                state.queued.append(block)
                return false
            }
            state.running = true
            return true
        }
        guard runNow else { return }
        block()
        drain()
    }

    /// Runs `body` on the calling thread as if it were a delegate call: after any call running now, and with every
    /// call queued meanwhile (from any thread, without blocking that thread) run after it. Must not be called from
    /// a delegate call.
    ///
    /// `URLSessionTask.cancel()` goes through here: corelibs checks the task's state in `cancel()` and sets it to
    /// `.completed` in the delegate call that reports completion, without a lock shared by the two; a cancel that
    /// slips in between queues a failure report behind the task's removal from the session, and the process stops
    /// ("Trying to access a behaviour for a task that in not in the registry"). Run exclusively of delegate calls,
    /// the cancel sees either a task still running (its report is queued before the removal) or a completed one
    /// (and does nothing).
    func runExclusively(_ body: () -> Void) {
        var pause: UInt32 = 50
        while !state.withLock({ state -> Bool in
            if state.running { return false }
            state.running = true
            return true
        }) {
            usleep(pause)
            pause = min(pause * 2, 2_000)
        }
        body()
        drain()
    }

    /// Runs the calls queued while this thread held the queue, then releases it.
    private func drain() {
        while let next = state.withLock({ state -> (@Sendable () -> Void)? in
            if state.queued.isEmpty {
                state.running = false
                return nil
            }
            return state.queued.removeFirst()
        }) {
            next()
        }
    }
}
