import Synchronization

/// One logical request carried out as data: an attempt on the transport, the retry machine's verdict on a failure,
/// a timer for the backoff, the next attempt; no Swift task or thread of its own. `RequestExecutor.send` (async)
/// and the engine's callback-form operations both run on it.
final class RequestOperation: EngineOperation<HTTPResponse>, @unchecked Sendable {
    // Unchecked: `machine` and `request` are used by one step at a time (an attempt's completion or a timer, which
    // follow one another).
    private let executor: RequestExecutor
    private var request: HTTPRequest
    private var machine: RetryStateMachine
    private let timeout: Double?

    /// - Parameter timeout: seconds for each attempt; `request_timeout` when nil.
    init(executor: RequestExecutor, request: HTTPRequest, mode: RequestExecutor.Mode, timeout: Double? = nil,
         completion: @escaping OperationCompletion<HTTPResponse>) {
        self.executor = executor
        var request = request
        if case .submit(let key) = mode { request.headers.append(("Idempotency-Key", key)) }
        self.request = request
        self.machine = RetryStateMachine(policy: executor.configuration.retry, kind: mode.retryKind)
        self.timeout = timeout
        super.init(completion: completion, cancelledMessage: "cancelled")
    }

    /// Sends the first attempt.
    func start() {
        attempt()
    }

    private func attempt() {
        let started = executor.attempt(request, timeout: timeout) { [self] result in
            switch result {
            case .success(let response):
                machine.succeeded(budget: executor.budget)
                finish(.success(response))
            case .failure(let error):
                switch machine.failed(error, budget: executor.budget, unit: executor.random()) {
                case .retry(let delay):
                    let timer = executor.scheduler.schedule(after: delay) { [self] in attempt() }
                    if !keep(timer) { timer.cancel() }
                case .fail(let failure), .waitForSchedule(let failure):
                    finish(.failure(failure))
                }
            }
        }
        if !keep(started) { started.cancel() }
    }
}
