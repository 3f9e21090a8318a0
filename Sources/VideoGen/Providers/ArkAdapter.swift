import FoundationEssentials

/// Seedance (and the other video models) on Volcengine Ark (`ark.cn-beijing.volces.com`) and BytePlus ModelArk
/// (`ark.ap-southeast.bytepluses.com`), as the Ark runtime SDK (`volcenginesdkarkruntime`) speaks it.
///
/// Submit is JSON to `POST /api/v3/contents/generations/tasks`: `model` and `content[]`, a `text` item (the
/// prompt) and `image_url` items `{type: "image_url", image_url: {url}, role}`: `first_frame` (`image`),
/// `last_frame` (`image_tail`), `reference_image` (each of `images`); a local image is sent as a `data:` URI.
/// Beside it `ratio` (`aspect_ratio`), `resolution`, `duration`, `seed`, `watermark`, `callback_url`, and through
/// `extra` the rest (`generate_audio`, `camera_fixed`, `return_last_frame`, `service_tier`, ...). The answer is
/// `{id}`.
///
/// Status is `GET /api/v3/contents/generations/tasks/{id}`: `queued`, `running`, `succeeded` with
/// `content.video_url` (valid 24 h; polling again gives a fresh one), `failed` with `error {code, message}`,
/// `cancelled`, `expired`; `usage` (`completion_tokens`, `total_tokens`) is the task's usage.
/// `DELETE /api/v3/contents/generations/tasks/{id}` cancels a queued task (and deletes a finished one's record).
/// Errors are `{error: {code, message, param, type}}`.
public struct ArkAdapter: ProviderAdapter {
    /// Creates the adapter.
    public init() {}

    public var dialect: Dialect { .ark }

    /// Seedance generations take tens of seconds to minutes.
    public var defaultPollPolicy: PollPolicy { PollPolicy(interval: 3, maxInterval: 15, multiplier: 1.5, jitter: 0.1) }

    public var statusVocabulary: StatusVocabulary { .common }

    static let supportedFields: Set<String> = [
        "model", "prompt", "image", "image_tail", "images", "duration", "aspect_ratio", "resolution", "seed",
        "watermark", "callback_url", "extra",
    ]

    /// Ark's error codes beyond the common ones and the refusals (`ContentRefusals`), lower-case.
    static let codes: [String: VideoGenError.Code] = [
        "authenticationerror": .auth, "accessdenied": .permission, "modelnotopen": .permission,
        "accountoverdueerror": .quota, "quotaexceeded": .quota, "setlimitexceeded": .quota,
        "ratelimitexceeded": .rateLimited, "ratelimitexceeded.endpointrpmexceeded": .rateLimited,
        "serveroverloaded": .rateLimited, "invalidparameter": .badRequest, "missingparameter": .badRequest,
        "invalidendpointormodel.notfound": .notFound, "resourcenotfound": .notFound, "internalserviceerror": .server,
    ]

    /// The task API under `baseURL`, which may already end in `/api/v3` (the SDK's base URL).
    func tasksPath(_ baseURL: URL) -> String {
        baseURL.path.hasSuffix("/api/v3") ? "/contents/generations/tasks" : "/api/v3/contents/generations/tasks"
    }

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: ArkAdapter.supportedFields)
        var content: [JSONValue] = [["type": "text", "text": .string(request.prompt)]]
        func item(_ image: ImageSource, _ field: String, _ role: String) throws -> JSONValue {
            ["type": "image_url", "image_url": ["url": .string(try image.urlOrDataURI(field: field))], "role": .string(role)]
        }
        if let image = request.image { content.append(try item(image, "image", "first_frame")) }
        if let tail = request.imageTail { content.append(try item(tail, "image_tail", "last_frame")) }
        for (index, image) in (request.images ?? []).enumerated() {
            content.append(try item(image, "images[\(index)]", "reference_image"))
        }
        var body: [String: JSONValue] = ["model": .string(request.model), "content": .array(content)]
        if let ratio = request.aspectRatio { body["ratio"] = .string(ratio) }
        if let resolution = request.resolution { body["resolution"] = .string(resolution) }
        if let duration = request.duration { body["duration"] = .int(Int64(duration)) }
        if let seed = request.seed { body["seed"] = .int(seed) }
        if let watermark = request.watermark { body["watermark"] = .bool(watermark) }
        if let callback = request.callbackURL { body["callback_url"] = .string(callback) }
        try mergeVerbatim(request.extra, into: &body, source: "extra")
        return jsonPost(baseURL, tasksPath(baseURL), body)
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { body, _ in
            var report = StatusReport(state: .queued)
            report.id = body["id"]?.textValue
            return report
        }
    }

    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? {
        jsonGet(baseURL, tasksPath(baseURL) + "/", id: taskID)
    }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { body, status in
            guard let word = body["status"]?.stringValue else {
                throw VideoGenError(.protocolError, "the Ark task carries no status", httpStatus: status)
            }
            var report = StatusReport(state: try statusVocabulary.require(word))
            report.providerStatus = word
            report.id = body["id"]?.textValue
            report.model = body["model"]?.textValue
            report.createdAt = LooseNumber.unixTime(body["created_at"])
            report.usage = body["usage"].flatMap { $0.objectValue == nil ? nil : $0 }
            if report.state == .succeeded { report.videoURL = body["content"]?["video_url"]?.textValue }
            if report.state.isTerminal && report.state != .succeeded, let error = body["error"], error.objectValue != nil {
                report.error = ErrorMapping.taskFailure(code: error["code"]?.textValue, message: error["message"]?.textValue,
                                                        state: report.state)
            }
            return report
        }
    }

    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? {
        PathSegment.url(baseURL, tasksPath(baseURL) + "/", taskID).map { HTTPRequest(method: "DELETE", url: $0) }
    }

    public func error(from response: HTTPResponse) -> VideoGenError {
        ErrorMapping.error(from: response, refinements: ArkAdapter.codes)
    }
}
