import FoundationEssentials

/// Kling's native video API as gateways pass it through under `/kling` (new-api's `/kling/v1/videos/...`).
///
/// Submit is JSON to `POST /kling/v1/videos/text2video`, or to `.../image2video` when a first or last frame is
/// given: `model_name`, `prompt`, `negative_prompt`, `duration` (a string), `aspect_ratio`, `mode`, `cfg_scale`,
/// `camera_control`, `image` / `image_tail` (a URL, or bare base64 with no `data:` prefix; JPEG or PNG up to
/// 10 MiB, as Kling documents), `watermark_info {enabled}`, `callback_url`, `external_task_id`, and the gateway
/// fields `width`, `height`, `fps`, `seed`, `n`. Kling has no metadata object (new-api's route makes the whole body
/// the task's metadata), so `metadata` members are sent at the top level, like `extra`.
///
/// Status is `GET /kling/v1/videos/{text2video|image2video}/{task_id}`, the route recorded with the task. Answers
/// come in Kling's envelope (`{code, message, request_id, data: {task_id, task_status, task_status_msg,
/// task_result: {videos: [{url}]}}}`, millisecond timestamps, no progress) or in the gateway's own shapes (flat
/// `{task_id, status}`, new-api's task envelope); business codes map to videogen's codes (1102 balance → quota,
/// 1301 content policy, 1302 / 1303 rate limits, ...). Kling has no cancel operation.
///
/// The same adapter speaks Kling's own API (`official`, the `kling_official` dialect): the same bodies and answers
/// at `/v1/videos/...` without the `/kling` prefix, a third family, `omni-video` (models `kling-video-o*` and
/// `*-omni`, or several reference `images`: `image_list`, see `KlingAdapter+Official.swift`), no gateway fields
/// (`width`, `height`, `fps`, `seed`, `n` are refused), JWT credentials (`KlingJWTAuthenticator`), the task's
/// `external_task_id` kept in its links, and `final_unit_deduction` as its usage.
public struct KlingAdapter: ProviderAdapter {
    /// The two task families, each with its own submit and status path.
    public enum Route: String, Sendable, CaseIterable {
        /// Text to video.
        case text2video
        /// Image to video (a first frame, a last frame or both).
        case image2video
        /// Kling's multimodal family (official API only): text, first and last frames, reference images.
        case omniVideo = "omni-video"
    }

    /// Largest reference image Kling accepts, in bytes.
    public static let maxImageBytes = 10 * 1024 * 1024

    /// Whether this is Kling's own API (`kling_official`) rather than a gateway's pass-through (`kling`).
    public let official: Bool

    /// Creates the adapter: the gateways' pass-through under `/kling`, or Kling's own API when `official`.
    public init(official: Bool = false) {
        self.official = official
    }

    public var dialect: Dialect { official ? .klingOfficial : .kling }

    /// Where the task families live: under `/kling` on a gateway, at the root of Kling's own API.
    var pathPrefix: String { official ? "" : "/kling" }

    /// Kling asks for backoff starting at one second or more; query routes carry no QPS limit.
    public var defaultPollPolicy: PollPolicy { PollPolicy() }

    public var statusVocabulary: StatusVocabulary { .kling }

    static let supportedFields: Set<String> = [
        "model", "prompt", "negative_prompt", "image", "image_tail", "duration", "width", "height", "fps",
        "aspect_ratio", "mode", "cfg_scale", "camera_control", "seed", "n", "watermark", "callback_url",
        "external_task_id", "metadata", "extra",
    ]

    /// The route `request` goes to: image-to-video when a first or last frame is given, in the typed fields or
    /// verbatim through `metadata` / `extra`.
    static func route(for request: VideoRequest) -> Route {
        let verbatim = (request.metadata ?? [:]).merging(request.extra ?? [:]) { first, _ in first }
        let framed = request.image != nil || request.imageTail != nil
            || verbatim["image"] != nil || verbatim["image_tail"] != nil
        return framed ? .image2video : .text2video
    }

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        if official { return try officialSubmitRequest(request, baseURL: baseURL) }
        try refuseUnsupported(request, supported: KlingAdapter.supportedFields)
        var body: [String: JSONValue] = ["model_name": .string(request.model), "prompt": .string(request.prompt)]
        if let negative = request.negativePrompt { body["negative_prompt"] = .string(negative) }
        if let image = request.image { body["image"] = .string(try wireImage(image, field: "image")) }
        if let tail = request.imageTail { body["image_tail"] = .string(try wireImage(tail, field: "image_tail")) }
        if let duration = request.duration { body["duration"] = .string(String(duration)) }
        if let ratio = request.aspectRatio { body["aspect_ratio"] = .string(ratio) }
        if let mode = request.mode { body["mode"] = .string(mode) }
        if let cfg = request.cfgScale { body["cfg_scale"] = .number(cfg) }
        if let camera = request.cameraControl { body["camera_control"] = camera.json }
        if let watermark = request.watermark { body["watermark_info"] = ["enabled": .bool(watermark)] }
        if let callback = request.callbackURL { body["callback_url"] = .string(callback) }
        if let external = request.externalTaskID { body["external_task_id"] = .string(external) }
        if let width = request.width { body["width"] = .int(Int64(width)) }
        if let height = request.height { body["height"] = .int(Int64(height)) }
        if let fps = request.fps { body["fps"] = .int(Int64(fps)) }
        if let seed = request.seed { body["seed"] = .int(seed) }
        if let n = request.n { body["n"] = .int(Int64(n)) }
        try mergeVerbatim(request.metadata, into: &body, source: "metadata")
        try mergeVerbatim(request.extra, into: &body, source: "extra")
        let route = KlingAdapter.route(for: request)
        return jsonPost(baseURL, "/kling/v1/videos/\(route.rawValue)", body)
    }

    /// The body members every family shares, from the typed fields (`image` and `image_tail` excepted).
    func commonBody(_ request: VideoRequest) -> [String: JSONValue] {
        var body: [String: JSONValue] = ["model_name": .string(request.model), "prompt": .string(request.prompt)]
        if let negative = request.negativePrompt { body["negative_prompt"] = .string(negative) }
        if let duration = request.duration { body["duration"] = .string(String(duration)) }
        if let ratio = request.aspectRatio { body["aspect_ratio"] = .string(ratio) }
        if let mode = request.mode { body["mode"] = .string(mode) }
        if let cfg = request.cfgScale { body["cfg_scale"] = .number(cfg) }
        if let camera = request.cameraControl { body["camera_control"] = camera.json }
        if let watermark = request.watermark { body["watermark_info"] = ["enabled": .bool(watermark)] }
        if let callback = request.callbackURL { body["callback_url"] = .string(callback) }
        if let external = request.externalTaskID { body["external_task_id"] = .string(external) }
        return body
    }

    /// An image as Kling takes it: a URL as given; local bytes as bare base64 (Kling refuses a `data:` prefix),
    /// JPEG or PNG only, at most `maxImageBytes`.
    func wireImage(_ image: ImageSource, field: String) throws -> String {
        switch try image.wire(field: field) {
        case .url(let url):
            return url
        case .local(let loaded):
            guard loaded.mimeType == "image/jpeg" || loaded.mimeType == "image/png" else {
                throw VideoGenError(.unsupported, "\(field): Kling takes JPEG or PNG images, not \(loaded.mimeType)")
            }
            guard loaded.data.count <= KlingAdapter.maxImageBytes else {
                throw VideoGenError(.tooLarge, "\(field): image is \(loaded.data.count) bytes, over Kling's \(KlingAdapter.maxImageBytes)-byte limit")
            }
            return loaded.data.base64EncodedString()
        }
    }

    public func route(of submit: HTTPRequest) -> String? {
        Route(rawValue: submit.url.lastPathComponent)?.rawValue
    }

    var parser: GatewayTaskParser {
        GatewayTaskParser(vocabulary: statusVocabulary, refinements: ProviderErrorCodes.kling)
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { try officialDetails(parser.parse($0, status: $1, baseURL: baseURL), $0) }
    }

    /// - Parameter route: `text2video` or `image2video`; a task without a known route (a record written by hand)
    ///   is looked up under `text2video`, which gateways resolve by id alone.
    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? {
        var family = route.flatMap(Route.init(rawValue:)) ?? .text2video
        if family == .omniVideo && !official { family = .text2video }
        return jsonGet(baseURL, "\(pathPrefix)/v1/videos/\(family.rawValue)/", id: taskID)
    }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { try officialDetails(parser.parse($0, status: $1, baseURL: baseURL), $0) }
    }

    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? { nil }

    public func error(from response: HTTPResponse) -> VideoGenError {
        ErrorMapping.error(from: response, refinements: ProviderErrorCodes.kling)
    }

    /// Kling's own API is signed with a JWT made from the access key and a secret key
    /// (`ClientConfiguration.authenticator`, set from `secret_key`); without one, every request fails with `.auth`.
    public func authenticator(key: APIKey) -> any Authenticator {
        official ? MissingKlingSecret() : KeyHeaderAuthenticator(key: key)
    }
}
