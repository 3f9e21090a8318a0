/// The decisions of one download, as a pure machine: told how each attempt ended (and how far the part file got),
/// it answers whether to commit the file, fetch a fresh URL, retry after a pause, or give up. Attempts and backoff
/// are the engine's one retry machine (`RetryStateMachine`, kind `.download`); what is particular to downloads is
/// here: a partial success (bytes the next attempt keeps) gives the attempts back, a 416 on a complete part is a
/// finished download, and an expired signed URL (403, 404 or 410 from a host other than the service) is replaced by
/// polling the task again, at most `maxURLRefreshes` times. `Downloader` carries the actions out.
struct DownloadStateMachine: Sendable {
    /// How one attempt ended.
    enum Outcome: Sendable, Equatable {
        /// A 2xx answer whose body is all in the part file.
        case completed
        /// 416 to a range request; `partComplete` when the part file already holds the whole video.
        case rangeNotSatisfiable(partComplete: Bool)
        /// The attempt failed with this (scrubbed) error.
        case failed(VideoGenError)
    }

    /// What the driver does next.
    enum Action: Sendable, Equatable {
        /// Check and move the part file into place.
        case commit
        /// Poll the task for a fresh video URL, then try again at once.
        case refreshURL
        /// Try again after this many seconds (resuming from the part file).
        case retry(after: Double)
        /// Give up with this error (the part file stays when it can be resumed).
        case fail(VideoGenError)
    }

    private var retry: RetryStateMachine
    private let maxURLRefreshes: Int
    private(set) var refreshes = 0
    /// The furthest the part file got, in bytes a later attempt keeps.
    private(set) var furthest: Int64

    /// - Parameter resumableBytes: what the part file holds at the start (a download another call left).
    init(policy: RetryPolicy, maxURLRefreshes: Int, resumableBytes: Int64) {
        retry = RetryStateMachine(policy: policy, kind: .download)
        self.maxURLRefreshes = maxURLRefreshes
        furthest = resumableBytes
    }

    /// An attempt ended.
    /// - Parameters:
    ///   - resumableBytes: what the part file holds now, in bytes a next attempt keeps.
    ///   - foreignURL: the URL is on another host than the service (a signed storage URL, which can expire).
    ///   - budget: the client's retry quota.
    ///   - unit: a uniform number in 0..<1 for the backoff's jitter.
    mutating func attemptEnded(_ outcome: Outcome, resumableBytes: Int64, foreignURL: Bool, budget: RetryBudget,
                               unit: Double) -> Action {
        let error: VideoGenError
        switch outcome {
        case .completed, .rangeNotSatisfiable(partComplete: true):
            retry.succeeded(budget: budget)
            return .commit
        case .rangeNotSatisfiable(partComplete: false):
            error = VideoGenError(.protocolError, "the server refused to resume the download", httpStatus: 416)
        case .failed(let failure):
            error = failure
        }
        if foreignURL, let status = error.httpStatus, [403, 404, 410].contains(status), refreshes < maxURLRefreshes {
            refreshes += 1
            return .refreshURL
        }
        if resumableBytes > furthest {
            furthest = resumableBytes
            retry.progressed(budget: budget)
        }
        switch retry.failed(error, budget: budget, unit: unit) {
        case .retry(let delay): return .retry(after: delay)
        case .fail(let failure), .waitForSchedule(let failure): return .fail(failure)
        }
    }
}
