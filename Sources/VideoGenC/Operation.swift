#if canImport(Glibc)
import Glibc
#endif
import CVideoGen
import Synchronization
import VideoGen

/// What a finished operation produced.
enum OperationValue: Sendable, Equatable {
    /// The task's new snapshot (submit, poll, wait, download): it replaces the task's view.
    case task(TaskSnapshot)
    /// A snapshot of a new task (remix); the operation's own task is unchanged.
    case created(TaskSnapshot)
    /// A page of the videos the service keeps (list).
    case page(VideoPage)
    /// Nothing (delete, remote cancel).
    case none
}

/// What an operation reported, waiting to be delivered on a caller's thread.
struct PendingEvent: Sendable {
    enum Payload: Sendable {
        /// The task's state, progress or queue position changed.
        case update(TaskSnapshot)
        /// Bytes arrived; the count is read from the operation when delivered (coalesced).
        case transfer
        /// The operation finished.
        case done(Result<OperationValue, VideoGenError>)
    }

    /// The operation that reported it.
    let operation: Operation
    /// What it reported.
    let payload: Payload
}

/// Where an operation's events go: the client's queue (asynchronous calls, delivered by `vg_client_dispatch`) or
/// the inbox of the thread blocked in the call that started it.
enum EventSink: Sendable {
    /// The client's queue, delivered by `vg_client_dispatch` / `vg_client_dispatch_v2`.
    case queue(ClientEventQueue)
    /// The inbox of the thread blocked in the call.
    case inbox(CallerInbox)

    /// Queues `event` and wakes whoever delivers it.
    func post(_ event: PendingEvent) {
        switch self {
        case .queue(let queue): queue.post(event)
        case .inbox(let inbox): inbox.post(event)
        }
    }
}

/// The one operation type of the C layer: a submit, poll, wait, download, delete, remix, list or remote cancel,
/// started on the engine's callback forms (`VideoGenClient.start...`), reporting through an `EventSink`, and
/// delivered on a caller's thread by `deliver(_:to:)`. A blocking call is an asynchronous operation whose events
/// the calling thread drains until DONE (`run`); an asynchronous call leaves them on the client's queue.
///
/// The rules live here once: one finish rule (`FinishRule`, carried out by `finish`), one abort path (a callback's non-zero answer: `abort`),
/// one cancel path (`cancel`, reached from `TaskBox.cancel`).
///
/// Lean by design (a hundred thousand may be in flight): no Swift Task, thread or semaphore of its own; the state
/// is one inline lock.
final class Operation: Sendable {
    /// Which call started the operation.
    enum Kind: Sendable {
        case submit, poll, wait, download, delete, remix, list, cancelRemote
    }

    private struct State {
        /// The engine's handle, once started.
        var engine: OperationHandle?
        /// `cancel()` or `abort()` was called (before or after the engine started).
        var stopRequested = false
        /// A callback returned non-zero.
        var aborted = false
        /// Byte progress not yet delivered (coalesced: only the latest value is kept).
        var transfer: (received: Int64, total: Int64?)?
        /// The byte progress last shown to a callback.
        var shown: (received: Int64, total: Int64?)?
    }

    /// Which call started it (decides how its result is applied).
    let kind: Kind
    /// The task the operation runs on; nil for a client operation (list, remote cancel).
    let box: TaskBox?
    /// The bits of the task's handle, to tell whether the task was freed before an event was delivered.
    let handle: UInt
    /// Where its events go.
    let sink: EventSink
    private let state = Mutex(State())

    private init(kind: Kind, box: TaskBox?, handle: OpaquePointer?, sink: EventSink) {
        self.kind = kind
        self.box = box
        self.handle = UInt(bitPattern: handle)
        self.sink = sink
    }

    /// True when the operation was started by an asynchronous call: its DONE is delivered even after cancel.
    var isAsynchronous: Bool {
        if case .queue = sink { return true }
        return false
    }

    // MARK: starting

    /// Starts an operation: makes it the task's one operation, then `launch`es it on the engine.
    /// - Parameter launch: starts the engine's work; everything it reports goes through the `Operation` it is given.
    /// - Throws: `.busy` or `.cancelled` from the task (nothing was started then).
    static func start(_ kind: Kind, box: TaskBox?, handle: OpaquePointer?, sink: EventSink,
                      _ launch: (Operation) -> OperationHandle) throws -> Operation {
        let operation = Operation(kind: kind, box: box, handle: handle, sink: sink)
        try box?.begin(operation)
        operation.attach(launch(operation))
        return operation
    }

    /// Runs an operation from a blocking call: starts it with this thread's inbox as its sink and delivers its events
    /// to `callback` on this thread until DONE.
    /// - Returns: the operation's result after the finish rule.
    static func run(_ kind: Kind, box: TaskBox?, handle: OpaquePointer?, callback: Callback = .none,
                    _ launch: (Operation) -> OperationHandle) -> Result<OperationValue, VideoGenError> {
        let inbox = CallerInbox()
        let operation: Operation
        do {
            operation = try start(kind, box: box, handle: handle, sink: .inbox(inbox), launch)
        } catch {
            return .failure(VideoGenError.wrap(error))
        }
        while true {
            for event in inbox.take() {
                if case .finished(let result, _) = event.operation.deliver(event.payload, to: callback),
                   event.operation === operation {
                    return result
                }
            }
        }
    }

    private func attach(_ engine: OperationHandle) {
        let stop = state.withLock { state -> Bool in
            state.engine = engine
            return state.stopRequested
        }
        if stop { engine.cancel() }
    }

    // MARK: what the engine reports (library threads)

    /// Reports a task update.
    func post(update snapshot: TaskSnapshot) {
        sink.post(PendingEvent(operation: self, payload: .update(snapshot)))
    }

    /// Reports byte progress; only one TRANSFER event is queued at a time, carrying the latest count.
    func post(received: Int64, total: Int64?) {
        let queued = state.withLock { state -> Bool in
            defer { state.transfer = (received, total) }
            return state.transfer != nil
        }
        if !queued { sink.post(PendingEvent(operation: self, payload: .transfer)) }
    }

    /// Reports the end; the engine calls it exactly once.
    func post(done result: Result<OperationValue, VideoGenError>) {
        sink.post(PendingEvent(operation: self, payload: .done(result)))
    }

    /// The engine's completion for an operation whose value is the task's new snapshot.
    var completeTask: OperationCompletion<TaskSnapshot> {
        { [self] result in post(done: result.map(OperationValue.task)) }
    }

    // MARK: stopping

    /// Stops the operation (vg_task_cancel, vg_task_free): the engine finishes it promptly with `.cancelled`.
    func cancel() {
        let engine = state.withLock { state -> OperationHandle? in
            state.stopRequested = true
            return state.engine
        }
        engine?.cancel()
    }

    /// Stops the operation because a callback returned non-zero; its DONE reports VG_E_ABORTED_BY_CALLBACK.
    private func abort() {
        state.withLock { $0.aborted = true }
        cancel()
    }

    private var wasAborted: Bool { state.withLock { $0.aborted } }

    // MARK: delivery (on a caller's thread)

    /// What delivering one event did.
    enum Delivery {
        /// No callback ran (the task was freed or cancelled, the callback takes no such event, or none was given).
        case skipped
        /// A callback ran.
        case shown
        /// It was the DONE event: the operation's final result, and whether a callback saw it.
        case finished(Result<OperationValue, VideoGenError>, shown: Bool)
    }

    /// Delivers one of this operation's events: updates the task's view, then runs `callback` (unless the task was
    /// freed or cancelled, or a callback already asked to stop).
    func deliver(_ payload: PendingEvent.Payload, to callback: Callback) -> Delivery {
        switch payload {
        case .update(let snapshot):
            box?.update(snapshot)
            return notify(VG_EVENT_UPDATE, callback)
        case .transfer:
            guard let bytes = state.withLock({ state -> (Int64, Int64?)? in
                defer { state.transfer = nil }
                return state.transfer
            }) else { return .skipped }
            return showTransfer(bytes, callback)
        case .done(let result):
            if case .success(.task(let final)) = result, kind == .download, let record = final.download {
                // The promised last TRANSFER, with received == total, unless the coalesced progress said exactly so.
                let shown = state.withLock { $0.shown }
                if shown?.received != record.bytes || shown?.total != record.bytes {
                    _ = showTransfer((record.bytes, record.bytes), callback)
                }
            }
            let outcome = finish(result)
            box?.end(self)
            return .finished(outcome, shown: notifyDone(outcome, callback))
        }
    }

    private func showTransfer(_ bytes: (Int64, Int64?), _ callback: Callback) -> Delivery {
        box?.setTransfer(received: bytes.0, total: bytes.1)
        let delivery = notify(VG_EVENT_TRANSFER, callback)
        if case .shown = delivery { state.withLock { $0.shown = bytes } }
        return delivery
    }

    /// True while the task's handle still names this operation's task.
    private var isLive: Bool {
        guard let box else { return false }
        return HandleTable.shared.lookup(OpaquePointer(bitPattern: handle), kind: .task, as: TaskBox.self) === box
    }

    /// Runs an UPDATE or TRANSFER callback; a non-zero answer stops the operation.
    private func notify(_ kind: vg_event_kind, _ callback: Callback) -> Delivery {
        guard callback.takes(kind), let box, !wasAborted, isLive else { return .skipped }
        let task = OpaquePointer(bitPattern: handle)
        guard let answer = box.runCallback({ callback.call(task, box, kind: kind, outcome: nil) }) else {
            return .skipped
        }
        if answer != 0 { abort() }
        return .shown
    }

    /// Runs the DONE callback: for an asynchronous operation always (every started operation ends with exactly one
    /// DONE), for a blocking one unless the task was cancelled.
    private func notifyDone(_ outcome: Result<OperationValue, VideoGenError>, _ callback: Callback) -> Bool {
        guard callback.takes(VG_EVENT_DONE), let box, isLive else { return false }
        let task = OpaquePointer(bitPattern: handle)
        return box.runCallback(evenIfCancelled: isAsynchronous) {
            callback.call(task, box, kind: VG_EVENT_DONE, outcome: outcome)
        } != nil
    }

    /// Applies the finish rule (`FinishRule`, the same for every operation, blocking or not) and carries out what it
    /// decided: the task's new view and byte count, a file to remove.
    private func finish(_ result: Result<OperationValue, VideoGenError>) -> Result<OperationValue, VideoGenError> {
        let finish = FinishRule.decide(kind, result: result, aborted: wasAborted, cancelled: box?.isCancelled ?? false,
                                       current: box?.snapshot)
        if let path = finish.unlink { unlink(path) }
        if let view = finish.view { box?.update(view) }
        if let bytes = finish.bytes { box?.setTransfer(received: bytes.received, total: bytes.total) }
        return finish.outcome
    }
}

/// The pending events of one blocking call, drained by the thread that made the call. It sleeps on that thread's
/// own condition variable (`ThreadCondition`), made once per thread, never per call.
final class CallerInbox: @unchecked Sendable {
    // Unchecked: `events` is read and written only while holding `condition`'s mutex.
    private let condition = ThreadCondition.current
    private var events: [PendingEvent] = []

    /// Queues an event (any thread) and wakes the calling thread.
    func post(_ event: PendingEvent) {
        condition.lock()
        events.append(event)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until events are pending, then takes them all (the calling thread only).
    func take() -> [PendingEvent] {
        condition.lock()
        defer { condition.unlock() }
        while events.isEmpty { condition.wait() }
        defer { events.removeAll() }
        return events
    }
}

/// One condition variable per thread that blocks in the library, made on its first blocking call and freed when the
/// thread exits. Blocking calls nested in a callback on the same thread share it; each waits for its own inbox.
enum ThreadCondition {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { raw in
            if let raw { Unmanaged<Condition>.fromOpaque(raw).release() }
        }
        return key
    }()

    /// The calling thread's condition.
    static var current: Condition {
        if let raw = pthread_getspecific(key) { return Unmanaged<Condition>.fromOpaque(raw).takeUnretainedValue() }
        let condition = Condition()
        pthread_setspecific(key, Unmanaged.passRetained(condition).toOpaque())
        return condition
    }
}
