import FoundationEssentials

/// The operations on the videos a service keeps (`openai` dialect: `/v1/videos` as gateways serve it): list them,
/// delete one, remix one into a new task, download a finished video's thumbnail or spritesheet. Dialects without
/// them throw `.unsupported` naming the operation, before any traffic.
extension VideoGenClient {
    /// The dialect's library operations, or `.unsupported` naming `operation`.
    private func library(_ operation: String) throws -> any VideoLibraryAdapter {
        guard let library = adapter as? any VideoLibraryAdapter else {
            throw VideoGenError(.unsupported, "the \(configuration.dialect.rawValue) dialect has no \(operation) operation (the openai dialect has)")
        }
        return library
    }

    /// One page of the service's videos. Each is a snapshot of this client (its record resumes it); give the page's
    /// `lastID` as `after` for the next page while `hasMore`.
    /// - Throws: `.invalidArgument` for a bad query, `.unsupported` for dialects without a list, or the service's
    ///   error (e.g. `.badRequest` for a cursor it does not know).
    public func list(_ query: VideoListQuery = VideoListQuery()) async throws -> VideoPage {
        try query.validate()
        let library = try library("list")
        let response = try await executor.send(library.listRequest(query, baseURL: configuration.baseURL), mode: .idempotent)
        let report: VideoListReport
        do {
            report = try library.parseList(response, baseURL: configuration.baseURL)
        } catch let error as VideoGenError {
            throw executor.scrubbed(error)
        }
        let now = Date().timeIntervalSince1970
        let tasks = report.items.map { item in
            TaskSnapshot(id: item.id ?? "", dialect: configuration.dialect.rawValue,
                         baseURL: configuration.baseURL.absoluteString).applying(item, at: now)
        }
        return VideoPage(tasks: tasks, firstID: report.firstID, lastID: report.lastID, hasMore: report.hasMore)
    }

    /// Deletes the video and its assets on the service (OpenAI's shape deletes finished videos only). Polling the
    /// task afterwards fails with `.notFound`. A delete whose answer was lost is retried; when the first attempt had
    /// deleted the video, the retry reports `.notFound`: the video is gone either way.
    /// - Throws: `.unsupported` for dialects without delete, or the service's error (`.notFound`, `.badRequest`
    ///   for a video still being generated, ...).
    public func deleteRemotely(_ snapshot: TaskSnapshot) async throws {
        try checkOwnership(snapshot)
        let library = try library("delete")
        let response = try await executor.send(library.deleteRequest(taskID: snapshot.id, baseURL: configuration.baseURL),
                                               mode: .idempotent)
        do {
            try library.parseDelete(response, taskID: snapshot.id)
        } catch let error as VideoGenError {
            throw executor.scrubbed(error)
        }
    }

    /// Remakes a finished video with a new prompt: the service starts a new task (same model, size and length),
    /// returned in its first reported state, to wait for and download like any other. Sent like a submit: one
    /// Idempotency-Key (the request's, or a fresh one) and retried only when it provably never reached the service.
    /// - Throws: `.invalidArgument` for a bad remix request, `.unsupported` for dialects without remix,
    ///   `.unknownOutcome` when the remix may have reached the service, or the service's error.
    public func remix(_ snapshot: TaskSnapshot, _ remix: RemixRequest) async throws -> TaskSnapshot {
        try checkOwnership(snapshot)
        let library = try library("remix")
        let request = try library.remixRequest(taskID: snapshot.id, remix, baseURL: configuration.baseURL)
        let key = remix.idempotencyKey ?? UUID().uuidString.lowercased()
        let response = try await executor.send(request, mode: .submit(idempotencyKey: key))
        let report: StatusReport
        do {
            report = try library.parseRemix(response, baseURL: configuration.baseURL)
        } catch let error as VideoGenError {
            throw executor.scrubbed(error)
        }
        var created = TaskSnapshot(id: report.id ?? "", dialect: configuration.dialect.rawValue,
                                   baseURL: configuration.baseURL.absoluteString, state: .queued)
        created.idempotencyKey = key
        created.model = snapshot.model
        created.remixedFrom = snapshot.id
        return created.applying(report, at: Date().timeIntervalSince1970)
    }

    /// Downloads one asset of a succeeded task to `path`: `.video` is `download(_:to:onProgress:)`; `.thumbnail`
    /// and `.spritesheet` are the stills the `openai` dialect serves, fetched the same way (part file, resume,
    /// length check, SHA-256). The returned snapshot's `download` record names the variant.
    /// - Throws: `.unsupported` for a still on dialects that serve none, `.notReady` before the task succeeded,
    ///   or the download's error.
    public func download(_ snapshot: TaskSnapshot, variant: ContentVariant, to path: String,
                         onProgress: @escaping @Sendable (Int64, Int64?) -> Void = { _, _ in }) async throws -> TaskSnapshot {
        guard variant != .video else { return try await download(snapshot, to: path, onProgress: onProgress) }
        try checkOwnership(snapshot)
        if let assets = adapter as? any TaskAssetLinks {
            // The service named the still in the task's status answer (Vidu's cover_url).
            var updated = try await downloadAsset(snapshot, to: path, tag: variant.rawValue, onProgress: onProgress) { task in
                guard let url = assets.assetURL(of: task, variant: variant) else {
                    throw VideoGenError(.notReady, "the service named no \(variant.rawValue) for this task")
                }
                return url
            }
            updated.download?.variant = variant
            return updated
        }
        let library = try library("\(variant.rawValue) download")
        var asset = snapshot
        if snapshot.state == .succeeded {
            asset.videoURL = library.contentURL(taskID: snapshot.id, variant: variant, baseURL: configuration.baseURL).absoluteString
        }
        var updated = try await download(asset, to: path, onProgress: onProgress)
        updated.videoURL = snapshot.videoURL
        updated.download?.variant = variant
        return updated
    }
}
