import FoundationEssentials

/// Downloads a task's video: streamed to `<path>.part` beside the destination, length-checked, hashed, synced and
/// renamed into place. A dropped transfer is retried and resumes where it stopped (`Range` + `If-Range`), also in
/// another process: `<path>.part.resume` notes the task and the validator the part file was written for; a server
/// that ignores the range, or a file that changed, restarts it from zero. A download that fails or is cancelled
/// leaves the part file and its note for the next download when they can be continued (`FileSink.abandon`). An
/// expired signed URL (403, 404 or 410 from a host other than the service) is replaced by polling the task again,
/// at most `maxURLRefreshes` times. The key goes only to the configured origin: a signed URL on another host gets
/// no credentials, and a redirect that leaves the origin loses them.
struct Downloader: Sendable {
    /// Fresh URLs fetched per download before an expired URL is reported.
    static let maxURLRefreshes = 3

    let executor: RequestExecutor
    /// Polls the task again (for a fresh video URL).
    let refresh: @Sendable (TaskSnapshot) async throws -> TaskSnapshot

    /// - Parameter resumeTag: which asset of the task this is when it is not the video (`output 2`, `thumbnail`): a
    ///   part file left for one asset is never continued with another's bytes.
    func download(_ snapshot: TaskSnapshot, to path: String, resumeTag: String? = nil,
                  onProgress: @escaping @Sendable (Int64, Int64?) -> Void) async throws -> DownloadRecord {
        guard !path.isEmpty else { throw VideoGenError(.invalidArgument, "the download path is empty") }
        // A C path ends at its first NUL: the file would be written somewhere else than asked.
        guard !path.utf8.contains(0) else { throw VideoGenError(.invalidArgument, "the download path contains a NUL character") }
        let current = snapshot
        let configuration = executor.configuration
        if current.state == .succeeded,
           let embedded = try executor.adapter.embeddedVideo(for: current, baseURL: configuration.baseURL) {
            return try await downloadEmbedded(embedded, of: current, to: path, onProgress: onProgress)
        }
        _ = try videoURL(of: current)
        // A part file another process left for the same task is continued, not started over.
        let resumeKey = current.id.isEmpty ? nil
            : "\(current.dialect) \(current.baseURL) \(current.id)" + (resumeTag.map { " \($0)" } ?? "")
        let sink = try FileSink(path: path, maxBytes: configuration.maxDownloadBytes, resumeKey: resumeKey,
                                apiKey: configuration.apiKey, onProgress: onProgress)
        defer { sink.abandon() }
        guard let limit = configuration.downloadTimeout else {
            return try await transfer(current, to: path, sink: sink)
        }
        // The whole download (every attempt, backoff and URL refresh) within `download_timeout`: past it the
        // transfer is cancelled and the part file kept for a later call, as for any failed download.
        return try await withThrowingTaskGroup(of: DownloadRecord?.self) { group in
            group.addTask { try await transfer(current, to: path, sink: sink) }
            group.addTask {
                try await Task.sleep(for: .seconds(limit))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let record = first else {
                throw VideoGenError(.timeout, "the download did not finish within download_timeout (\(limit) s)")
            }
            return record
        }
    }

    /// The attempts of one download into `sink`, until it is committed to `path` or fails for good.
    private func transfer(_ snapshot: TaskSnapshot, to path: String, sink: FileSink) async throws -> DownloadRecord {
        var current = snapshot
        let configuration = executor.configuration
        var machine = DownloadStateMachine(policy: configuration.retry, maxURLRefreshes: Downloader.maxURLRefreshes,
                                           resumableBytes: sink.resumableBytes)
        while true {
            if Task.isCancelled { throw VideoGenError(.cancelled, "the download was cancelled") }
            let url = try videoURL(of: current)
            var request = HTTPRequest(method: "GET", url: url, headers: [("Accept", "*/*")])
            request.headers += try sink.resumeHeaders()
            var outcome: DownloadStateMachine.Outcome
            do {
                let progressBytes = max(1, Int64(Double(configuration.minDownloadRate) * configuration.stallTimeout))
                let head = try await executor.transport.stream(try await executor.authorized(request), timeout: configuration.stallTimeout,
                                                               progressBytes: progressBytes, sink: sink)
                if (200..<300).contains(head.status) {
                    outcome = .completed
                } else if head.status == 416 {
                    outcome = .rangeNotSatisfiable(partComplete: try sink.partIsComplete())
                } else {
                    let answer = sink.errorResponse
                    outcome = .failed(executor.scrubbed(executor.adapter.error(from: HTTPResponse(status: answer.status, headers: head.headers, body: answer.body))))
                }
            } catch {
                outcome = .failed(executor.scrubbed(VideoGenError.wrap(error)))
            }
            var action = machine.attemptEnded(outcome, resumableBytes: sink.resumableBytes,
                                              foreignURL: !OriginPolicy.sameOrigin(url, configuration.baseURL),
                                              budget: executor.budget, unit: executor.random())
            if action == .commit {
                do {
                    let result = try sink.commit(to: path)
                    machine.committed(budget: executor.budget)
                    return DownloadRecord(path: path, bytes: result.bytes, sha256: result.sha256)
                } catch {
                    // The body did not hold what the head declared (a transfer cut short), or the file could not be
                    // moved into place: the attempt failed after all.
                    outcome = .failed(executor.scrubbed(VideoGenError.wrap(error)))
                    action = machine.attemptEnded(outcome, resumableBytes: sink.resumableBytes,
                                                  foreignURL: !OriginPolicy.sameOrigin(url, configuration.baseURL),
                                                  budget: executor.budget, unit: executor.random())
                }
            }
            switch action {
            case .commit:
                throw VideoGenError(.internal, "the download was asked to commit twice")
            case .refreshURL:
                current = try await refresh(current)
            case .retry(let delay):
                do { try await executor.pause(delay) } catch { throw VideoGenError(.cancelled, "the download was cancelled") }
            case .fail(let error):
                throw error
            }
        }
    }

    /// The task's video URL, checked: only a succeeded task has one, and only http(s) that policy allows. The
    /// gateway's own content route for this task named under another address (new-api builds it from its
    /// configured server address) is fetched from the configured base URL, with the key (`ContentProxy.relocated`).
    private func videoURL(of snapshot: TaskSnapshot) throws -> URL {
        guard snapshot.state == .succeeded else {
            throw VideoGenError(.notReady, "the task is \(snapshot.state.rawValue); only a succeeded task has a video to download")
        }
        if snapshot.videoURL?.contains("<redacted>") == true {
            throw VideoGenError(.notReady, "the task's video URL contained the API key, which is never kept; ask the service for another URL")
        }
        guard let text = snapshot.videoURL, var url = URL(string: text) else {
            throw VideoGenError(.notReady, "the task has no video URL")
        }
        url = ContentProxy.relocated(url, taskID: snapshot.id, baseURL: executor.configuration.baseURL) ?? url
        try OriginPolicy.check(url, allowInsecureHTTP: executor.configuration.allowInsecureHTTP, purpose: "download")
        return url
    }
}
