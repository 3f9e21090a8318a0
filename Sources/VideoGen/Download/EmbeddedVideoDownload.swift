import FoundationEssentials

extension Downloader {
    /// Downloads a video the service returns inside a JSON answer (`EmbeddedVideo`): the answer is asked for again
    /// (retried like a status request), decoded, and written through the same part file, length check, SHA-256,
    /// sync and rename as a URL download, so that `path` never holds a partial file and the record only the path,
    /// size and digest.
    func downloadEmbedded(_ embedded: EmbeddedVideo, of snapshot: TaskSnapshot, to path: String,
                          onProgress: @escaping @Sendable (Int64, Int64?) -> Void) async throws -> DownloadRecord {
        let configuration = executor.configuration
        let response = try await executor.send(embedded.request, mode: .idempotent)
        let bytes: Data
        do {
            bytes = try embedded.decode(response)
        } catch {
            throw executor.scrubbed(VideoGenError.wrap(error))
        }
        if let limit = configuration.maxDownloadBytes, Int64(bytes.count) > limit {
            throw VideoGenError(.tooLarge, "the video is \(bytes.count) bytes, over the \(limit)-byte download limit")
        }
        let sink = try FileSink(path: path, maxBytes: configuration.maxDownloadBytes, resumeKey: nil,
                                apiKey: configuration.apiKey, onProgress: onProgress)
        defer { sink.abandon() }
        _ = try sink.resumeHeaders()
        try sink.receive(head: HTTPResponseHead(status: 200, headers: ["content-length": String(bytes.count)]))
        try sink.receive(data: bytes)
        let result = try sink.commit(to: path)
        return DownloadRecord(path: path, bytes: result.bytes, sha256: result.sha256)
    }
}
