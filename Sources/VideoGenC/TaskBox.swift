import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import VideoGen

/// The object behind a `vg_task` handle: the task as this process last saw it, the one operation running on it,
/// the cancellation gate, and the event queue its asynchronous operations report to.
///
/// `@unchecked Sendable` because every stored `var` is read and written only while holding `gate` (a `Condition`,
/// which cancel also waits on while a callback runs on another thread).
final class TaskBox: @unchecked Sendable {
    let client: VideoGenClient
    let events: ClientEventQueue
    private let gate = Condition()
    private var view: TaskSnapshot
    private var transfer: (received: Int64, total: Int64?) = (0, nil)
    private var cancelled = false
    private var abortRequested = false
    private var operation: Task<Void, Never>?
    private var operationActive = false
    private var callbackThread: pthread_t?
    private var strings = CStringCache()

    init(client: VideoGenClient, events: ClientEventQueue, snapshot: TaskSnapshot) {
        self.client = client
        self.events = events
        self.view = snapshot
    }

    deinit {
        strings.clear()
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        gate.lock()
        defer { gate.unlock() }
        return try body()
    }

    /// The task as last seen.
    var snapshot: TaskSnapshot { locked { view } }

    /// Replaces the task as seen (called on the thread that delivers the operation's events).
    func update(_ snapshot: TaskSnapshot) {
        locked { view = snapshot }
    }

    /// Download progress as last seen.
    var bytes: (received: Int64, total: Int64?) { locked { transfer } }

    /// Records download progress (on the delivering thread).
    func setTransfer(received: Int64, total: Int64?) {
        locked { transfer = (received, total) }
    }

    /// A cached C string for a getter.
    func string(_ key: String, _ pick: (TaskSnapshot) -> String?) -> UnsafePointer<CChar>? {
        locked { strings.pointer(key, pick(view)) }
    }

    /// True once vg_task_cancel was called.
    var isCancelled: Bool { locked { cancelled } }

    /// True when a callback asked the current operation to stop.
    var wasAborted: Bool { locked { abortRequested } }

    /// Starts `body` as the task's one operation.
    /// - Throws: `.cancelled` after vg_task_cancel, `.busy` while another operation has not finished.
    func start(_ body: @escaping @Sendable () async -> Void) throws {
        try locked {
            guard !cancelled else { throw VideoGenError(.cancelled, "the task was cancelled") }
            guard !operationActive else {
                throw VideoGenError(.busy, "the task already has an operation in progress")
            }
            operationActive = true
            abortRequested = false
            operation = Task { await body() }
        }
    }

    /// Ends the current operation; another may start.
    func finishOperation() {
        locked {
            operation = nil
            operationActive = false
        }
    }

    /// Stops the current operation because a callback asked to.
    func abortOperation() {
        locked {
            abortRequested = true
            operation?.cancel()
        }
    }

    /// Cancels the task and waits until no callback for it runs on another thread.
    func cancel() {
        gate.lock()
        cancelled = true
        operation?.cancel()
        while let running = callbackThread, pthread_equal(running, pthread_self()) == 0 {
            gate.wait()
        }
        gate.unlock()
    }

    /// Runs a user callback unless the task was cancelled (or always, with `evenIfCancelled`, for the one DONE
    /// event every operation ends with); cancel() waits for it to return.
    /// - Returns: the callback's result, or nil when it was not run.
    func runCallback(evenIfCancelled: Bool = false, _ body: () -> Int32) -> Int32? {
        gate.lock()
        guard evenIfCancelled || !cancelled else {
            gate.unlock()
            return nil
        }
        callbackThread = pthread_self()
        gate.unlock()
        let result = body()
        gate.lock()
        callbackThread = nil
        gate.broadcast()
        gate.unlock()
        return result
    }
}
