#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import VideoGen

/// A client's queue of undispatched events, with a descriptor (the read end of a pipe) that is readable exactly
/// while the queue is not empty, so that event loops can watch it.
final class ClientEventQueue: Sendable {
    private let pending = Mutex<[PendingEvent]>([])
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

    /// Queues an event and marks the descriptor readable.
    func post(_ event: PendingEvent) {
        pending.withLock { queue in
            queue.append(event)
            if queue.count == 1 && writeEnd >= 0 {
                var one: UInt8 = 1
                _ = write(writeEnd, &one, 1)
            }
        }
    }

    /// Takes every pending event and marks the descriptor not readable.
    func drain() -> [PendingEvent] {
        pending.withLock { queue in
            let events = queue
            queue.removeAll(keepingCapacity: true)
            if descriptor >= 0 {
                var sink = [UInt8](repeating: 0, count: 64)
                while read(descriptor, &sink, sink.count) > 0 {}
            }
            return events
        }
    }

    /// Drops every pending event, ending the operations whose DONE event will never be dispatched.
    func discardAll() {
        for event in drain() {
            if case .done = event.payload { event.operation.box?.end(event.operation) }
        }
    }

    /// True when an event is pending.
    var hasEvents: Bool { pending.withLock { !$0.isEmpty } }

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
