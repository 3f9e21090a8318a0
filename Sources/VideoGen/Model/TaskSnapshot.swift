import FoundationEssentials

/// Everything known about one task at one moment, in the unified vocabulary. It is also the task's record: it holds
/// no secret and can be saved and turned back into a live task (`VideoGenClient.resume`), in this process or another.
public struct TaskSnapshot: Sendable, Hashable {
    /// Version of the record layout, written as `record_version`.
    public static let recordVersion: Int64 = 1

    /// The provider's task id.
    public var id: String
    /// The dialect that created the task (`openai`, `unified`, `kling`, `routerone`, `chat`).
    public var dialect: String
    /// Where the task lives within its dialect, for dialects whose status path depends on how the task was created
    /// (Kling: `text2video` or `image2video`); nil for the others. Written to the record only when set.
    public var route: String?
    /// The base URL of the service that holds the task.
    public var baseURL: String
    /// The unified state.
    public var state: TaskState
    /// The provider's own status word, as last seen.
    public var providerStatus: String?
    /// Progress 0...100 when the provider reports it; nil when it does not (never invented).
    public var progress: Int?
    /// Position in the provider's queue, 0 = next, when reported.
    public var queuePosition: Int?
    /// Where the video can be downloaded from, once succeeded.
    public var videoURL: String?
    /// Why the task failed, once it ended unsuccessfully.
    public var error: VideoGenError?
    /// The model the task runs on, when known.
    public var model: String?
    /// When the provider created the task (Unix seconds), when known.
    public var createdAt: Double?
    /// When this process last refreshed the task (Unix seconds).
    public var updatedAt: Double?
    /// When the provider says the result expires (Unix seconds), when known.
    public var expiresAt: Double?
    /// The Idempotency-Key sent with the submit.
    public var idempotencyKey: String?
    /// The last completed download.
    public var download: DownloadRecord?
    /// Addresses and names the service gave the task that later calls need (fal's `status_url`, `response_url` and
    /// `cancel_url`; MiniMax's `file_id`), by name; empty for dialects that build every address from the id.
    /// Written to the record only when not empty.
    public var links: [String: String] = [:]
    /// What the task cost, as the service reports it (tokens, seconds, credits), under the service's own names; nil
    /// when it reports nothing. Written to the record only when set.
    public var usage: JSONValue?
    /// Every video the task made, in the service's order, when it made several (`n` > 1); the first is `videoURL`.
    /// Nil for a single video. Written to the record only when set.
    public var outputs: [String]?
    /// The task this one remakes, for a remix (`remixed_from_video_id` in the `openai` dialect); nil otherwise.
    /// Written to the record only when set.
    public var remixedFrom: String?

    /// A fresh snapshot for a task that has just been submitted or is about to be resumed.
    public init(id: String, dialect: String, baseURL: String, state: TaskState = .queued) {
        self.id = id
        self.dialect = dialect
        self.baseURL = baseURL
        self.state = state
    }

    /// The snapshot updated with what a provider answer said. Fields the answer did not carry keep their values, and
    /// so do fields it carried empty (new-api's Kling, Vidu and Jimeng converters answer `"model": ""`): an empty
    /// field never overwrites a known value. Progress is dropped when the answer says nothing of it while the state
    /// changes.
    public func applying(_ report: StatusReport, at time: Double) -> TaskSnapshot {
        var next = self
        if let id = report.id.nonEmpty { next.id = id }
        next.state = report.state
        next.providerStatus = report.providerStatus.nonEmpty ?? providerStatus
        next.progress = report.progress ?? (report.state == state ? progress : nil)
        if report.state == .succeeded { next.progress = 100 }
        next.queuePosition = report.state == .queued ? report.queuePosition : nil
        next.videoURL = report.videoURL.nonEmpty ?? videoURL
        next.error = report.state.isTerminal && report.state != .succeeded ? report.error : nil
        next.model = report.model.nonEmpty ?? model
        next.createdAt = report.createdAt ?? createdAt
        next.expiresAt = report.expiresAt ?? expiresAt
        next.remixedFrom = report.remixedFrom ?? remixedFrom
        next.links.merge(report.links ?? [:]) { _, new in new }
        next.usage = report.usage ?? usage
        next.outputs = report.outputs ?? outputs
        next.updatedAt = time
        if next.state == .succeeded && next.videoURL == nil {
            next.state = .failed
            next.error = VideoGenError(.taskFailed, "the service reported the task finished but returned no video",
                                       providerCode: report.error?.providerCode)
        }
        if next.state.isTerminal && next.state != .succeeded && next.error == nil {
            next.error = VideoGenError(.taskFailed, "the task ended \(next.state.rawValue) without a reason")
        }
        return next
    }
}

/// Where a finished download went.
public struct DownloadRecord: Sendable, Hashable {
    /// The file written.
    public var path: String
    /// Its size in bytes.
    public var bytes: Int64
    /// Lower-case hex SHA-256 of its content.
    public var sha256: String
    /// The asset downloaded when it was not the video (`thumbnail`, `spritesheet`); nil for the video.
    public var variant: ContentVariant? = nil
    /// Which of the task's outputs (`TaskSnapshot.outputs`) was downloaded, when it was not the first; nil for the
    /// first (the video).
    public var output: Int? = nil
}

/// What one provider status answer says, before it is merged into a snapshot. Adapters produce it.
public struct StatusReport: Sendable, Hashable {
    /// The task id when the answer carries one.
    public var id: String?
    /// The unified state.
    public var state: TaskState
    /// The provider's own status word.
    public var providerStatus: String?
    /// Progress 0...100 when reported.
    public var progress: Int?
    /// Queue position when reported.
    public var queuePosition: Int?
    /// Video URL when reported.
    public var videoURL: String?
    /// Failure details when the task failed.
    public var error: VideoGenError?
    /// Model when reported.
    public var model: String?
    /// Creation time (Unix seconds) when reported.
    public var createdAt: Double?
    /// Result expiry (Unix seconds) when reported.
    public var expiresAt: Double?
    /// The source task of a remix, when reported.
    public var remixedFrom: String?
    /// Addresses and names to keep with the task (see `TaskSnapshot.links`); merged into the known ones.
    public var links: [String: String]?
    /// What the task cost, under the service's names (see `TaskSnapshot.usage`).
    public var usage: JSONValue?
    /// Every video the task made, when several (see `TaskSnapshot.outputs`).
    public var outputs: [String]?
    /// For a task the service reports finished but whose result it names only when asked again: the request that
    /// asks. The client sends it and reads its answer with the adapter's `parseResult`; nil otherwise.
    public var resultRequest: HTTPRequest?
    /// For a succeeded task whose answer names no video: where the service may still serve it (a gateway's content
    /// proxy). The client asks there before reporting the task finished without a video; nil for services without
    /// one.
    public var contentRoute: String?

    /// Creates a report in `state`.
    public init(state: TaskState) {
        self.state = state
    }
}

extension TaskSnapshot {
    /// The snapshot as its JSON document (schema in README.md).
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "record_version": .int(TaskSnapshot.recordVersion),
            "id": .string(id),
            "dialect": .string(dialect),
            "base_url": .string(baseURL),
            "state": .string(state.rawValue),
        ]
        func set(_ key: String, _ value: JSONValue?) { if let value { members[key] = value } else { members[key] = .null } }
        set("provider_status", providerStatus.map(JSONValue.string))
        set("progress", progress.map { .int(Int64($0)) })
        set("queue_position", queuePosition.map { .int(Int64($0)) })
        set("video_url", videoURL.map(JSONValue.string))
        set("error", error?.json)
        set("model", model.map(JSONValue.string))
        set("created_at", createdAt.map(JSONValue.double))
        set("updated_at", updatedAt.map(JSONValue.double))
        set("expires_at", expiresAt.map(JSONValue.double))
        set("idempotency_key", idempotencyKey.map(JSONValue.string))
        // Only when set: records of single-route dialects stay exactly as readers of earlier versions expect them.
        if let route { members["route"] = .string(route) }
        if let remixedFrom { members["remixed_from"] = .string(remixedFrom) }
        if !links.isEmpty { members["links"] = .object(links.mapValues(JSONValue.string)) }
        if let usage { members["usage"] = usage }
        if let outputs { members["outputs"] = .array(outputs.map(JSONValue.string)) }
        set("download", download.map { record -> JSONValue in
            var members: [String: JSONValue] = ["path": .string(record.path), "bytes": .int(record.bytes),
                                                "sha256": .string(record.sha256)]
            if let variant = record.variant, variant != .video { members["variant"] = .string(variant.rawValue) }
            if let output = record.output, output > 0 { members["output"] = .int(Int64(output)) }
            return .object(members)
        })
        return .object(members)
    }

    /// Reads a snapshot back from its JSON document (a record), checking the version and every field.
    public init(json: JSONValue) throws {
        var reader = try FieldReader(json, context: "record")
        let version = try reader.int("record_version", in: 1...Int64(Int32.max))
        guard version == TaskSnapshot.recordVersion else {
            throw VideoGenError(.invalidArgument, "record_version \(version.map(String.init) ?? "missing") is not supported (expected \(TaskSnapshot.recordVersion))")
        }
        let stateName = try reader.requiredString("state")
        guard let state = TaskState(rawValue: stateName) else {
            throw VideoGenError(.invalidArgument, "record field 'state' is not a known state: '\(stateName)'")
        }
        self.init(id: try reader.requiredString("id"), dialect: try reader.requiredString("dialect"),
                  baseURL: try reader.requiredString("base_url"), state: state)
        providerStatus = try reader.string("provider_status")
        progress = try reader.int("progress", in: 0...100).map { Int($0) }
        queuePosition = try reader.int("queue_position", in: 0...Int64(Int32.max)).map { Int($0) }
        videoURL = try reader.string("video_url")
        if let errorJSON = try reader.object("error") {
            guard let decoded = VideoGenError(json: .object(errorJSON)) else {
                throw VideoGenError(.invalidArgument, "record field 'error' is not an error object")
            }
            error = decoded
        }
        model = try reader.string("model")
        createdAt = try reader.double("created_at", in: 0...1e12)
        updatedAt = try reader.double("updated_at", in: 0...1e12)
        expiresAt = try reader.double("expires_at", in: 0...1e12)
        idempotencyKey = try reader.string("idempotency_key")
        route = try reader.string("route")
        remixedFrom = try reader.string("remixed_from")
        if let linkMembers = try reader.object("links") {
            for (name, value) in linkMembers {
                guard case .string(let text) = value else {
                    throw VideoGenError(.invalidArgument, "record field 'links.\(Sanitize.text(name, limit: 64))' must be a string")
                }
                links[name] = text
            }
        }
        usage = try reader.object("usage").map(JSONValue.object)
        outputs = try reader.stringArray("outputs")
        if var downloadReader = try reader.nested("download") {
            download = DownloadRecord(path: try downloadReader.requiredString("path"),
                                      bytes: try downloadReader.int("bytes", in: 0...Int64.max) ?? 0,
                                      sha256: try downloadReader.requiredString("sha256"),
                                      variant: try downloadReader.string("variant").map(ContentVariant.init(name:)),
                                      output: try downloadReader.int("output", in: 0...Int64(Int32.max)).map { Int($0) })
            try downloadReader.finish()
        }
        try reader.finish()
    }
}

extension Optional where Wrapped == String {
    /// The string when it is present and not empty.
    var nonEmpty: String? {
        guard let text = self, !text.isEmpty else { return nil }
        return text
    }
}
