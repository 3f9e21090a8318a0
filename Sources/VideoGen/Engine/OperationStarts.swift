import Synchronization

/// A running operation started with one of the client's `start...` calls. `cancel()` is idempotent, may be called
/// from any thread, and makes the operation finish promptly with `.cancelled` (unless it already finished).
package final class OperationHandle: Sendable {
    private let canceller = Mutex<(@Sendable () -> Void)?>(nil)
    private let cancelled = Mutex(false)

    package init() {}

    /// Installs what cancelling does; runs it at once when the handle was already cancelled.
    package func onCancel(_ body: @escaping @Sendable () -> Void) {
        let runNow = cancelled.withLock { cancelled in
            if !cancelled { canceller.withLock { $0 = body } }
            return cancelled
        }
        if runNow { body() }
    }

    /// True once `cancel()` was called.
    package var isCancelled: Bool { cancelled.withLock { $0 } }

    /// Cancels the operation.
    package func cancel() {
        let first = cancelled.withLock { cancelled -> Bool in
            defer { cancelled = true }
            return !cancelled
        }
        guard first else { return }
        let body = canceller.withLock { body -> (@Sendable () -> Void)? in
            defer { body = nil }
            return body
        }
        body?()
    }
}

/// The result callback of a started operation: called exactly once, on a library thread, never while the `start...`
/// call that started it is still running on the caller's stack.
package typealias OperationCompletion<Value> = @Sendable (Result<Value, VideoGenError>) -> Void

/// The callback forms of the client's operations: each starts the operation and returns at once; updates and the
/// one result arrive through the callbacks on library threads. The C layer builds its blocking and asynchronous
/// calls on these; the `async` methods are the same operations for Swift callers.
extension VideoGenClient {
    /// Starts a submit of a prepared request.
    package func startSubmit(_ prepared: PreparedSubmission,
                             completion: @escaping OperationCompletion<TaskSnapshot>) -> OperationHandle {
        startTask(completion: completion) { [self] in try await submit(prepared) }
    }

    /// Starts one status refresh.
    package func startRefresh(_ snapshot: TaskSnapshot,
                              completion: @escaping OperationCompletion<TaskSnapshot>) -> OperationHandle {
        startTask(completion: completion) { [self] in try await refresh(snapshot) }
    }

    /// Starts a wait (see `wait(for:timeout:pollImmediately:onUpdate:)`); `onUpdate` gets the starting snapshot and
    /// every change.
    package func startWait(_ snapshot: TaskSnapshot, timeout: Double?, pollImmediately: Bool,
                           onUpdate: @escaping @Sendable (TaskSnapshot) -> Void,
                           completion: @escaping OperationCompletion<TaskSnapshot>) -> OperationHandle {
        startTask(completion: completion) { [self] in
            try await wait(for: snapshot, timeout: timeout, pollImmediately: pollImmediately, onUpdate: onUpdate)
        }
    }

    /// Starts a download of the video or one of its variants (see `download(_:variant:to:onProgress:)`).
    package func startDownload(_ snapshot: TaskSnapshot, variant: ContentVariant = .video, to path: String,
                               onProgress: @escaping @Sendable (Int64, Int64?) -> Void,
                               completion: @escaping OperationCompletion<TaskSnapshot>) -> OperationHandle {
        startTask(completion: completion) { [self] in
            try await download(snapshot, variant: variant, to: path, onProgress: onProgress)
        }
    }

    /// Starts any other operation of the client (list, delete, remix, remote cancel) as a callback-form call.
    package func startTask<Value: Sendable>(completion: @escaping OperationCompletion<Value>,
                                            _ body: @escaping @Sendable () async throws -> Value) -> OperationHandle {
        let handle = OperationHandle()
        let task = Task {
            do {
                completion(.success(try await body()))
            } catch {
                completion(.failure(VideoGenError.wrap(error)))
            }
        }
        handle.onCancel { task.cancel() }
        return handle
    }
}
