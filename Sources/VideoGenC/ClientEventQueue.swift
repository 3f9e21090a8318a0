#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import VideoGen

/// A client's queue of undispatched events, with a descriptor (the read end of a pipe) that is readable exactly
/// while the queue is not empty, so that event loops can watch it.
final class ClientEventQueue: Sendable {
    private struct Pending {
        var events: [PendingEvent] = []
        /// Set by `discardAll` (vg_client_free): nobody dispatches any more, so later events are dropped as they come.
        var closed = false
    }

    private let pending = Mutex(Pending())
    /// The pipe's read end (non-blocking, close-on-exec); -1 if the system refused a pipe (then dispatch waits by
    /// sleeping briefly).
    let descriptor: Int32
    private let writeEnd: Int32

    init() {
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends {
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            }
            descriptor = ends[0]
            writeEnd = ends[1]
        } else {
            descriptor = -1
            writeEnd = -1
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if writeEnd >= 0 { close(writeEnd) }
    }

    /// Queues an event and marks the descriptor readable; once the client was freed, drops it instead (ending its
    /// operation if it is a DONE), so that an operation still running then does not keep its task alive.
    func post(_ event: PendingEvent) {
        let dropped = pending.withLock { pending -> Bool in
            guard !pending.closed else { return true }
            pending.events.append(event)
            if pending.events.count == 1 && writeEnd >= 0 {
                var one: UInt8 = 1
                _ = write(writeEnd, &one, 1)
            }
            return false
        }
        if dropped, case .done = event.payload { event.operation.box?.end(event.operation) }
    }

    /// Takes every pending event and marks the descriptor not readable.
    func drain() -> [PendingEvent] {
        take(closing: false)
    }

    /// Drops every pending event and every later one, ending the operations whose DONE event will never be
    /// dispatched (vg_client_free).
    func discardAll() {
        for event in take(closing: true) {
            if case .done = event.payload { event.operation.box?.end(event.operation) }
        }
    }

    private func take(closing: Bool) -> [PendingEvent] {
        pending.withLock { pending in
            if closing { pending.closed = true }
            let events = pending.events
            pending.events.removeAll(keepingCapacity: !closing)
            if descriptor >= 0 {
                var sink = [UInt8](repeating: 0, count: 64)
                while read(descriptor, &sink, sink.count) > 0 {}
            }
            return events
        }
    }

    /// True when an event is pending.
    var hasEvents: Bool { pending.withLock { !$0.events.isEmpty } }

    /// Waits until an event is pending or `timeout` seconds passed (negative: no limit).
    func waitForEvents(timeout: Double) {
        guard timeout != 0, !hasEvents else { return }
        if descriptor >= 0 {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let millis = timeout < 0 ? Int32(-1) : Int32(min(timeout * 1000, Double(Int32.max)).rounded(.up))
            _ = poll(&entry, 1, millis)
        } else {
            let deadline = ContinuousClock.now + .milliseconds(Int64(max(0, timeout) * 1000))
            while !hasEvents && (timeout < 0 || ContinuousClock.now < deadline) { usleep(1000) }
        }
    }
}
