import FoundationEssentials

/// The unified video-task API of new-api style gateways (`/v1/video/generations`).
///
/// Submit is JSON (new-api's `TaskSubmitReq`): `model, prompt, mode, image, images, input_reference, duration`
/// (int) and `seconds` (string), `size, width, height, fps, seed, n, metadata`. Vendor parameters without a
/// top-level field travel in `metadata`, as new-api documents and as its Kling adaptor reads them:
/// `negative_prompt`, `aspect_ratio`, `resolution`, `watermark`, `cfg_scale`, `camera_control`, `image_tail`,
/// `callback_url`, `external_task_id`. The caller's own `metadata` is sent verbatim beside them. Images are sent as
/// URLs, or local images as `data:` URIs.
///
/// Status is read from `/v1/video/generations/{id}` (the default) or from `/v1/videos/{id}` (the OpenAI-format
/// fetch new-api serves for the same tasks), in every shape `GatewayTaskParser` knows. A succeeded task whose answer
/// names no video (new-api keeps an inline, base64 Veo/Vertex result out of `result_url` and answers `url: ""` or no
/// `result_url`) reports the gateway's content proxy `/v1/videos/{id}/content` as its `contentRoute`; the client
/// asks it, and the task fails only if the proxy answers 404. new-api has no cancel route.
public struct UnifiedTaskAdapter: ProviderAdapter {
    /// Which of new-api's two fetch routes the status is read from.
    public enum StatusRoute: String, Sendable, Hashable, CaseIterable {
        /// `GET /v1/video/generations/{task_id}`: the task envelope (or the flat or realtime shape).
        case generations
        /// `GET /v1/videos/{task_id}`: the OpenAI Video object with `task_id` and `metadata.url`.
        case videos
    }

    /// The fetch route polls use.
    public let statusRoute: StatusRoute

    /// An adapter polling `statusRoute`.
    public init(statusRoute: StatusRoute = .generations) {
        self.statusRoute = statusRoute
    }

    public var dialect: Dialect { .unified }

    public var defaultPollPolicy: PollPolicy { PollPolicy() }

    public var statusVocabulary: StatusVocabulary { .unified }

    static let supportedFields: Set<String> = [
        "model", "prompt", "negative_prompt", "image", "images", "input_reference", "image_tail", "duration", "size",
        "width", "height", "aspect_ratio", "resolution", "fps", "seed", "n", "watermark", "mode", "cfg_scale",
        "camera_control", "callback_url", "external_task_id", "metadata", "extra",
    ]

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: UnifiedTaskAdapter.supportedFields)
        var body: [String: JSONValue] = ["model": .string(request.model), "prompt": .string(request.prompt)]
        if let image = request.image { body["image"] = .string(try image.urlOrDataURI(field: "image")) }
        if let images = request.images {
            body["images"] = .array(try images.enumerated().map { index, image in
                .string(try image.urlOrDataURI(field: "images[\(index)]"))
            })
        }
        if let reference = request.inputReference {
            body["input_reference"] = .string(try reference.urlOrDataURI(field: "input_reference"))
        }
        if let duration = request.duration {
            body["duration"] = .int(Int64(duration))
            body["seconds"] = .string(String(duration))
        }
        if let mode = request.mode { body["mode"] = .string(mode) }
        if let size = request.size { body["size"] = .string(size) }
        if let width = request.width { body["width"] = .int(Int64(width)) }
        if let height = request.height { body["height"] = .int(Int64(height)) }
        if let fps = request.fps { body["fps"] = .int(Int64(fps)) }
        if let seed = request.seed { body["seed"] = .int(seed) }
        if let n = request.n { body["n"] = .int(Int64(n)) }

        var metadata = request.metadata ?? [:]
        let moved: [(String, JSONValue?)] = [
            ("negative_prompt", request.negativePrompt.map(JSONValue.string)),
            ("aspect_ratio", request.aspectRatio.map(JSONValue.string)),
            ("resolution", request.resolution.map(JSONValue.string)),
            ("watermark", request.watermark.map(JSONValue.bool)),
            ("cfg_scale", request.cfgScale.map(JSONValue.number)),
            ("camera_control", request.cameraControl?.json),
            ("image_tail", try request.imageTail.map { .string(try $0.urlOrDataURI(field: "image_tail")) }),
            ("callback_url", request.callbackURL.map(JSONValue.string)),
            ("external_task_id", request.externalTaskID.map(JSONValue.string)),
        ]
        for (key, value) in moved {
            guard let value else { continue }
            if let existing = metadata[key], existing != value {
                throw VideoGenError(.invalidArgument, "request field '\(key)' contradicts 'metadata.\(key)'")
            }
            metadata[key] = value
        }
        if !metadata.isEmpty { body["metadata"] = .object(metadata) }
        try mergeVerbatim(request.extra, into: &body, source: "extra")
        return jsonPost(baseURL, "/v1/video/generations", body)
    }

    /// new-api serves every task's video at `/v1/videos/{id}/content`, also when its status answer names none (an
    /// inline Veo result): such a success is checked there before it counts as one without a video.
    var parser: GatewayTaskParser { GatewayTaskParser(vocabulary: statusVocabulary, servesContent: true) }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { try parser.parse($0, status: $1, baseURL: baseURL) }
    }

    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? {
        switch statusRoute {
        case .generations: return jsonGet(baseURL, "/v1/video/generations/", id: taskID)
        case .videos: return jsonGet(baseURL, "/v1/videos/", id: taskID)
        }
    }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { try parser.parse($0, status: $1, baseURL: baseURL) }
    }

    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? { nil }
}
