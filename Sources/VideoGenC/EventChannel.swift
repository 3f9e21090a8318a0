import Dispatch
import Synchronization
import VideoGen

/// Carries what a background operation produces to the C thread that waits for it, so that callbacks run on that
/// thread only. Task updates are kept in order; byte progress is coalesced to its latest value.
final class EventChannel<Value: Sendable>: Sendable {
    enum Event {
        case update(TaskSnapshot)
        case transfer(received: Int64, total: Int64?)
        case done(Result<Value, VideoGenError>)
    }

    private struct State {
        var updates: [TaskSnapshot] = []
        var transfer: (Int64, Int64?)?
        var result: Result<Value, VideoGenError>?
    }

    private let state = Mutex(State())
    private let signal = DispatchSemaphore(value: 0)

    /// Queues a task update.
    func send(update snapshot: TaskSnapshot) {
        state.withLock { $0.updates.append(snapshot) }
        signal.signal()
    }

    /// Replaces the pending byte progress.
    func send(received: Int64, total: Int64?) {
        let wasEmpty = state.withLock { state -> Bool in
            let wasEmpty = state.transfer == nil
            state.transfer = (received, total)
            return wasEmpty
        }
        if wasEmpty { signal.signal() }
    }

    /// Delivers the operation's result; later results are ignored.
    func finish(_ result: Result<Value, VideoGenError>) {
        state.withLock { state in
            if state.result == nil { state.result = result }
        }
        signal.signal()
    }

    /// Blocks until something is pending, then returns it all: updates first, then progress, then the result.
    func next() -> [Event] {
        while true {
            let events = state.withLock { state -> [Event] in
                var events = state.updates.map(Event.update)
                state.updates.removeAll()
                if let transfer = state.transfer {
                    events.append(.transfer(received: transfer.0, total: transfer.1))
                    state.transfer = nil
                }
                if let result = state.result { events.append(.done(result)) }
                return events
            }
            if !events.isEmpty { return events }
            signal.wait()
        }
    }
}
