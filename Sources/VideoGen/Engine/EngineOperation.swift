import Synchronization

/// What every engine operation driven as data shares (`RequestOperation`, `WaitOperation`): the step running now
/// (a transfer or a timer), kept so that `cancel()` can stop it; the one completion; and whether it was cancelled.
/// Subclasses run their steps one at a time (each step starts the next), so their own fields need no lock; this
/// state is behind one.
class EngineOperation<Value: Sendable>: Cancellable, @unchecked Sendable {
    private struct State {
        var pending: (any Cancellable)?
        var completion: OperationCompletion<Value>?
        var cancelled = false
    }
    private let state: Mutex<State>
    /// What `cancel()` reports.
    private let cancelledMessage: String

    init(completion: @escaping OperationCompletion<Value>, cancelledMessage: String) {
        state = Mutex(State(completion: completion))
        self.cancelledMessage = cancelledMessage
    }

    /// Remembers the step that runs now, for `cancel`; false when the operation was cancelled (or ended) meanwhile,
    /// and then the caller cancels the step.
    final func keep(_ pending: any Cancellable) -> Bool {
        state.withLock { state in
            guard !state.cancelled, state.completion != nil else { return false }
            state.pending = pending
            return true
        }
    }

    /// Ends the operation with `result`, once: later calls do nothing.
    final func finish(_ result: Result<Value, VideoGenError>) {
        let completion = state.withLock { state -> OperationCompletion<Value>? in
            state.pending = nil
            defer { state.completion = nil }
            return state.completion
        }
        guard let completion else { return }
        didFinish()
        completion(result)
    }

    /// Called once when the operation ends, before its completion: a subclass drops what it no longer needs.
    func didFinish() {}

    /// Stops the step running now and ends the operation with `.cancelled`.
    package final func cancel() {
        let pending = state.withLock { state -> (any Cancellable)? in
            state.cancelled = true
            defer { state.pending = nil }
            return state.pending
        }
        pending?.cancel()
        finish(.failure(VideoGenError(.cancelled, cancelledMessage)))
    }
}
