import FoundationEssentials
import Synchronization

/// A wait as data: the poll machine (with its retry machine), the task as last seen and the callbacks, driven by timers
/// and transfer completions on the transport's loop. Between polls a waiting task is one timer in the loop's heap:
/// no Swift task, thread or dispatch source. `VideoGenClient.wait` (async) and `startWait` both run on it.
final class WaitOperation: EngineOperation<TaskSnapshot>, @unchecked Sendable {
    // Unchecked: the machine, `current` and `reporter` are used by one step at a time (a timer, then a poll's
    // completion, then a timer...: each step starts the next); `updates` is a Mutex.
    private let client: VideoGenClient
    private let started = MonotonicTime.now
    private let deadline: Double
    private var machine: PollingStateMachine
    private var current: TaskSnapshot
    private var reporter = UpdateReporter()

    /// The update callback, dropped when the wait ends so that nothing it holds outlives the wait.
    private let updates: Mutex<(@Sendable (TaskSnapshot) -> Void)?>

    init(client: VideoGenClient, snapshot: TaskSnapshot, timeout: Double?, onUpdate: @escaping @Sendable (TaskSnapshot) -> Void,
         completion: @escaping OperationCompletion<TaskSnapshot>) {
        let configuration = client.configuration
        self.client = client
        self.deadline = timeout ?? configuration.waitTimeout
        self.machine = PollingStateMachine(policy: configuration.poll, retry: configuration.retry, deadline: deadline,
                                           random: client.executor.random)
        self.current = snapshot
        self.updates = Mutex(onUpdate)
        super.init(completion: completion, cancelledMessage: "the wait was cancelled")
    }

    /// Reports `current` to the caller, unless the wait ended.
    private func onUpdate(_ snapshot: TaskSnapshot) {
        updates.withLock { $0 }?(snapshot)
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
        guard let request = client.adapter.statusRequest(for: current, baseURL: configuration.baseURL) else {
            return finish(.failure(VideoGenError(.unsupported, "the \(configuration.dialect.rawValue) dialect has no status to poll, or the task's record lacks the address its status is read at")))
        }
        // The wait's deadline bounds the poll in flight too: a service that does not answer cannot hold the wait
        // past it.
        let left = max(0.05, deadline - elapsed)
        let transfer = client.executor.attempt(request, timeout: min(configuration.requestTimeout, left)) { [self] result in
            switch result {
            case .success(let response):
                client.applyStatus(response, to: current) { [self] applied in
                    switch applied {
                    case .success(let updated):
                        // The machine sees the service's own progress (a step back restarts its estimate); the caller
                        // sees progress that never goes back within the wait.
                        current = updated
                        reporter.report(&current, onUpdate)
                        perform(machine.pollSucceeded(updated, hint: RetryHint.pollAfter(response.headers), now: elapsed,
                                                      budget: client.executor.budget))
                    case .failure(let error):
                        perform(machine.pollFailed(error, now: elapsed, budget: client.executor.budget))
                    }
                }
            case .failure(let error):
                perform(machine.pollFailed(error, now: elapsed, budget: client.executor.budget))
            }
        }
        if !keep(transfer) { transfer.cancel() }
    }

    override func didFinish() {
        updates.withLock { $0 = nil }
    }
}
