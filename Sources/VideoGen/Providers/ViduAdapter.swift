import FoundationEssentials

/// Vidu's API (`api.vidu.com/ent/v2`), authorized with `Authorization: Token <key>`.
///
/// Submit is JSON to one of four routes, chosen from the request's images: `POST /ent/v2/text2video` (none),
/// `/img2video` (`image`: one first frame), `/start-end2video` (`image` and `image_tail`: first and last frame),
/// `/reference2video` (`images`: one to seven subject references). Images travel in `images[]` as URLs or `data:`
/// URIs. Fields: `model`, `prompt`, `duration`, `seed`, `aspect_ratio` (text and references only: the frame
/// routes take the frame's), `resolution`, `watermark`,
/// `callback_url`; Vidu's own (`style`, `movement_amplitude`, `bgm`, `payload`, `off_peak`, `audio`) go through
/// `extra`. The answer is `{task_id, state, model, credits, created_at, ...}`.
///
/// Status is `GET /ent/v2/tasks/{id}/creations`: `state` created | queueing | processing | success | failed,
/// `err_code` for a failed task, `credits` (kept as the snapshot's usage), `creations[] {id, url, cover_url,
/// watermarked_url}` (URLs valid for a limited time: re-polled when they expire); a task its owner cancelled reads
/// `failed` with `err_code` `UserCancelled` and is reported cancelled. Every creation's `url` is an
/// output; the first creation's `cover_url` is the task's `thumbnail` variant. `POST /ent/v2/tasks/{id}/cancel`
/// (`{"id"}`) cancels a task not yet scheduled. Errors are `{code, reason, message, metadata}`; `reason` is Vidu's
/// error code (`CreditInsufficient` quota, `AuditSubmitIllegal` / `TaskPromptPolicyViolation` /
/// `CreationPolicyViolation` content policy, `TooManyRequests` / `SystemThrottling` / `QuotaExceeded` rate limits).
/// `negative_prompt`, `n`, `fps`, `width`, `height`, `size`, `mode`, `cfg_scale`, `camera_control`,
/// `input_reference`, `external_task_id` and `metadata` are refused by name.
public struct ViduAdapter: ProviderAdapter {
    /// Vidu's generation routes.
    public enum Route: String, Sendable, CaseIterable {
        /// Text to video.
        case text2video
        /// One image as the first frame.
        case img2video
        /// A first and a last frame.
        case startEnd2video = "start-end2video"
        /// Subject reference images.
        case reference2video
    }

    /// The link name under which the first creation's cover URL is kept with the task.
    public static let coverLink = "cover_url"
    /// Most reference images Vidu takes.
    public static let maxReferences = 7

    /// Creates the adapter.
    public init() {}

    public var dialect: Dialect { .vidu }

    public var defaultPollPolicy: PollPolicy { PollPolicy() }

    public var statusVocabulary: StatusVocabulary { .vidu }

    /// `Authorization: Token <key>`.
    public func authenticator(key: APIKey) -> any Authenticator {
        KeyHeaderAuthenticator(key: key, name: "Authorization", prefix: "Token ")
    }

    static let supportedFields: Set<String> = [
        "model", "prompt", "image", "image_tail", "images", "duration", "seed", "aspect_ratio", "resolution",
        "watermark", "callback_url", "extra",
    ]

    /// Vidu's error codes (its `reason`, lower-case).
    static let errorCodes: [String: VideoGenError.Code] = [
        "unauthorized": .auth, "forbidden": .permission,
        "creditinsufficient": .quota,
        "auditsubmitillegal": .contentPolicy, "taskpromptpolicyviolation": .contentPolicy,
        "creationpolicyviolation": .contentPolicy,
        "toomanyrequests": .rateLimited, "systemthrottling": .rateLimited, "quotaexceeded": .rateLimited,
        "tasknotfound": .notFound, "creationnotfound": .notFound, "notfound": .notFound,
        "badrequest": .badRequest, "fieldlacking": .badRequest, "fieldunwanted": .badRequest, "fieldinvalid": .badRequest,
        "fielditemcountoutofrange": .badRequest, "imagedownloadfailure": .badRequest, "imageformatinvalid": .badRequest,
        "pagesizeoutofrange": .badRequest, "modelunavailable": .badRequest, "operationinprocess": .rateLimited,
        "internalservicefailure": .server,
    ]

    /// The route `request` goes to.
    static func route(for request: VideoRequest) throws -> Route {
        switch (request.image != nil, request.imageTail != nil, request.images != nil) {
        case (false, false, false): return .text2video
        case (true, false, false): return .img2video
        case (true, true, false): return .startEnd2video
        case (false, false, true): return .reference2video
        case (false, true, _):
            throw VideoGenError(.invalidArgument, "Vidu takes a last frame ('image_tail') only with a first frame ('image')")
        default:
            throw VideoGenError(.invalidArgument, "Vidu takes frames ('image', 'image_tail') or reference images ('images'), not both")
        }
    }

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: ViduAdapter.supportedFields)
        let route = try ViduAdapter.route(for: request)
        if request.aspectRatio != nil, route == .img2video || route == .startEnd2video {
            throw VideoGenError(.unsupported, "Vidu's \(route.rawValue) takes the frame's aspect ratio: request field 'aspect_ratio' is not supported with 'image'")
        }
        var body: [String: JSONValue] = ["model": .string(request.model)]
        if !request.prompt.isEmpty || route != .img2video { body["prompt"] = .string(request.prompt) }
        var images: [JSONValue] = []
        if let first = request.image { images.append(.string(try first.urlOrDataURI(field: "image"))) }
        if let last = request.imageTail { images.append(.string(try last.urlOrDataURI(field: "image_tail"))) }
        if let references = request.images {
            guard (1...ViduAdapter.maxReferences).contains(references.count) else {
                throw VideoGenError(.invalidArgument, "Vidu takes 1 to \(ViduAdapter.maxReferences) reference images, not \(references.count)")
            }
            for (index, image) in references.enumerated() {
                images.append(.string(try image.urlOrDataURI(field: "images[\(index)]")))
            }
        }
        if !images.isEmpty { body["images"] = .array(images) }
        if let duration = request.duration { body["duration"] = .int(Int64(duration)) }
        if let seed = request.seed { body["seed"] = .int(seed) }
        if let ratio = request.aspectRatio { body["aspect_ratio"] = .string(ratio) }
        if let resolution = request.resolution { body["resolution"] = .string(resolution) }
        if let watermark = request.watermark { body["watermark"] = .bool(watermark) }
        if let callback = request.callbackURL { body["callback_url"] = .string(callback) }
        try mergeVerbatim(request.extra, into: &body, source: "extra")
        return jsonPost(baseURL, "/ent/v2/\(route.rawValue)", body)
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { body, status in try parse(body, status: status, idField: "task_id") }
    }

    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? {
        jsonGet(baseURL, "/ent/v2/tasks/", id: taskID, "/creations")
    }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { body, status in try parse(body, status: status, idField: "id") }
    }

    /// `POST /ent/v2/tasks/{id}/cancel` with `{"id"}`, as Vidu documents it.
    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? {
        PathSegment.url(baseURL, "/ent/v2/tasks/", taskID, "/cancel").map {
            HTTPRequest(method: "POST", url: $0, headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                        body: JSONValue.object(["id": .string(taskID)]).serialized())
        }
    }

    /// Vidu's `{code, reason, message}`: `reason` is the error code.
    public func error(from response: HTTPResponse) -> VideoGenError {
        var response = response
        if let body = try? JSONValue.parse(response.body), let reason = body["reason"]?.stringValue,
           case .object(var members) = body {
            members["code"] = .string(reason)
            response.body = JSONValue.object(members).serialized()
        }
        return ErrorMapping.error(from: response, refinements: ViduAdapter.errorCodes)
    }

    /// A submit answer (`task_id`) or a creations answer (`id`, maybe absent).
    func parse(_ body: JSONValue, status: Int, idField: String) throws -> StatusReport {
        guard body.objectValue != nil, let word = body["state"]?.stringValue else {
            throw VideoGenError(.protocolError, "the Vidu answer has no 'state'", httpStatus: status)
        }
        var report = StatusReport(state: try statusVocabulary.require(word))
        report.id = body[idField]?.textValue
        report.providerStatus = word
        report.model = body["model"]?.stringValue
        report.createdAt = body["created_at"]?.stringValue.flatMap(RFC3339.seconds)
        if let credits = body["credits"], credits.doubleValue != nil { report.usage = .object(["credits": credits]) }
        let creations = body["creations"]?.arrayValue ?? []
        let urls = creations.compactMap { $0["url"]?.stringValue.nonEmpty }
        report.videoURL = urls.first
        if urls.count > 1 { report.outputs = urls }
        if let cover = creations.first?["cover_url"]?.stringValue.nonEmpty {
            report.links = [ViduAdapter.coverLink: cover]
        }
        if report.state == .failed, body["err_code"]?.stringValue == "UserCancelled" {
            // Vidu reports a task cancelled by its owner as failed with UserCancelled.
            report.state = .cancelled
            report.error = VideoGenError(.cancelled, "the task was cancelled on the service", providerCode: "UserCancelled")
        } else if report.state == .failed {
            let code = body["err_code"]?.textValue.nonEmpty
            report.error = ErrorMapping.taskFailure(code: code, message: code.map { "Vidu reported \($0)" },
                                                    state: report.state, refinements: ViduAdapter.errorCodes)
        }
        return report
    }
}

extension StatusVocabulary {
    /// The `vidu` dialect: created, queueing, processing, success, failed (`created` and `queueing` beyond
    /// `common`).
    public static let vidu = common.extending([.queued: ["created", "queueing", "scheduled"]])
}

extension ViduAdapter: TaskAssetLinks {
    /// The first creation's `cover_url` as the `thumbnail`; Vidu serves no spritesheet.
    public func assetURL(of task: TaskSnapshot, variant: ContentVariant) -> String? {
        variant == .thumbnail ? task.links[ViduAdapter.coverLink] : nil
    }
}
