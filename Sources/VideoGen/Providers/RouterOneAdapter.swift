import FoundationEssentials

/// Router One's video API (`api.router.one`).
///
/// Submit is JSON to `POST /v1/videos/generations`: `model`, `prompt`, `duration` (an integer), `size` (the
/// resolution class `720p` / `1080p`, videogen's `resolution`), `aspect_ratio` (`16:9`, `9:16`, `1:1`),
/// `negative_prompt`, `image_url`, `image_urls` (at most 3) and `input_reference`. Router One fetches and re-hosts
/// reference images itself, so it takes URLs only: a local image is refused by name before anything is sent.
/// The service answers **202** `{task_id, status: "pending"}`. Status is `GET /v1/videos/generations/{task_id}`:
/// `pending`, `processing` (with `progress`), `completed` with `url` (valid about 24 h), `failed` with `error`.
/// Errors are `{error: {message, type, code}}` (`invalid_api_key`, `insufficient_balance`,
/// `reference_image_invalid`, `upstream_error`, `invalid_task_id`, `task_not_found`). Router One asks clients to poll
/// no faster than every 3 s, which is this dialect's poll floor. There is no cancel operation.
public struct RouterOneAdapter: ProviderAdapter {
    /// Most reference images one request may carry in `image_urls`.
    public static let maxImages = 3

    /// Creates the adapter.
    public init() {}

    public var dialect: Dialect { .routerone }

    /// Every 3 s at first, growing to 15 s; never sooner than 3 s, whatever a server hint says.
    public var defaultPollPolicy: PollPolicy {
        PollPolicy(interval: 3, maxInterval: 15, multiplier: 1.5, jitter: 0.1, minInterval: 3)
    }

    public var statusVocabulary: StatusVocabulary { .routerone }

    static let supportedFields: Set<String> = [
        "model", "prompt", "negative_prompt", "duration", "resolution", "aspect_ratio", "image", "images",
        "input_reference", "extra",
    ]

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: RouterOneAdapter.supportedFields)
        var body: [String: JSONValue] = ["model": .string(request.model), "prompt": .string(request.prompt)]
        if let negative = request.negativePrompt { body["negative_prompt"] = .string(negative) }
        if let duration = request.duration { body["duration"] = .int(Int64(duration)) }
        if let resolution = request.resolution { body["size"] = .string(resolution) }
        if let ratio = request.aspectRatio { body["aspect_ratio"] = .string(ratio) }
        if let image = request.image { body["image_url"] = .string(try image.urlOnly(field: "image", dialect: dialect)) }
        if let images = request.images {
            guard images.count <= RouterOneAdapter.maxImages else {
                throw VideoGenError(.invalidArgument, "request field 'images' holds \(images.count) images; Router One takes at most \(RouterOneAdapter.maxImages)")
            }
            body["image_urls"] = .array(try images.enumerated().map { index, image in
                .string(try image.urlOnly(field: "images[\(index)]", dialect: dialect))
            })
        }
        if let reference = request.inputReference {
            body["input_reference"] = .string(try reference.urlOnly(field: "input_reference", dialect: dialect))
        }
        try mergeVerbatim(request.extra, into: &body, source: "extra")
        return jsonPost(baseURL, "/v1/videos/generations", body)
    }

    var parser: GatewayTaskParser {
        GatewayTaskParser(vocabulary: statusVocabulary, refinements: ProviderErrorCodes.routerOne)
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { try parser.parse($0, status: $1, baseURL: baseURL) }
    }

    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? {
        jsonGet(baseURL, "/v1/videos/generations/", id: taskID)
    }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { try parser.parse($0, status: $1, baseURL: baseURL) }
    }

    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? { nil }

    public func error(from response: HTTPResponse) -> VideoGenError {
        ErrorMapping.error(from: response, refinements: ProviderErrorCodes.routerOne)
    }
}
