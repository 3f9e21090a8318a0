import FoundationEssentials

/// Luma Dream Machine (`api.lumalabs.ai`), as its SDK `lumaai` speaks it.
///
/// Submit is JSON to `POST /dream-machine/v1/generations/video`: `model` (`ray-2`, `ray-flash-2`), `prompt`,
/// `aspect_ratio`, `duration` (`"5s"`, `"9s"`: videogen's whole seconds with an `s`), `resolution`, `callback_url`,
/// and `keyframes`: videogen's `image` is `frame0` and `image_tail` is `frame1`, each `{type: "image", url}`. Luma
/// fetches keyframe images itself, so they are URLs only (a local image is refused by name); a keyframe that is an
/// earlier generation (`{type: "generation", id}`) and `loop`, `concepts` go through `extra`. The answer is the
/// Generation object.
///
/// Status is `GET /dream-machine/v1/generations/{id}`: `state` `queued`, `dreaming` (running), `completed` with
/// `assets.video`, `failed` with `failure_reason` (moderation refusals read as content policy). No progress.
/// `DELETE /dream-machine/v1/generations/{id}` removes the generation, which is this dialect's remote cancel.
public struct LumaAdapter: ProviderAdapter {
    /// Creates the adapter.
    public init() {}

    public var dialect: Dialect { .luma }

    /// Generations take one to a few minutes.
    public var defaultPollPolicy: PollPolicy { PollPolicy(interval: 3, maxInterval: 15, multiplier: 1.5, jitter: 0.1) }

    /// `queued`, `dreaming`, `completed`, `failed`.
    public var statusVocabulary: StatusVocabulary { StatusVocabulary.common.extending([.running: ["dreaming"]]) }

    static let supportedFields: Set<String> = [
        "model", "prompt", "image", "image_tail", "duration", "aspect_ratio", "resolution", "callback_url", "extra",
    ]

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: LumaAdapter.supportedFields)
        var body: [String: JSONValue] = ["model": .string(request.model), "prompt": .string(request.prompt)]
        var keyframes: [String: JSONValue] = [:]
        if let image = request.image {
            keyframes["frame0"] = ["type": "image", "url": .string(try image.urlOnly(field: "image", dialect: dialect))]
        }
        if let tail = request.imageTail {
            keyframes["frame1"] = ["type": "image", "url": .string(try tail.urlOnly(field: "image_tail", dialect: dialect))]
        }
        if !keyframes.isEmpty { body["keyframes"] = .object(keyframes) }
        if let ratio = request.aspectRatio { body["aspect_ratio"] = .string(ratio) }
        if let duration = request.duration { body["duration"] = .string("\(duration)s") }
        if let resolution = request.resolution { body["resolution"] = .string(resolution) }
        if let callback = request.callbackURL { body["callback_url"] = .string(callback) }
        try mergeVerbatim(request.extra, into: &body, source: "extra")
        return jsonPost(baseURL, "/dream-machine/v1/generations/video", body)
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { body, status in try parse(body, status: status) }
    }

    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? {
        jsonGet(baseURL, "/dream-machine/v1/generations/", id: taskID)
    }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { body, status in try parse(body, status: status) }
    }

    /// A Generation object.
    private func parse(_ body: JSONValue, status: Int) throws -> StatusReport {
        guard let word = body["state"]?.stringValue else {
            throw VideoGenError(.protocolError, "the Luma generation carries no state", httpStatus: status)
        }
        var report = StatusReport(state: try statusVocabulary.require(word))
        report.providerStatus = word
        report.id = body["id"]?.textValue
        report.model = body["model"]?.textValue
        report.createdAt = body["created_at"]?.stringValue.flatMap(ISO8601Time.parse)
        if report.state == .succeeded { report.videoURL = body["assets"]?["video"]?.textValue }
        if report.state == .failed { report.error = LumaAdapter.failure(body["failure_reason"]?.textValue) }
        return report
    }

    /// A failure reason; Luma names refusals only in words ("... moderation ...", "not allowed").
    static func failure(_ reason: String?) -> VideoGenError {
        var error = ErrorMapping.taskFailure(code: nil, message: reason, state: .failed)
        let lower = reason?.lowercased() ?? ""
        if error.code == .taskFailed && (lower.contains("moderation") || lower.contains("not allowed")) {
            error = VideoGenError(.contentPolicy, error.message)
        }
        return error
    }

    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? {
        PathSegment.url(baseURL, "/dream-machine/v1/generations/", taskID).map { HTTPRequest(method: "DELETE", url: $0) }
    }
}
