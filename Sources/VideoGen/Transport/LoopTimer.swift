import Synchronization

/// Something started that can be stopped: a transfer, a timer, an operation. `cancel()` is idempotent and may be
/// called from any thread.
package protocol Cancellable: Sendable {
    /// Stops it; what it would have called later is not called (or reports `.cancelled`, as its kind says).
    func cancel()
}

/// Where the engine's waiting happens: a timer that calls back after a delay. The process-wide transport keeps its
/// timers on its control loop (`CurlLoop`), in a heap beside the transfers' deadlines, so a waiting task costs one
/// heap entry and no thread, coroutine or dispatch source; other transports use `TaskSleepScheduler`.
package protocol EngineScheduler: Sendable {
    /// Calls `fire` once, on a library thread, `seconds` from now, unless the returned timer is cancelled first.
    func schedule(after seconds: Double, _ fire: @escaping @Sendable () -> Void) -> any Cancellable
}

/// A timer on a `CurlLoop`: one heap entry. Its fields are touched by the loop thread only, but for `cancelled`,
/// which any thread may set.
final class LoopTimer: DeadlineHeapEntry, Cancellable, @unchecked Sendable {
    let deadline: UInt64
    var heapIndex: Int?
    private let state: Mutex<(@Sendable () -> Void)?>
    /// The loop it is scheduled on (the loops live as long as the process: a strong reference costs nothing, where a
    /// weak one would allocate a side table per timer).
    private let loop: CurlLoop

    init(deadline: UInt64, loop: CurlLoop, fire: @escaping @Sendable () -> Void) {
        self.deadline = deadline
        self.loop = loop
        self.state = Mutex(fire)
    }

    /// Takes the callback (once): nil when the timer was cancelled or already fired.
    func take() -> (@Sendable () -> Void)? {
        state.withLock { fire in
            defer { fire = nil }
            return fire
        }
    }

    package func cancel() {
        guard take() != nil else { return }
        loop.unschedule(self)
    }
}

/// Timers as sleeping Swift tasks, for transports without a loop of their own (tests' scripted transports).
struct TaskSleepScheduler: EngineScheduler {
    /// Pauses of real time (`Task.sleep`).
    static let realTime = TaskSleepScheduler(sleep: { seconds in try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9)) })
    /// Runs at once (a task, off the caller's stack), whatever the delay: for steps that only must not run inline.
    static let immediate = TaskSleepScheduler(sleep: { _ in })

    let sleep: @Sendable (Double) async throws -> Void

    package func schedule(after seconds: Double, _ fire: @escaping @Sendable () -> Void) -> any Cancellable {
        let task = Task {
            do { try await sleep(seconds) } catch { return }
            if !Task.isCancelled { fire() }
        }
        return TaskCancellable(task: task)
    }
}

/// A Swift task as a `Cancellable`.
struct TaskCancellable: Cancellable {
    let task: Task<Void, Never>

    package func cancel() {
        task.cancel()
    }
}

/// An operation that finished before it returned: cancelling it does nothing.
struct NothingToCancel: Cancellable {
    package func cancel() {}
}
