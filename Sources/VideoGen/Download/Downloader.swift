import Foundation

/// Downloads a task's video: streamed to `<path>.part` beside the destination, length-checked, hashed, synced and
/// renamed into place; retried from the start on transient failures. The key goes only to the configured origin:
/// a signed URL on another host gets no credentials, and a redirect that leaves the origin loses them.
struct Downloader {
    let executor: RequestExecutor

    func download(_ snapshot: TaskSnapshot, to path: String,
                  onProgress: @escaping @Sendable (Int64, Int64?) -> Void) async throws -> DownloadRecord {
        guard snapshot.state == .succeeded else {
            throw VideoGenError(.notReady, "the task is \(snapshot.state.rawValue); only a succeeded task has a video to download")
        }
        guard let text = snapshot.videoURL, let url = URL(string: text) else {
            throw VideoGenError(.notReady, "the task has no video URL")
        }
        try OriginPolicy.check(url, allowInsecureHTTP: executor.configuration.allowInsecureHTTP, purpose: "download")
        guard !path.isEmpty else { throw VideoGenError(.invalidArgument, "the download path is empty") }
        let configuration = executor.configuration
        let request = executor.authorized(HTTPRequest(method: "GET", url: url, headers: [("Accept", "*/*")]))
        var retries = 0
        while true {
            if Task.isCancelled { throw VideoGenError(.cancelled, "the download was cancelled") }
            let sink = try FileSink(path: path, maxBytes: configuration.maxDownloadBytes, onProgress: onProgress)
            let failure: VideoGenError
            do {
                let head = try await executor.transport.stream(request, timeout: configuration.stallTimeout, sink: sink)
                if (200..<300).contains(head.status) {
                    let result = try sink.commit(to: path)
                    return DownloadRecord(path: path, bytes: result.bytes, sha256: result.sha256)
                }
                let answer = sink.errorResponse
                failure = executor.adapter.error(from: HTTPResponse(status: answer.status, headers: head.headers, body: answer.body))
            } catch {
                failure = VideoGenError.wrap(error)
            }
            sink.discard()
            let reported = executor.scrubbed(failure)
            guard reported.isRetryable, reported.code != .cancelled, retries + 1 < configuration.retry.maxAttempts,
                  (reported.retryAfter ?? 0) <= configuration.retry.maxRetryAfter else { throw reported }
            let delay = reported.retryAfter ?? configuration.retry.backoff(retry: retries, unit: executor.random())
            retries += 1
            do { try await executor.sleep(delay) } catch { throw VideoGenError(.cancelled, "the download was cancelled") }
        }
    }
}
