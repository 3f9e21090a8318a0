import FoundationEssentials

/// OpenRouter's asynchronous video API (`https://openrouter.ai/api/v1/videos`, Bearer key), as its API reference and
/// its official SDKs (`openrouter` on PyPI: `video_generation.generate / get_generation / get_video_content`)
/// describe it.
///
/// Submit is `POST /api/v1/videos` with JSON `{model, prompt, duration, aspect_ratio, resolution, size, seed,
/// frame_images: [{type: "image_url", image_url: {url}, frame_type: "first_frame" | "last_frame"}],
/// input_references: [{type: "image_url", image_url: {url}}], callback_url}`; OpenRouter's other fields
/// (`generate_audio`, `provider`, `previous_job_id`, `session_id`, `user`, ...) go through `extra`. The answer (202)
/// is `{id, polling_url, status: "pending"}`. Status is `GET /api/v1/videos/{id}`: `status` pending | in_progress |
/// completed | failed | cancelled | expired, `error` (text), `unsigned_urls[]` (OpenRouter's content route
/// `/api/v1/videos/{id}/content?index=i`, which needs the key and lasts as long as the output), `urls[]` (signed
/// storage URLs usable without a key until `expires_at`: anyone holding one can download, so videogen keeps the
/// unsigned ones when both are given and never writes a signed one into a record it could avoid), `expires_at`,
/// `usage {cost, is_byok}` (kept as the snapshot's usage). Several outputs are downloadable by index. OpenRouter
/// documents no cancel. `negative_prompt`, `n`, `fps`, `width`, `height`, `watermark`, `mode`, `cfg_scale`,
/// `camera_control`, `external_task_id` and `metadata` are refused by name.
public struct OpenRouterVideosAdapter: ProviderAdapter {
    /// Creates the adapter.
    public init() {}

    public var dialect: Dialect { .openrouter }

    /// OpenRouter recommends polling every 10 to 30 seconds.
    public var defaultPollPolicy: PollPolicy { PollPolicy(interval: 10, maxInterval: 30, multiplier: 1.5, jitter: 0.1, minInterval: 10) }

    public var statusVocabulary: StatusVocabulary { .openrouter }

    static let supportedFields: Set<String> = [
        "model", "prompt", "image", "image_tail", "images", "input_reference", "duration", "aspect_ratio", "resolution",
        "size", "seed", "callback_url", "extra",
    ]

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: OpenRouterVideosAdapter.supportedFields)
        var body: [String: JSONValue] = ["model": .string(request.model)]
        if !request.prompt.isEmpty { body["prompt"] = .string(request.prompt) }
        func part(_ image: ImageSource, field: String, frame: String?) throws -> JSONValue {
            var members: [String: JSONValue] = ["type": "image_url",
                                                "image_url": ["url": .string(try image.urlOrDataURI(field: field))]]
            if let frame { members["frame_type"] = .string(frame) }
            return .object(members)
        }
        var frames: [JSONValue] = []
        if let first = request.image { frames.append(try part(first, field: "image", frame: "first_frame")) }
        if let last = request.imageTail { frames.append(try part(last, field: "image_tail", frame: "last_frame")) }
        if !frames.isEmpty { body["frame_images"] = .array(frames) }
        var references: [JSONValue] = []
        if let reference = request.inputReference { references.append(try part(reference, field: "input_reference", frame: nil)) }
        for (index, image) in (request.images ?? []).enumerated() {
            references.append(try part(image, field: "images[\(index)]", frame: nil))
        }
        if !references.isEmpty { body["input_references"] = .array(references) }
        if let duration = request.duration { body["duration"] = .int(Int64(duration)) }
        if let ratio = request.aspectRatio { body["aspect_ratio"] = .string(ratio) }
        if let resolution = request.resolution { body["resolution"] = .string(resolution) }
        if let size = request.size { body["size"] = .string(size) }
        if let seed = request.seed { body["seed"] = .int(seed) }
        if let callback = request.callbackURL { body["callback_url"] = .string(callback) }
        try mergeVerbatim(request.extra, into: &body, source: "extra")
        return jsonPost(baseURL, "/api/v1/videos", body)
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { body, status in try parse(body, status: status, baseURL: baseURL) }
    }

    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? {
        jsonGet(baseURL, "/api/v1/videos/", id: taskID)
    }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { body, status in try parse(body, status: status, baseURL: baseURL) }
    }

    /// OpenRouter's `{error: {code, message, metadata}}`; a 403 whose metadata lists moderation `reasons` (the
    /// input was flagged) is a content refusal.
    public func error(from response: HTTPResponse) -> VideoGenError {
        var error = ErrorMapping.error(from: response)
        if response.status == 403, let body = try? JSONValue.parse(response.body),
           body["error"]?["metadata"]?["reasons"]?.arrayValue != nil {
            error.code = .contentPolicy
            error.providerCode = error.providerCode ?? "moderation"
        }
        return error
    }

    /// OpenRouter documents no cancel route.
    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? { nil }

    /// A job: `{id, polling_url, status, error, unsigned_urls, urls, expires_at, usage, generation_id}`.
    /// A URL given as a path (`polling_url` is one; the content URLs may be too) is on the service's origin.
    func parse(_ body: JSONValue, status: Int, baseURL: URL) throws -> StatusReport {
        guard body.objectValue != nil, let word = body["status"]?.stringValue else {
            throw VideoGenError(.protocolError, "the OpenRouter answer has no 'status'", httpStatus: status)
        }
        var report = StatusReport(state: try statusVocabulary.require(word))
        report.id = body["id"]?.stringValue
        report.providerStatus = word
        func absolute(_ text: String) -> String {
            guard text.hasPrefix("/"), !text.hasPrefix("//") else { return text }
            let base = baseURL.absoluteString
            guard let scheme = base.firstRange(of: "://") else { return text }
            let authorityEnd = base[scheme.upperBound...].firstIndex(of: "/") ?? base.endIndex
            return String(base[..<authorityEnd]) + text
        }
        let unsigned = (body["unsigned_urls"]?.arrayValue ?? []).compactMap { $0.stringValue.nonEmpty.map(absolute) }
        let signed = (body["urls"]?.arrayValue ?? []).compactMap { $0.stringValue.nonEmpty }
        let urls = unsigned.isEmpty ? signed : unsigned
        report.videoURL = urls.first
        if urls.count > 1 { report.outputs = urls }
        report.expiresAt = LooseNumber.unixTime(body["expires_at"])
        if let usage = body["usage"], usage.objectValue != nil { report.usage = usage }
        if report.state.isTerminal && report.state != .succeeded {
            report.error = ErrorMapping.taskFailure(code: nil, message: body["error"]?.textValue, state: report.state)
        }
        return report
    }
}

extension StatusVocabulary {
    /// The `openrouter` dialect: pending, in_progress, completed, failed, cancelled, expired (all in `common`).
    public static let openrouter = common
}
