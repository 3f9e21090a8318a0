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
    }

    /// Easy handles kept for reuse.
    private static let keptHandles = 32

    private let name: String
    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex<[Command]>([])

    // Loop-confined.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var spare: [UnsafeMutableRawPointer] = []

    /// Starts a loop thread named `name` with at most `connectionsPerHost` connections per host; nil when libcurl
    /// cannot be initialised or the thread cannot start (out of memory or threads).
    init?(name: String, connectionsPerHost: Int) {
        guard videogen_curl_global_init() == 0, let multi = videogen_curl_multi_new(connectionsPerHost) else { return nil }
        self.name = name
        self.multi = multi
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

    private func send(_ command: Command) {
        inbox.withLock { $0.append(command) }
        _ = videogen_curl_multi_wakeup(multi)
    }

    private func run() {
        videogen_name_thread(name)
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
            let wait = expire(now: MonotonicTime.now)
            let curlWait = videogen_curl_multi_timeout(multi)
            var timeout = wait.map { Int($0 / 1_000_000) + 1 } ?? 60_000
            if curlWait >= 0 { timeout = min(timeout, curlWait) }
            _ = videogen_curl_multi_poll(multi, Int32(clamping: timeout))
        }
    }

    /// Adds `transfer` to the multi handle, or ends it at once (cancelled before it started, or refused).
    private func begin(_ transfer: CurlTransfer) {
        if let cancelled = transfer.cancelledBeforeStart {
            transfer.finish(.failure(cancelled))
            return
        }
        guard let easy = spare.popLast() ?? videogen_curl_easy_new() else {
            transfer.finish(.failure(VideoGenError(.outOfMemory, "libcurl could not allocate a transfer")))
            return
        }
        do {
            try transfer.prepare(easy)
        } catch {
            spare.append(easy)
            transfer.finish(.failure(VideoGenError.wrap(error)))
            return
        }
        guard videogen_curl_multi_add(multi, easy) == 0 else {
            transfer.easy = nil
            videogen_curl_easy_release(easy)
            spare.append(easy)
            transfer.finish(.failure(VideoGenError(.internal, "libcurl refused to start the transfer")))
            return
        }
        active[easy] = transfer
    }

    /// Ends a running transfer with `error`; marks one not started yet so that it ends when it starts.
    private func end(_ transfer: CurlTransfer, with error: VideoGenError) {
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
        guard let easy = transfer.easy else { return }
        _ = videogen_curl_multi_remove(multi, easy)
        active.removeValue(forKey: easy)
        transfer.easy = nil
        videogen_curl_easy_release(easy)
        if spare.count < CurlLoop.keptHandles {
            spare.append(easy)
        } else {
            videogen_curl_easy_free(easy)
        }
    }

    /// Fails every transfer past its deadline; returns the nanoseconds to the nearest deadline left, if any.
    private func expire(now: UInt64) -> UInt64? {
        var nearest: UInt64?
        var expired: [CurlTransfer] = []
        for transfer in active.values {
            if transfer.deadline <= now {
                expired.append(transfer)
            } else {
                nearest = min(nearest ?? .max, transfer.deadline - now)
            }
        }
        for transfer in expired {
            retire(transfer)
            transfer.finish(.failure(transfer.timeoutError))
        }
        return nearest
    }
}
