#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import VideoGen

/// The object behind a `vg_task` handle: the task as this process last saw it, the byte count of its last download,
/// the one operation running on it, and the cancellation gate that keeps callbacks from running once
/// `vg_task_cancel` returned.
///
/// Kept lean (one object, one inline lock, no pthread objects of its own): a process may hold a hundred thousand of
/// them. The rare wait in `cancel()` for a callback running on another thread uses the process-wide
/// `CallbackGate`.
final class TaskBox: Sendable {
    private struct State {
        var view: TaskSnapshot
        var received: Int64 = 0
        var total: Int64?
        var cancelled = false
        var operation: Operation?
        var callbackThread: pthread_t?
        var strings = CStringCache()
    }

    /// The client the task belongs to, and the queue its asynchronous operations report to.
    let owner: ClientBox
    private let state: Mutex<State>

    init(owner: ClientBox, snapshot: TaskSnapshot) {
        self.owner = owner
        state = Mutex(State(view: snapshot))
    }

    deinit {
        state.withLock { $0.strings.clear() }
    }

    /// The Swift client.
    var client: VideoGenClient { owner.client }

    /// The task as last seen.
    var snapshot: TaskSnapshot { state.withLock { $0.view } }

    /// Replaces the task as seen (on the thread that delivers the operation's events).
    func update(_ snapshot: TaskSnapshot) {
        state.withLock { $0.view = snapshot }
    }

    /// Download progress as last seen.
    var bytes: (received: Int64, total: Int64?) { state.withLock { ($0.received, $0.total) } }

    /// Records download progress (on the delivering thread).
    func setTransfer(received: Int64, total: Int64?) {
        state.withLock {
            $0.received = received
            $0.total = total
        }
    }

    /// A cached C string for a getter.
    func string(_ key: String, _ pick: (TaskSnapshot) -> String?) -> UnsafePointer<CChar>? {
        state.withLock { state in state.strings.pointer(key, pick(state.view)) }
    }

    /// True once vg_task_cancel was called.
    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Makes `operation` the task's one operation.
    /// - Throws: `.cancelled` after vg_task_cancel, `.busy` while another operation has not delivered its DONE.
    func begin(_ operation: Operation) throws {
        try state.withLock { state in
            guard !state.cancelled else { throw VideoGenError(.cancelled, "the task was cancelled") }
            guard state.operation == nil else {
                throw VideoGenError(.busy, "the task already has an operation in progress")
            }
            state.operation = operation
        }
    }

    /// Ends `operation` (its DONE was delivered or dropped); another may start.
    func end(_ operation: Operation) {
        state.withLock { state in
            if state.operation === operation { state.operation = nil }
        }
    }

    /// Cancels the task: stops its operation and waits until no callback for it runs on another thread.
    func cancel() {
        let running = state.withLock { state -> Operation? in
            state.cancelled = true
            return state.operation
        }
        running?.cancel()
        CallbackGate.shared.wait { self.callbackRunsElsewhere }
    }

    private var callbackRunsElsewhere: Bool {
        state.withLock { state in
            guard let thread = state.callbackThread else { return false }
            return pthread_equal(thread, pthread_self()) == 0
        }
    }

    /// Runs a user callback unless the task was cancelled (or always, with `evenIfCancelled`, for the one DONE
    /// event of an asynchronous operation); cancel() waits for it to return.
    /// - Returns: the callback's result, or nil when it was not run.
    func runCallback(evenIfCancelled: Bool = false, _ body: () -> Int32) -> Int32? {
        let admitted = state.withLock { state -> Bool in
            guard evenIfCancelled || !state.cancelled else { return false }
            state.callbackThread = pthread_self()
            return true
        }
        guard admitted else { return nil }
        let result = body()
        state.withLock { $0.callbackThread = nil }
        CallbackGate.shared.signal()
        return result
    }
}

/// The one condition variable on which `vg_task_cancel` waits for a callback running on another thread to return.
/// Shared by every task (cancel is rare; a callback's end costs one uncontended lock and broadcast), so that a task
/// carries no pthread objects of its own.
final class CallbackGate: Sendable {
    /// The one gate of the process.
    static let shared = CallbackGate()
    private let condition = Condition()

    /// Waits while `busy()` holds; `busy` is re-checked after every callback's end.
    func wait(while busy: () -> Bool) {
        condition.lock()
        while busy() { condition.wait() }
        condition.unlock()
    }

    /// A callback returned: wake the waiters so they re-check.
    func signal() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }
}
