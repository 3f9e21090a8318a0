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
    /// Webhook events for this task, the sleep they may interrupt, and the id the wait is registered under in the
    /// client's webhook registry (see "Webhooks" below).
    private let inbox = Mutex(WaitInbox())

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
        if !current.state.isTerminal {
            // Under the inbox's lock: a wait cancelled meanwhile (closed) is not registered, and one registered here
            // is unregistered by `didFinish`, whichever thread ends it.
            let id = current.id
            inbox.withLock { inbox in
                guard inbox.register(id) else { return }
                client.webhooks.register(self, taskID: id)
            }
        }
        perform(machine.start(current, now: elapsed, immediately: pollImmediately))
    }

    private func perform(_ action: PollingStateMachine.Action) {
        switch action {
        case .poll:
            poll()
        case .sleep(let seconds):
            // Webhooks: an event that arrived meanwhile is taken instead of sleeping; otherwise the sleep can be
            // claimed by the next event (`receive`), and then the timer does nothing.
            guard let ticket = inbox.withLock({ $0.sleep(until: elapsed + seconds) }) else { return takeEvents() }
            let timer = client.executor.scheduler.schedule(after: seconds) { [self] in
                if inbox.withLock({ $0.wake(ticket) }) { perform(machine.wake(now: elapsed)) }
            }
            if !keep(timer) { timer.cancel(); return }
            if !inbox.withLock({ $0.attach(timer, to: ticket) }) { timer.cancel() }
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
            // A failed request can still be an answer about the task (`ProviderAdapter.statusFailure`).
            let hint: Double?
            let (client, polled) = (self.client, current)
            let apply: (@escaping OperationCompletion<TaskSnapshot>) -> Void
            switch result {
            case .success(let response):
                hint = RetryHint.pollAfter(response.headers)
                apply = { client.applyStatus(response, to: polled, completion: $0) }
            case .failure(let error):
                hint = nil
                apply = { client.applyStatusFailure(error, to: polled, completion: $0) }
            }
            apply { [self] applied in
                switch applied {
                case .success(let updated):
                    // The machine sees the service's own progress (a step back restarts its estimate); the caller
                    // sees progress that never goes back within the wait.
                    current = updated
                    reporter.report(&current, onUpdate)
                    perform(machine.pollSucceeded(updated, hint: hint, now: elapsed, budget: client.executor.budget))
                case .failure(let error):
                    perform(machine.pollFailed(error, now: elapsed, budget: client.executor.budget))
                }
            }
        }
        if !keep(transfer) { transfer.cancel() }
    }

    override func didFinish() {
        updates.withLock { $0 = nil }
        let (timer, registered) = inbox.withLock { inbox in (inbox.close(), inbox.registered) }
        timer?.cancel()
        if let registered { client.webhooks.unregister(self, taskID: registered) }
    }

    // MARK: - Webhooks

    /// Hands a verified callback about this task to the wait (any thread): `report` nil is a hint (poll now). When
    /// the wait sleeps, the event claims the sleep and is applied at once as the wait's next step; when a poll is
    /// in flight, it is applied when that poll's answer has been.
    func receive(_ report: StatusReport?) {
        guard let claimed = inbox.withLock({ $0.post(report) }) else { return }
        claimed?.cancel()
        let step = client.executor.scheduler.schedule(after: 0) { [self] in takeEvents() }
        if !keep(step) { step.cancel() }
    }

    /// Applies the events received (the wait's step: nothing else runs now). The most advanced report is applied
    /// like a poll's answer, unless it is not ahead of what the wait knows (a duplicate, or older than the task's
    /// state: nothing moves back); a hint, or a report that is not trusted for the result, makes the wait poll now.
    private func takeEvents() {
        let (reports, hint, wakeAt) = inbox.withLock { $0.drain() }
        let newest = reports.filter { WebhookOrdering.isAhead($0, of: current) }.max { WebhookOrdering.rank($0) < WebhookOrdering.rank($1) }
        guard let newest else {
            if hint { return perform(.poll) }
            return perform(.sleep(max(0, wakeAt - elapsed)))
        }
        client.applyStatus(newest, to: current) { [self] applied in
            switch applied {
            case .success(let updated):
                current = updated
                reporter.report(&current, onUpdate)
                if hint && !updated.state.isTerminal { return perform(.poll) }
                perform(machine.pollSucceeded(updated, hint: nil, now: elapsed, budget: nil))
            case .failure(let error):
                perform(machine.pollFailed(error, now: elapsed, budget: client.executor.budget))
            }
        }
    }
}
