import FoundationEssentials

/// The downloads of a task's other assets: output `i` of a task that made several videos (`n` > 1, or a service
/// that returns a list), and the stills a service names in its status answer (`TaskAssetLinks`). Each is fetched
/// like the video (part file, resume, length check, SHA-256); when its signed URL has expired, the task is polled
/// again and the same asset's fresh URL is taken.
extension VideoGenClient {
    /// Downloads output `output` (0-based, in the service's order) of a succeeded task to `path`. Output 0 is the
    /// video `download(_:to:onProgress:)` fetches; a task with one video has only output 0. The returned snapshot's
    /// `download` record names the output (`output`, when not 0).
    /// - Throws: `.invalidArgument` for an index the task does not have (naming how many it has), `.notReady`
    ///   before the task succeeded, or the download's error.
    public func download(_ snapshot: TaskSnapshot, output: Int, to path: String,
                         onProgress: @escaping @Sendable (Int64, Int64?) -> Void = { _, _ in }) async throws -> TaskSnapshot {
        try checkOwnership(snapshot)
        guard snapshot.state == .succeeded else {
            throw VideoGenError(.notReady, "the task is \(snapshot.state.rawValue); only a succeeded task has outputs to download")
        }
        _ = try VideoGenClient.outputURL(of: snapshot, index: output)
        guard output > 0 else { return try await download(snapshot, to: path, onProgress: onProgress) }
        var updated = try await downloadAsset(snapshot, to: path, tag: "output \(output)", onProgress: onProgress) { task in
            try VideoGenClient.outputURL(of: task, index: output)
        }
        updated.download?.output = output
        return updated
    }

    /// Starts a download of output `output` (see `download(_:output:to:onProgress:)`) in callback form.
    package func startDownload(_ snapshot: TaskSnapshot, output: Int, to path: String,
                               onProgress: @escaping @Sendable (Int64, Int64?) -> Void,
                               completion: @escaping OperationCompletion<TaskSnapshot>) -> OperationHandle {
        startTask(completion: completion) { [self] in
            try await download(snapshot, output: output, to: path, onProgress: onProgress)
        }
    }

    /// The URL of output `index` of `task`: `outputs[index]`, or the video for index 0 of a task with one video.
    /// - Throws: `.invalidArgument` naming how many outputs the task has.
    static func outputURL(of task: TaskSnapshot, index: Int) throws -> String {
        let outputs = task.outputs ?? (task.videoURL.map { [$0] } ?? [])
        guard index >= 0, index < outputs.count else {
            let count = outputs.count == 1 ? "1 output (index 0)" : "\(outputs.count) outputs"
            throw VideoGenError(.invalidArgument, "output \(index) does not exist: the task has \(count)")
        }
        return outputs[index]
    }

    /// Downloads the asset `pick` names in a succeeded task (re-picked from the task polled again when its URL
    /// expired) to `path`; `tag` keeps its part file apart from the video's.
    func downloadAsset(_ snapshot: TaskSnapshot, to path: String, tag: String,
                       onProgress: @escaping @Sendable (Int64, Int64?) -> Void,
                       pick: @escaping @Sendable (TaskSnapshot) throws -> String) async throws -> TaskSnapshot {
        try checkOwnership(snapshot)
        guard snapshot.state == .succeeded else {
            throw VideoGenError(.notReady, "the task is \(snapshot.state.rawValue); only a succeeded task has assets to download")
        }
        var asset = snapshot
        asset.videoURL = try pick(snapshot)
        let downloader = Downloader(executor: executor, refresh: { [self] stale in
            var fresh = try await refresh(stale)
            if fresh.state == .succeeded { fresh.videoURL = try pick(fresh) }
            return fresh
        })
        let record = try await downloader.download(asset, to: path, resumeTag: tag, onProgress: onProgress)
        var updated = snapshot
        updated.download = record
        return updated
    }
}

/// An adapter whose service names a finished task's stills in its status answer (Vidu's `cover_url`), kept in the
/// task's `links`: `download(_:variant:to:onProgress:)` fetches them from there.
public protocol TaskAssetLinks: Sendable {
    /// Where `task`'s `variant` can be downloaded from, or nil when the service named none.
    func assetURL(of task: TaskSnapshot, variant: ContentVariant) -> String?
}
