import FoundationEssentials

/// The public Swift API: one service, one key, and the whole job: submit, poll, wait, download, resume.
///
/// A client is cheap to share: it is `Sendable`, every method may run concurrently with any other, and all clients
/// share one process-wide libcurl transport (`CurlTransport`: two loop threads, one connection pool each). Cancellation is Swift's: cancel the surrounding `Task` and the call throws
/// `VideoGenError` with code `.cancelled` promptly; the task keeps running on the service.
public final class VideoGenClient: Sendable {
    /// The configuration the client was created with.
    public let configuration: ClientConfiguration
    /// The dialect's adapter.
    public let adapter: any ProviderAdapter
    /// The client's retry quota.
    public var retryBudget: RetryBudget { executor.budget }
    let executor: RequestExecutor
    /// The live waits, by task id, that verified webhook callbacks are routed to (Engine/WebhookRegistry.swift).
    let webhooks = WebhookRegistry()
    private let random: @Sendable () -> Double

    /// Creates a client.
    /// - Parameters:
    ///   - transport: the HTTP transport; the process-wide libcurl transport (`CurlTransport.shared`) by default.
    ///   - random: uniform numbers in 0..<1 for jitter (tests pass a fixed source).
    public convenience init(configuration: ClientConfiguration, transport: (any HTTPTransport)? = nil,
                            random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.init(configuration: configuration, transport: transport, random: random, scheduler: nil)
    }

    /// Creates a client whose every pause (a retry's backoff, a wait's next poll) goes through `scheduler`, so that
    /// a test can see the delays the schedule chose instead of measuring them on the wall clock. By default a pause
    /// is a timer on the transport's loop (the process-wide transport), or a sleeping task (other transports).
    /// - Parameter adapter: the adapter to speak with instead of the configuration's (tests of the engine's
    ///   adapter hooks).
    init(configuration: ClientConfiguration, transport: (any HTTPTransport)?, random: @escaping @Sendable () -> Double,
         scheduler: (any EngineScheduler)?, adapter: (any ProviderAdapter)? = nil) {
        self.configuration = configuration
        let adapter = adapter ?? configuration.adapter
        self.adapter = adapter
        self.random = random
        let transport = transport ?? CurlTransport.shared
        let scheduler = scheduler ?? (transport as? any LoopTransport)
            ?? TaskSleepScheduler.realTime
        self.executor = RequestExecutor(configuration: configuration, adapter: adapter,
                                        transport: transport, random: random, scheduler: scheduler,
                                        budget: RetryBudget(capacity: configuration.retry.budget))
    }

    /// Creates a client from a configuration JSON document (schema in README.md).
    public convenience init(json: String) throws {
        try self.init(configuration: ClientConfiguration(json: JSONValue.parse(json)))
    }

    private var now: Double { Date().timeIntervalSince1970 }

    /// Submits a request.
    /// - Returns: the new task, in its first reported state.
    /// - Throws: `.unsupported` for fields the dialect cannot carry (before any traffic), `.unknownOutcome` when
    ///   the submit may have reached the service but its answer was lost, or the service's error.
    public func submit(_ request: VideoRequest) async throws -> TaskSnapshot {
        try await submit(prepare(request))
    }

    /// Validates `request` and builds its wire form without sending anything: every error a request can have on
    /// its own (unknown or unsupported fields, unreadable or oversized images) is thrown here.
    public func prepare(_ request: VideoRequest) throws -> PreparedSubmission {
        try request.validate()
        return PreparedSubmission(request: try adapter.submitRequest(request, baseURL: configuration.baseURL),
                                  model: request.model, idempotencyKey: request.idempotencyKey ?? UUID().uuidString.lowercased())
    }

    /// Sends a prepared submission (see `prepare`).
    public func submit(_ prepared: PreparedSubmission) async throws -> TaskSnapshot {
        try await awaitOperation { completion in startSubmit(prepared, completion: completion) }
    }

    /// Refreshes a task's status once, retrying transient failures by the retry policy.
    public func refresh(_ snapshot: TaskSnapshot) async throws -> TaskSnapshot {
        try await awaitOperation { completion in startRefresh(snapshot, completion: completion) }
    }

    /// `snapshot` updated by a status answer (parsed, its id checked, its video found behind a content route when the
    /// answer names none, the key scrubbed from its words), given to `completion`: at once, but for a content probe.
    func applyStatus(_ response: HTTPResponse, to snapshot: TaskSnapshot, completion: @escaping OperationCompletion<TaskSnapshot>) {
        let parsed: StatusReport
        do {
            parsed = try adapter.parseStatus(response, for: snapshot, baseURL: configuration.baseURL)
            try checkAnsweredID(parsed.id)
        } catch {
            return applyStatusFailure(executor.scrubbed(VideoGenError.wrap(error)), to: snapshot, completion: completion)
        }
        applyStatus(parsed, to: snapshot, completion: completion)
    }

    /// A failed status request of `snapshot`: the task's new state when the adapter reads the failure as an answer
    /// about the task (`ProviderAdapter.statusFailure`), else the error.
    func applyStatusFailure(_ error: VideoGenError, to snapshot: TaskSnapshot, completion: @escaping OperationCompletion<TaskSnapshot>) {
        guard let report = adapter.statusFailure(error, for: snapshot, now: now) else { return completion(.failure(error)) }
        applyStatus(report, to: snapshot, completion: completion)
    }

    /// `snapshot` updated by a parsed report (see `applyStatus(_:to:completion:)` for an answer).
    func applyStatus(_ parsed: StatusReport, to snapshot: TaskSnapshot, completion: @escaping OperationCompletion<TaskSnapshot>) {
        if let resultRequest = parsed.resultRequest {
            // The service names the finished task's result only when asked again (MiniMax's file, fal's response).
            var asking = parsed
            asking.resultRequest = nil
            let pending = asking
            _ = executor.start(resultRequest, mode: .idempotent) { [self] result in
                do {
                    let finished = try adapter.parseResult(try result.get(), report: pending, baseURL: configuration.baseURL)
                    guard finished.resultRequest == nil else {
                        throw VideoGenError(.protocolError, "the result answer asked for another result request")
                    }
                    applyStatus(finished, to: snapshot, completion: completion)
                } catch {
                    completion(.failure(executor.scrubbed(VideoGenError.wrap(error))))
                }
            }
            return
        }
        guard parsed.state == .succeeded, parsed.videoURL == nil, parsed.contentRoute != nil else {
            return completion(.success(kept(snapshot.applying(parsed, at: now))))
        }
        // Rare (a gateway's success without a URL): the probe is one more request, run as a task.
        Task {
            do {
                let report = try await resolved(parsed)
                completion(.success(kept(snapshot.applying(report, at: now))))
            } catch {
                completion(.failure(executor.scrubbed(VideoGenError.wrap(error))))
            }
        }
    }

    /// `report` with its video found at its `contentRoute` (a gateway's content proxy), when the answer names none
    /// and the route serves one; a route that answers 404 leaves the task without a video (failed).
    private func resolved(_ report: StatusReport) async throws -> StatusReport {
        guard report.state == .succeeded, report.videoURL == nil, let route = report.contentRoute else { return report }
        var report = report
        report.videoURL = try await executor.probeContent(route)
        return report
    }

    /// Polls on the configured schedule until the task ends or the deadline passes.
    /// - Parameters:
    ///   - timeout: seconds from now; the configuration's `waitTimeout` when nil.
    ///   - pollImmediately: poll at once instead of one interval from now (for resumed tasks).
    ///   - onUpdate: called with the starting snapshot and after every change of state, progress or queue
    ///     position. Progress never goes backwards within one wait.
    /// - Returns: the task in a terminal state (succeeded or not: check `state`).
    /// - Throws: `.deadline`, `.cancelled`, or the error that stopped polling (auth, not found, ...).
    public func wait(for snapshot: TaskSnapshot, timeout: Double? = nil, pollImmediately: Bool = false,
                     onUpdate: @escaping @Sendable (TaskSnapshot) -> Void = { _ in }) async throws -> TaskSnapshot {
        try checkOwnership(snapshot)
        return try await awaitOperation { completion in
            let operation = WaitOperation(client: self, snapshot: snapshot, timeout: timeout, onUpdate: onUpdate, completion: completion)
            operation.start(pollImmediately: pollImmediately)
            return operation
        }
    }

    /// Downloads a succeeded task's video to `path`, through `<path>.part`: `path` never holds a partial file.
    /// A part file (and its note, `<path>.part.resume`) that an earlier download of the same task left, in this
    /// process or another, is continued with `Range` + `If-Range`. A download that throws (or is cancelled) leaves
    /// them in place when they can be continued (the part holds bytes and the server gave an ETag or
    /// Last-Modified), and removes them otherwise (no validator, bytes over the size limit, a failed write or
    /// sync); a caller that gives up on `path` deletes both. While another download, in this process or another,
    /// writes `path`, this one throws `.busy` at once and leaves that download's files alone.
    /// - Parameter onProgress: bytes written so far and the total when known; called on a transport thread.
    /// - Returns: the snapshot with its `download` record (path, size, SHA-256).
    public func download(_ snapshot: TaskSnapshot, to path: String,
                         onProgress: @escaping @Sendable (Int64, Int64?) -> Void = { _, _ in }) async throws -> TaskSnapshot {
        try checkOwnership(snapshot)
        let downloader = Downloader(executor: executor, refresh: { [self] stale in try await refresh(stale) })
        let record = try await downloader.download(snapshot, to: path, onProgress: onProgress)
        var updated = snapshot
        updated.download = record
        return updated
    }

    /// Asks the service to cancel the generation.
    /// - Throws: `.unsupported` when the dialect has no cancel operation.
    public func cancelRemotely(_ snapshot: TaskSnapshot) async throws {
        try checkOwnership(snapshot)
        guard let request = adapter.cancelRequest(for: snapshot, baseURL: configuration.baseURL) else {
            throw VideoGenError(.unsupported, "the \(configuration.dialect.rawValue) dialect has no cancel operation; the task keeps running on the service")
        }
        _ = try await executor.send(request, mode: .idempotent)
    }

    /// Turns a saved record back into a task of this client, checking it belongs to this client's service.
    /// A record may leave out `dialect` and `base_url` (e.g. one built from a bare task id): this client's are used.
    public func resume(record: JSONValue) throws -> TaskSnapshot {
        var record = record
        if case .object(var members) = record {
            if members["dialect"] == nil { members["dialect"] = .string(configuration.dialect.rawValue) }
            if members["base_url"] == nil { members["base_url"] = .string(configuration.baseURL.absoluteString) }
            record = .object(members)
        }
        let snapshot = try TaskSnapshot(json: record)
        try checkOwnership(snapshot)
        return kept(snapshot)
    }

    /// Submits, waits and downloads: the whole job.
    /// - Throws: the task's error when it ends unsuccessfully, as well as everything the steps throw.
    public func generate(_ request: VideoRequest, to path: String, timeout: Double? = nil,
                         onUpdate: @escaping @Sendable (TaskSnapshot) -> Void = { _ in },
                         onProgress: @escaping @Sendable (Int64, Int64?) -> Void = { _, _ in }) async throws -> TaskSnapshot {
        let submitted = try await submit(request)
        let final = try await wait(for: submitted, timeout: timeout, onUpdate: onUpdate)
        guard final.state == .succeeded else {
            throw final.error ?? VideoGenError(.taskFailed, "the task ended \(final.state.rawValue)")
        }
        return try await download(final, to: path, onProgress: onProgress)
    }

    /// Refuses snapshots of another dialect or service: their ids mean nothing here, and following them could send
    /// the key to a host the user did not configure.
    func checkOwnership(_ snapshot: TaskSnapshot) throws {
        guard snapshot.dialect == configuration.dialect.rawValue else {
            throw VideoGenError(.invalidArgument, "the task belongs to the \(snapshot.dialect) dialect, this client speaks \(configuration.dialect.rawValue)")
        }
        let recorded = try? ClientConfiguration.checkedBaseURL(snapshot.baseURL, allowInsecureHTTP: true)
        guard recorded?.absoluteString == configuration.baseURL.absoluteString else {
            throw VideoGenError(.invalidArgument, "the task belongs to \(Sanitize.text(snapshot.baseURL, limit: 200)), not to this client's \(configuration.baseURL.absoluteString)")
        }
        guard !snapshot.id.isEmpty else {
            throw VideoGenError(.invalidArgument, "the task has no id")
        }
        try checkRecordedID(snapshot.id)
    }
}

/// A request checked and turned into its wire form, ready to send once (its Idempotency-Key is fixed).
public struct PreparedSubmission: Sendable {
    let request: HTTPRequest
    let model: String
    /// The Idempotency-Key every send of this submission carries.
    public let idempotencyKey: String
}

/// De-duplicates updates and keeps progress monotonic within one wait.
struct UpdateReporter {
    private var last: (TaskState, Int?, Int?)?
    private var highestProgress: Int?

    mutating func report(_ snapshot: inout TaskSnapshot, _ onUpdate: (TaskSnapshot) -> Void) {
        if let progress = snapshot.progress, let highest = highestProgress, progress < highest, !snapshot.state.isTerminal {
            snapshot.progress = highest
        }
        if let progress = snapshot.progress { highestProgress = max(highestProgress ?? 0, progress) }
        let key = (snapshot.state, snapshot.progress, snapshot.queuePosition)
        if let last, last == key { return }
        last = key
        onUpdate(snapshot)
    }
}
