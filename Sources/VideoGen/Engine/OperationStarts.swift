import Synchronization

/// A running operation started with one of the client's `start...` calls. `cancel()` is idempotent, may be called
/// from any thread, and makes the operation finish promptly with `.cancelled` (unless it already finished).
package final class OperationHandle: Cancellable {
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

    /// Forgets what cancelling would do, once the operation ended: the handle no longer keeps the operation (and
    /// the callbacks it holds) alive.
    package func finished() {
        canceller.withLock { $0 = nil }
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
/// one result arrive through the callbacks on library threads (the transport's loop thread for the process-wide
/// transport). The C layer builds its blocking and asynchronous calls on these; the `async` methods are the same
/// operations for Swift callers. Submits, refreshes and waits run as data on the loop (`RequestOperation`,
/// `WaitOperation`): no Swift task per operation.
extension VideoGenClient {
    /// Starts a submit of a prepared request.
    package func startSubmit(_ prepared: PreparedSubmission,
                             completion: @escaping OperationCompletion<TaskSnapshot>) -> OperationHandle {
        launch(completion) { [self] completion in
            executor.start(prepared.request, mode: .submit(idempotencyKey: prepared.idempotencyKey)) { [self] result in
                switch result {
                case .success(let response): submitted(response, prepared, completion: completion)
                case .failure(let error): completion(.failure(error))
                }
            }
        }
    }

    /// Starts one status refresh.
    package func startRefresh(_ snapshot: TaskSnapshot,
                              completion: @escaping OperationCompletion<TaskSnapshot>) -> OperationHandle {
        launch(completion) { [self] completion in
            try checkOwnership(snapshot)
            guard let request = adapter.statusRequest(for: snapshot, baseURL: configuration.baseURL) else {
                if snapshot.state.isTerminal {
                    completion(.success(snapshot))
                    return NothingToCancel()
                }
                throw VideoGenError(.unsupported, "the \(configuration.dialect.rawValue) dialect has no status to poll, or the task's record lacks the address its status is read at")
            }
            return executor.start(request, mode: .idempotent) { [self] result in
                switch result {
                case .success(let response): applyStatus(response, to: snapshot, completion: completion)
                case .failure(let error): applyStatusFailure(error, to: snapshot, completion: completion)
                }
            }
        }
    }

    /// Starts a wait (see `wait(for:timeout:pollImmediately:onUpdate:)`); `onUpdate` gets the starting snapshot and
    /// every change.
    package func startWait(_ snapshot: TaskSnapshot, timeout: Double?, pollImmediately: Bool,
                           onUpdate: @escaping @Sendable (TaskSnapshot) -> Void,
                           completion: @escaping OperationCompletion<TaskSnapshot>) -> OperationHandle {
        launch(completion) { [self] completion in
            try checkOwnership(snapshot)
            let operation = WaitOperation(client: self, snapshot: snapshot, timeout: timeout, onUpdate: onUpdate, completion: completion)
            operation.start(pollImmediately: pollImmediately)
            return operation
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
            let result: Result<Value, VideoGenError>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(VideoGenError.wrap(error))
            }
            handle.finished()
            completion(result)
        }
        handle.onCancel { task.cancel() }
        return handle
    }

    /// Runs `body` off the caller's stack (on the loop, at once), so that no callback runs inside the `start...`
    /// call; an error `body` throws before it started anything is the operation's result. The handle's `cancel()`
    /// reaches the operation `body` started, or ends one not started yet with `.cancelled`.
    private func launch<Value: Sendable>(_ completion: @escaping OperationCompletion<Value>,
                                         _ body: @escaping @Sendable (@escaping OperationCompletion<Value>) throws -> any Cancellable) -> OperationHandle {
        let handle = OperationHandle()
        let once = CompletionOnce<Value> { [handle] result in
            handle.finished()
            completion(result)
        }
        handle.onCancel { once.call(.failure(VideoGenError(.cancelled, "the operation was cancelled"))) }
        _ = executor.soon.schedule(after: 0) {
            guard !handle.isCancelled else { return }
            do {
                let operation = try body { result in once.call(result) }
                handle.onCancel { operation.cancel() }
            } catch {
                once.call(.failure(VideoGenError.wrap(error)))
            }
        }
        return handle
    }

    /// Turns a submit's answer into the new task's first snapshot.
    private func submitted(_ response: HTTPResponse, _ prepared: PreparedSubmission, completion: @escaping OperationCompletion<TaskSnapshot>) {
        let parsed: StatusReport
        do {
            parsed = try adapter.parseSubmit(response, baseURL: configuration.baseURL)
            try checkAnsweredID(parsed.id)
        } catch {
            return completion(.failure(executor.scrubbed(VideoGenError.wrap(error))))
        }
        var snapshot = TaskSnapshot(id: parsed.id ?? "", dialect: configuration.dialect.rawValue,
                                    baseURL: configuration.baseURL.absoluteString, state: .queued)
        snapshot.idempotencyKey = prepared.idempotencyKey
        snapshot.model = prepared.model
        snapshot.route = adapter.route(of: prepared.request)
        applyStatus(parsed, to: snapshot, completion: completion)
    }
}

/// A completion called at most once, whoever calls it first.
final class CompletionOnce<Value: Sendable>: Sendable {
    private let slot: Mutex<OperationCompletion<Value>?>

    init(_ completion: @escaping OperationCompletion<Value>) {
        slot = Mutex(completion)
    }

    func call(_ result: Result<Value, VideoGenError>) {
        let completion = slot.withLock { slot -> OperationCompletion<Value>? in
            defer { slot = nil }
            return slot
        }
        completion?(result)
    }
}
