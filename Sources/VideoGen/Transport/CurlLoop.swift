import CVideoGenNative
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// One thread driving one libcurl multi handle: it starts transfers, lets libcurl move their bytes (callbacks run
/// here), ends them when libcurl reports them done, and fails them when their deadline passes or they are
/// cancelled.
///
/// Other threads talk to it through `inbox` and `curl_multi_wakeup`; nothing else is shared. The thread sleeps in
/// `curl_multi_poll` until a socket is ready, libcurl's next timer, the nearest transfer deadline, or a wakeup, so
/// an idle process has no wake-ups. Easy handles are kept for reuse (libcurl's connection cache belongs to the
/// multi handle; a kept easy handle saves its allocation).
final class CurlLoop: @unchecked Sendable {
    // Unchecked: `multi` is used by the loop thread only, except `curl_multi_wakeup`, which is thread-safe; the
    // loop-confined state below is touched by that thread only; `inbox` is a Mutex.
    private enum Command {
        case start(CurlTransfer)
        case cancel(CurlTransfer, VideoGenError)
        case schedule(LoopTimer)
        case unschedule(LoopTimer)
    }

    /// Easy handles kept for reuse.
    private static let keptHandles = 32

    private let name: String
    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex<[Command]>([])

    /// Transfers running at once per origin: the connections libcurl may open to it (plain HTTP/1.1), times the
    /// streams a connection carries over TLS (where HTTP/2 multiplexes). The rest wait here, in order, instead of
    /// in libcurl's pending list, which it walks on every call.
    private let connectionsPerHost: Int
    /// Downloads (bulk sinks, sliding deadlines) rather than control requests (fixed deadlines, in `deadlines`).
    private let carriesDownloads: Bool
    private static let streamsPerConnection = 32

    // Loop-confined.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var spare: [UnsafeMutableRawPointer] = []
    private var running: [String: Int] = [:]
    private var waiting: [String: TransferQueue] = [:]
    /// Every live transfer's deadline (running or waiting), nearest first; entries of ended transfers, and old entries
    /// of downloads whose deadline moved on, are dropped when they come up.
    private var deadlines = DeadlineHeap<CurlTransfer>()
    /// Timers (waiting tasks' next polls), nearest first.
    private var timers = DeadlineHeap<LoopTimer>()
    /// The loop's thread (its `pthread_t`), 0 until it runs: read on every command sent, so an atomic, not a lock.
    private let thread = Atomic<UInt>(0)

    /// Starts a loop thread named `name` with at most `connectionsPerHost` connections per host; nil when libcurl
    /// cannot be initialised or the thread cannot start (out of memory or threads).
    init?(name: String, connectionsPerHost: Int, carriesDownloads: Bool) {
        guard videogen_curl_global_init() == 0, let multi = videogen_curl_multi_new(connectionsPerHost) else { return nil }
        self.name = name
        self.multi = multi
        self.connectionsPerHost = connectionsPerHost
        self.carriesDownloads = carriesDownloads
        let retained = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { argument in
            let loop = Unmanaged<CurlLoop>.fromOpaque(argument!).takeRetainedValue()
            loop.run()
            return nil
        }, retained)
        guard created == 0 else {
            Unmanaged<CurlLoop>.fromOpaque(retained).release()
            return nil
        }
        pthread_detach(thread)
    }

    /// Queues `transfer` to start; its result comes through `CurlTransfer.finish`.
    func start(_ transfer: CurlTransfer) {
        send(.start(transfer))
    }

    /// Ends `transfer` with `error` (now, if it runs; as soon as it starts otherwise).
    func cancel(_ transfer: CurlTransfer, with error: VideoGenError) {
        send(.cancel(transfer, error))
    }

    /// Calls `fire` on the loop thread at `deadline` (monotonic ns), unless the returned timer is cancelled first.
    func schedule(at deadline: UInt64, _ fire: @escaping @Sendable () -> Void) -> LoopTimer {
        let timer = LoopTimer(deadline: deadline, loop: self, fire: fire)
        send(.schedule(timer))
        return timer
    }

    /// Takes a cancelled timer out of the heap.
    func unschedule(_ timer: LoopTimer) {
        send(.unschedule(timer))
    }

    /// True on the loop's own thread.
    private var onLoopThread: Bool {
        let loopThread = thread.load(ordering: .acquiring)
        return loopThread != 0 && pthread_equal(pthread_t(loopThread), pthread_self()) != 0
    }

    private func send(_ command: Command) {
        inbox.withLock { $0.append(command) }
        // The loop looks at its inbox again before it sleeps: a command from its own thread (a completion that starts
        // the next request, a timer that re-arms) needs no wakeup.
        if !onLoopThread { _ = videogen_curl_multi_wakeup(multi) }
    }

    private func run() {
        videogen_name_thread(name)
        thread.store(UInt(pthread_self()), ordering: .releasing)
        var running: Int32 = 0
        while true {
            let commands = inbox.withLock { inbox -> [Command] in
                defer { inbox.removeAll(keepingCapacity: true) }
                return inbox
            }
            for command in commands {
                switch command {
                case .start(let transfer): begin(transfer)
                case .cancel(let transfer, let error): end(transfer, with: error)
                case .schedule(let timer): timers.push(timer)
                case .unschedule(let timer): timers.remove(timer)
                }
            }
            _ = videogen_curl_multi_perform(multi, &running)
            var easy: UnsafeMutableRawPointer?
            var code: Int32 = 0
            while videogen_curl_multi_next_done(multi, &easy, &code) != 0 {
                guard let easy, let transfer = active[easy] else { continue }
                var info = videogen_curl_info()
                videogen_curl_easy_info(easy, &info)
                retire(transfer)
                transfer.finish(transfer.outcome(code: code, info: info))
            }
            let now = MonotonicTime.now
            let nextTimer = fireTimers(now: now)
            let wait = [expire(now: now), nextTimer].compactMap { $0 }.min()
            let curlWait = videogen_curl_multi_timeout(multi)
            var timeout = wait.map { Int($0 / 1_000_000) + 1 } ?? 60_000
            if curlWait >= 0 { timeout = min(timeout, curlWait) }
            // Commands sent from this thread meanwhile (by completions and timers) are taken at once.
            if inbox.withLock({ !$0.isEmpty }) { timeout = 0 }
            _ = videogen_curl_multi_poll(multi, Int32(clamping: timeout))
        }
    }

    /// Starts `transfer`, or queues it behind the transfers running to its origin, or ends it at once (cancelled
    /// before it started).
    private func begin(_ transfer: CurlTransfer) {
        if let cancelled = transfer.cancelledBeforeStart {
            transfer.finish(.failure(cancelled))
            return
        }
        if !transfer.isBulk { deadlines.push(transfer) }
        let origin = transfer.origin
        let limit = transfer.request.url.scheme?.lowercased() == "https"
            ? connectionsPerHost * CurlLoop.streamsPerConnection : connectionsPerHost
        if running[origin, default: 0] >= limit {
            transfer.isWaiting = true
            waiting[origin, default: TransferQueue()].append(transfer)
            return
        }
        launch(transfer)
    }

    /// Adds `transfer` to the multi handle (counted against its origin), or ends it when that fails.
    /// - Returns: whether it started.
    @discardableResult
    private func launch(_ transfer: CurlTransfer) -> Bool {
        guard let easy = spare.popLast() ?? videogen_curl_easy_new() else {
            deadlines.remove(transfer)
            transfer.finish(.failure(VideoGenError(.outOfMemory, "libcurl could not allocate a transfer")))
            return false
        }
        do {
            try transfer.prepare(easy)
        } catch {
            spare.append(easy)
            deadlines.remove(transfer)
            transfer.finish(.failure(VideoGenError.wrap(error)))
            return false
        }
        guard videogen_curl_multi_add(multi, easy) == 0 else {
            transfer.easy = nil
            videogen_curl_easy_release(easy)
            spare.append(easy)
            deadlines.remove(transfer)
            transfer.finish(.failure(VideoGenError(.internal, "libcurl refused to start the transfer")))
            return false
        }
        active[easy] = transfer
        running[transfer.origin, default: 0] += 1
        return true
    }

    /// Starts the next transfer waiting for `origin`, if any (skipping those that fail to start).
    private func startWaiting(for origin: String) {
        while let next = waiting[origin]?.popFirst() {
            next.isWaiting = false
            if launch(next) { break }
        }
        if waiting[origin]?.isEmpty == true { waiting.removeValue(forKey: origin) }
    }

    /// Ends a running transfer with `error`; marks one not started yet so that it ends when it starts.
    private func end(_ transfer: CurlTransfer, with error: VideoGenError) {
        if transfer.isWaiting {
            unqueue(transfer)
            transfer.finish(.failure(error))
            return
        }
        guard let easy = transfer.easy, active[easy] === transfer else {
            if transfer.easy == nil { transfer.cancelledBeforeStart = error }
            transfer.finish(.failure(error))
            return
        }
        retire(transfer)
        transfer.finish(.failure(error))
    }

    /// Takes a transfer's handle out of the multi handle and keeps it for reuse.
    private func retire(_ transfer: CurlTransfer) {
        deadlines.remove(transfer)
        guard let easy = transfer.easy else { return }
        _ = videogen_curl_multi_remove(multi, easy)
        active.removeValue(forKey: easy)
        let origin = transfer.origin
        if let count = running[origin] {
            if count <= 1 { running.removeValue(forKey: origin) } else { running[origin] = count - 1 }
        }
        transfer.easy = nil
        videogen_curl_easy_release(easy)
        if spare.count < CurlLoop.keptHandles {
            spare.append(easy)
        } else {
            videogen_curl_easy_free(easy)
        }
        startWaiting(for: origin)
    }

    /// Takes a waiting transfer out of its queue.
    private func unqueue(_ transfer: CurlTransfer) {
        deadlines.remove(transfer)
        transfer.isWaiting = false
        waiting[transfer.origin]?.remove(transfer)
        if waiting[transfer.origin]?.isEmpty == true { waiting.removeValue(forKey: transfer.origin) }
    }

    /// Fires every timer that is due; returns the nanoseconds to the nearest timer left, if any.
    private func fireTimers(now: UInt64) -> UInt64? {
        while let timer = timers.first, timer.deadline <= now {
            timers.remove(timer)
            timer.take()?()
        }
        return timers.first.map { $0.deadline - now }
    }

    /// Fails every transfer past its deadline; returns the nanoseconds to the nearest deadline left, if any.
    private func expire(now: UInt64) -> UInt64? {
        // Control requests: fixed deadlines, in the heap.
        while let transfer = deadlines.first, transfer.deadline <= now {
            deadlines.remove(transfer)
            expireOne(transfer)
        }
        var nearest = deadlines.first.map { $0.deadline - now }
        guard carriesDownloads else { return nearest }
        // Downloads: deadlines that move with progress, on a loop that carries few transfers; looked at one by one.
        var expired: [CurlTransfer] = []
        for transfer in active.values where transfer.isBulk {
            if transfer.deadline <= now { expired.append(transfer) } else { nearest = min(nearest ?? .max, transfer.deadline - now) }
        }
        for queue in waiting.values {
            for transfer in queue.transfers where transfer.isBulk {
                if transfer.deadline <= now { expired.append(transfer) } else { nearest = min(nearest ?? .max, transfer.deadline - now) }
            }
        }
        for transfer in expired { expireOne(transfer) }
        return nearest
    }

    /// Fails one transfer whose deadline passed. One still queued for a connection never sent a byte: its timeout
    /// says so (`requestNotSent`), so that a submit that timed out there is retried, not reported as an unknown
    /// outcome.
    private func expireOne(_ transfer: CurlTransfer) {
        var error = transfer.timeoutError
        if transfer.isWaiting {
            unqueue(transfer)
            error.message += " (it waited for a connection and was never sent)"
            error.requestNotSent = true
        } else {
            retire(transfer)
        }
        transfer.finish(.failure(error))
    }
}

/// Transfers waiting for a connection to their origin, first in first out.
struct TransferQueue {
    private var items: [CurlTransfer] = []
    private var head = 0

    /// The waiting transfers, oldest first.
    var transfers: ArraySlice<CurlTransfer> { items[head...] }
    var isEmpty: Bool { head == items.count }

    mutating func append(_ transfer: CurlTransfer) {
        items.append(transfer)
    }

    mutating func popFirst() -> CurlTransfer? {
        guard head < items.count else { return nil }
        let first = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return first
    }

    mutating func remove(_ transfer: CurlTransfer) {
        if let index = items[head...].firstIndex(where: { $0 === transfer }) { items.remove(at: index) }
    }
}
