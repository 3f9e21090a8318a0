import Foundation
import Synchronization

/// The state of one request in flight: its sink, its continuation, and the first failure that ended it.
///
/// Completion is idempotent: whichever comes first of URLSession's completion, the caller's cancellation and the
/// watchdog resumes the continuation, once; later ones are ignored. So a cancelled or stalled request returns
/// promptly even when URLSession is slow to acknowledge.
final class RequestContext: Sendable {
    private struct State {
        var continuation: CheckedContinuation<HTTPResponseHead, any Error>?
        var head: HTTPResponseHead?
        var failure: VideoGenError?
        var finished = false
        var redirects = 0
        var lastActivity = ContinuousClock.now
        var bytesSinceProgress: Int64 = 0
    }

    let sink: any ResponseSink
    /// Body bytes that count as one sign of progress for the idle watchdog.
    let progressBytes: Int64
    private let state = Mutex(State())

    init(sink: any ResponseSink, progressBytes: Int64 = 1) {
        self.sink = sink
        self.progressBytes = max(1, progressBytes)
    }

    /// Installs the continuation; returns false (and resumes it with `.cancelled`) if the request already ended.
    func install(_ continuation: CheckedContinuation<HTTPResponseHead, any Error>) -> Bool {
        let alreadyFinished = state.withLock { state -> VideoGenError? in
            if state.finished { return state.failure ?? VideoGenError(.cancelled, "the request was cancelled") }
            state.continuation = continuation
            return nil
        }
        if let alreadyFinished {
            continuation.resume(throwing: alreadyFinished)
            return false
        }
        return true
    }

    /// True until the request finished one way or another.
    var isActive: Bool { state.withLock { !$0.finished } }

    /// Seconds since the last sign of progress.
    var idleSeconds: Double {
        let since = state.withLock { $0.lastActivity }.duration(to: .now)
        return Double(since.components.seconds) + Double(since.components.attoseconds) / 1e18
    }

    /// Records progress: events (`bytes` 0) always reset the idle watchdog; body bytes reset it once
    /// `progressBytes` of them arrived since the last reset.
    func touch(bytes: Int = 0) {
        state.withLock {
            if bytes == 0 {
                $0.lastActivity = .now
                return
            }
            $0.bytesSinceProgress += Int64(bytes)
            if $0.bytesSinceProgress >= progressBytes {
                $0.lastActivity = .now
                $0.bytesSinceProgress = 0
            }
        }
    }

    /// Counts a redirect hop; returns the new count.
    func countRedirect() -> Int {
        state.withLock { state in
            state.redirects += 1
            return state.redirects
        }
    }

    /// Remembers why the request must fail, without finishing it yet (URLSession will complete it).
    func noteFailure(_ error: VideoGenError) {
        state.withLock { state in
            if state.failure == nil { state.failure = error }
        }
    }

    /// The failure noted so far.
    var notedFailure: VideoGenError? { state.withLock { $0.failure } }

    /// Records the response head.
    func setHead(_ head: HTTPResponseHead) {
        state.withLock { $0.head = head }
    }

    /// Ends the request: with the noted failure if any, else `error` if given, else the head.
    func finish(error: VideoGenError?) {
        let (continuation, result) = state.withLock { state -> (CheckedContinuation<HTTPResponseHead, any Error>?, Result<HTTPResponseHead, VideoGenError>) in
            guard !state.finished else { return (nil, .failure(VideoGenError(.internal, "finished twice"))) }
            state.finished = true
            if state.failure == nil, let error { state.failure = error }
            let continuation = state.continuation
            state.continuation = nil
            if let failure = state.failure { return (continuation, .failure(failure)) }
            if let head = state.head { return (continuation, .success(head)) }
            let missing = VideoGenError(.network, "the connection ended before a response arrived")
            state.failure = missing
            return (continuation, .failure(missing))
        }
        guard let continuation else { return }
        switch result {
        case .success(let head): continuation.resume(returning: head)
        case .failure(let error): continuation.resume(throwing: error)
        }
    }
}
