import FoundationEssentials
import Synchronization

/// A wait as data: the poll machine, the retry machine, the task as last seen and the callbacks, driven by timers
/// and transfer completions on the transport's loop. Between polls a waiting task is one timer in the loop's heap:
/// no Swift task, thread or dispatch source. `VideoGenClient.wait` (async) and `startWait` both run on it.
final class WaitOperation: Cancellable, @unchecked Sendable {
    // Unchecked: the machines, `current` and `reporter` are used by one step at a time (a timer, then a poll's
    // completion, then a timer...: each step starts the next); `state` is a Mutex.
    private let client: VideoGenClient
    private let onUpdate: @Sendable (TaskSnapshot) -> Void
    private let started = MonotonicTime.now
    private let deadline: Double
    private var machine: PollingStateMachine
    private var retry: RetryStateMachine
    private var current: TaskSnapshot
    private var reporter = UpdateReporter()

    private struct State {
        var pending: (any Cancellable)?
        var completion: OperationCompletion<TaskSnapshot>?
        var cancelled = false
    }
    private let state: Mutex<State>

    init(client: VideoGenClient, snapshot: TaskSnapshot, timeout: Double?, onUpdate: @escaping @Sendable (TaskSnapshot) -> Void,
         completion: @escaping OperationCompletion<TaskSnapshot>) {
        let configuration = client.configuration
        self.client = client
        self.onUpdate = onUpdate
        self.deadline = timeout ?? configuration.waitTimeout
        self.machine = PollingStateMachine(policy: configuration.poll, retry: configuration.retry, deadline: deadline,
                                           random: client.executor.random)
        self.retry = RetryStateMachine(policy: configuration.retry, kind: .poll)
        self.current = snapshot
        self.state = Mutex(State(completion: completion))
    }

    /// Seconds since the wait started.
    private var elapsed: Double { MonotonicTime.seconds(since: started) }

    /// Reports the starting snapshot and makes the first move.
    func start(pollImmediately: Bool) {
        reporter.report(&current, onUpdate)
        perform(machine.start(current, now: elapsed, immediately: pollImmediately))
    }

    private func perform(_ action: PollingStateMachine.Action) {
        switch action {
        case .poll:
            poll()
        case .sleep(let seconds):
            let timer = client.executor.scheduler.schedule(after: seconds) { [self] in perform(machine.wake(now: elapsed)) }
            if !keep(timer) { timer.cancel() }
        case .finished(let final):
            finish(.success(final))
        case .failed(let error):
            finish(.failure(error))
        }
    }

    private func poll() {
        let configuration = client.configuration
        guard let request = client.adapter.statusRequest(taskID: current.id, route: current.route, baseURL: configuration.baseURL) else {
            return finish(.failure(VideoGenError(.unsupported, "the \(configuration.dialect.rawValue) dialect has no status to poll")))
        }
        // The wait's deadline bounds the poll in flight too: a service that does not answer cannot hold the wait
        // past it.
        let left = max(0.05, deadline - elapsed)
        let transfer = client.executor.attempt(request, timeout: min(configuration.requestTimeout, left)) { [self] result in
            switch result {
            case .success(let response):
                retry.succeeded(budget: client.executor.budget)
                let snapshot = current
                client.applyStatus(response, to: snapshot) { [self] applied in
                    switch applied {
                    case .success(let updated):
                        current = updated
                        reporter.report(&current, onUpdate)
                        perform(machine.pollSucceeded(current, hint: RetryHint.pollAfter(response.headers), now: elapsed))
                    case .failure(let error):
                        failed(error)
                    }
                }
            case .failure(let error):
                failed(error)
            }
        }
        if !keep(transfer) { transfer.cancel() }
    }

    private func failed(_ error: VideoGenError) {
        switch retry.failed(error, budget: client.executor.budget, unit: client.executor.random()) {
        case .retry:
            perform(machine.pollFailed(error, now: elapsed))
        case .waitForSchedule(let failure):
            perform(machine.pollSkipped(failure, now: elapsed))
        case .fail(let failure):
            finish(.failure(failure))
        }
    }

    /// Remembers what runs now, for `cancel`; false when the wait was cancelled (or ended) meanwhile.
    private func keep(_ pending: any Cancellable) -> Bool {
        state.withLock { state in
            guard !state.cancelled, state.completion != nil else { return false }
            state.pending = pending
            return true
        }
    }

    private func finish(_ result: Result<TaskSnapshot, VideoGenError>) {
        let completion = state.withLock { state -> OperationCompletion<TaskSnapshot>? in
            state.pending = nil
            defer { state.completion = nil }
            return state.completion
        }
        completion?(result)
    }

    package func cancel() {
        let pending = state.withLock { state -> (any Cancellable)? in
            state.cancelled = true
            defer { state.pending = nil }
            return state.pending
        }
        pending?.cancel()
        finish(.failure(VideoGenError(.cancelled, "the wait was cancelled")))
    }
}
