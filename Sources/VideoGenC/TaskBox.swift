import Foundation
#if canImport(Glibc)
import Glibc
#endif
import VideoGen

/// The object behind a `vg_task` handle: the task as this process last saw it, the operation running on it, and the
/// cancellation gate.
///
/// `@unchecked Sendable` because every stored property is read and written only while holding `gate` (an
/// NSCondition, which cancel also waits on while a callback runs on another thread).
final class TaskBox: @unchecked Sendable {
    let client: VideoGenClient
    private let gate = NSCondition()
    private var view: TaskSnapshot
    private var cancelled = false
    private var operation: Task<Void, Never>?
    private var callbackThread: pthread_t?
    private var strings = CStringCache()

    init(client: VideoGenClient, snapshot: TaskSnapshot) {
        self.client = client
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

    /// Replaces the task as seen (called on the thread that runs the C call).
    func update(_ snapshot: TaskSnapshot) {
        locked { view = snapshot }
    }

    /// A cached C string for a getter.
    func string(_ key: String, _ pick: (TaskSnapshot) -> String?) -> UnsafePointer<CChar>? {
        locked { strings.pointer(key, pick(view)) }
    }

    /// True once vg_task_cancel was called.
    var isCancelled: Bool { locked { cancelled } }

    /// Starts `body` as the task's current operation unless the task was cancelled.
    /// - Returns: false when cancelled (nothing started).
    func start(_ body: @escaping @Sendable () async -> Void) -> Bool {
        locked {
            guard !cancelled else { return false }
            operation = Task { await body() }
            return true
        }
    }

    /// Forgets the finished operation.
    func finishOperation() {
        locked { operation = nil }
    }

    /// Stops the current operation because a callback asked to.
    func abortOperation() {
        locked { operation?.cancel() }
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

    /// Runs a user callback unless the task was cancelled; cancel() waits for it to return.
    /// - Returns: the callback's result, or nil when it was not run.
    func runCallback(_ body: () -> Int32) -> Int32? {
        gate.lock()
        guard !cancelled else {
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
