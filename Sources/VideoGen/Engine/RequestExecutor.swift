import FoundationEssentials
import Synchronization

/// Sends one logical request through the transport: adds the headers the configured origin needs (the key only
/// there), maps error answers through the adapter, scrubs the key from every message, and retries by the rules.
struct RequestExecutor: Sendable {
    /// Whether a request may be repeated.
    enum Mode: Sendable {
        /// GETs: retried on any transient failure.
        case idempotent
        /// A submit: retried only when it provably never reached the service, or the service refused it with a
        /// retry hint (429/503 + Retry-After); otherwise a transient failure is an unknown outcome.
        case submit(idempotencyKey: String)
    }

    let configuration: ClientConfiguration
    let adapter: any ProviderAdapter
    let transport: any HTTPTransport
    let random: @Sendable () -> Double
    /// Where backoffs and polls wait: the transport's loop, or sleeping tasks for other transports.
    let scheduler: any EngineScheduler
    /// The client's retry quota, shared by every request of the client.
    let budget: RetryBudget
    /// The client's exchange with its token endpoint, shared by every request that needs fresh credentials at once.
    let tokenExchange = TokenExchange()

    /// The error with the API key scrubbed from its text.
    func scrubbed(_ error: VideoGenError) -> VideoGenError {
        var error = error
        error.message = configuration.apiKey.redact(error.message)
        error.providerCode = error.providerCode.map(configuration.apiKey.redact)
        return error
    }

    /// One attempt: the 2xx answer, or the error the answer or the failure means, given to `completion` once.
    /// - Parameter timeout: seconds for the whole request; `request_timeout` when nil (a wait passes what is left
    ///   of its deadline when that is sooner, so the deadline also ends the poll in flight).
    func attempt(_ request: HTTPRequest, timeout: Double? = nil,
                 completion: @escaping OperationCompletion<HTTPResponse>) -> any Cancellable {
        let step = StepSlot()
        step.setFirst(authorize(request) { [self] authorized in
            let request: HTTPRequest
            switch authorized {
            case .success(let ready): request = ready
            case .failure(let error): return completion(.failure(error))
            }
            step.set(transport.begin(request, timeout: timeout ?? configuration.requestTimeout,
                                     maxBodyBytes: configuration.maxResponseBytes) { [self] result in
                switch result {
                case .success(let response) where response.isSuccess:
                    completion(.success(response))
                case .success(let response):
                    completion(.failure(scrubbed(adapter.error(from: response))))
                case .failure(let error):
                    completion(.failure(scrubbed(error)))
                }
            })
        })
        return step
    }

    /// Starts `request`, retried per `mode` and the client's retry policy (`RetryStateMachine`); `completion` gets
    /// the 2xx answer or the error, once.
    func start(_ request: HTTPRequest, mode: Mode, completion: @escaping OperationCompletion<HTTPResponse>) -> any Cancellable {
        let operation = RequestOperation(executor: self, request: request, mode: mode, completion: completion)
        operation.start()
        return operation
    }

    /// Where an operation's first step runs when it must not run on the caller's stack: the transport's loop, or a
    /// task (not `scheduler`, which a test may have given to see the pauses the schedule chose).
    var soon: any EngineScheduler {
        (transport as? any LoopTransport) ?? TaskSleepScheduler.immediate
    }

    /// Waits `seconds` on the scheduler (a backoff); throws `.cancelled` when the calling task is cancelled.
    func pause(_ seconds: Double) async throws {
        try await awaitOperation { completion in
            scheduler.schedule(after: seconds) { completion(.success(())) }
        }
    }

    /// The 2xx answer to `request`, retrying per `mode` and the client's retry policy.
    func send(_ request: HTTPRequest, mode: Mode) async throws -> HTTPResponse {
        try await awaitOperation { completion in start(request, mode: mode, completion: completion) }
    }
}

/// Runs a callback-form operation as an `async` call: the calling task suspends on a continuation (no other task
/// is made), and cancelling it cancels the operation.
func awaitOperation<Value: Sendable>(_ start: (@escaping OperationCompletion<Value>) -> any Cancellable) async throws -> Value {
    let slot = Mutex<(any Cancellable)?>(nil)
    let cancelled = Mutex(false)
    return try await withTaskCancellationHandler {
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Value, any Error>) in
            let operation = start { result in continuation.resume(with: result) }
            let cancelNow = cancelled.withLock { cancelled in
                if !cancelled { slot.withLock { $0 = operation } }
                return cancelled
            }
            if cancelNow || Task.isCancelled { operation.cancel() }
        }
    } onCancel: {
        cancelled.withLock { $0 = true }
        slot.withLock { $0 }?.cancel()
    }
}

extension RequestExecutor.Mode {
    /// The retry rules of this mode.
    var retryKind: RetryStateMachine.Kind {
        switch self {
        case .idempotent: return .idempotent
        case .submit(let key): return .submit(idempotencyKey: key)
        }
    }
}
