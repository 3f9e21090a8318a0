import Foundation

/// The unified video-task API of new-api style gateways (`/v1/video/generations`).
///
/// Submit is JSON: `model, prompt, image, images, duration` (int) and `seconds` (string), `size, width, height,
/// fps, seed, n, metadata`; vendor parameters without a top-level field (`negative_prompt`, `aspect_ratio`,
/// `resolution`, `watermark`) travel in `metadata`, as new-api documents. The status answer comes in several shapes
/// across versions and forks, all read here: the `{code, message, data:{status, progress:"NN%", result_url,
/// fail_reason}}` envelope, the flat `{task_id, status, url, error}` shape, the OpenAI Video object with `id` and
/// `task_id`, and the realtime envelope `{code, data:{status, url, error}}`. new-api has no cancel route.
public struct UnifiedTaskAdapter: ProviderAdapter {
    public init() {}

    public var dialect: Dialect { .unified }

    public var defaultPollPolicy: PollPolicy { PollPolicy() }

    static let supportedFields: Set<String> = [
        "model", "prompt", "negative_prompt", "image", "images", "duration", "size", "width", "height",
        "aspect_ratio", "resolution", "fps", "seed", "n", "watermark", "metadata", "extra",
    ]

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: UnifiedTaskAdapter.supportedFields)
        var body: [String: JSONValue] = ["model": .string(request.model), "prompt": .string(request.prompt)]
        if let image = request.image { body["image"] = .string(try wireImage(image, field: "image")) }
        if let images = request.images {
            body["images"] = .array(try images.enumerated().map { index, image in
                .string(try wireImage(image, field: "images[\(index)]"))
            })
        }
        if let duration = request.duration {
            body["duration"] = .int(Int64(duration))
            body["seconds"] = .string(String(duration))
        }
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
        ]
        for (key, value) in moved {
            guard let value else { continue }
            if let existing = metadata[key], existing != value {
                throw VideoGenError(.invalidArgument, "request field '\(key)' contradicts 'metadata.\(key)'")
            }
            metadata[key] = value
        }
        if !metadata.isEmpty { body["metadata"] = .object(metadata) }

        for (key, value) in request.extra ?? [:] {
            guard body[key] == nil else {
                throw VideoGenError(.invalidArgument, "request 'extra' field '\(key)' collides with a field videogen already sends")
            }
            body[key] = value
        }
        return HTTPRequest(method: "POST", url: endpoint(baseURL, "/v1/video/generations"),
                           headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                           body: JSONValue.object(body).serialized())
    }

    /// An image as new-api takes it: a URL as given, local bytes as a data URI.
    private func wireImage(_ image: ImageSource, field: String) throws -> String {
        if case .url(let url) = image { return url }
        guard let loaded = try image.load(field: field) else {
            throw VideoGenError(.invalidArgument, "\(field): no image data")
        }
        return loaded.dataURI
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { try parseAnyShape($0, status: $1, baseURL: baseURL) }
    }

    public func statusRequest(taskID: String, baseURL: URL) -> HTTPRequest {
        HTTPRequest(method: "GET", url: endpoint(baseURL, "/v1/video/generations/\(pathSegment(taskID))"),
                    headers: [("Accept", "application/json")])
    }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { try parseAnyShape($0, status: $1, baseURL: baseURL) }
    }

    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? { nil }

    /// Reads any of the status shapes: unwraps the `{code, message, data}` envelope (refusing a non-success code),
    /// then reads the task object inside.
    func parseAnyShape(_ body: JSONValue, status: Int, baseURL: URL) throws -> StatusReport {
        guard body.objectValue != nil else {
            throw VideoGenError(.protocolError, "the task answer is not a JSON object", httpStatus: status)
        }
        var task = body
        if let inner = body["data"], inner.objectValue != nil, body["status"] == nil {
            if let code = body["code"]?.textValue, !["success", "0", "200", "ok"].contains(code.lowercased()) {
                let message = body["message"]?.textValue
                var error = ErrorMapping.error(from: HTTPResponse(status: 400, body: body.serialized()))
                error.httpStatus = status
                error.message = message.map { Sanitize.text($0) } ?? "the service answered code '\(code)'"
                throw error
            }
            task = inner
        }
        return try parseTask(task, status: status, baseURL: baseURL)
    }

    private func parseTask(_ task: JSONValue, status: Int, baseURL: URL) throws -> StatusReport {
        guard let word = task["status"]?.stringValue ?? task["task_status"]?.stringValue else {
            throw VideoGenError(.protocolError, "the task answer has no 'status'", httpStatus: status)
        }
        var report = StatusReport(state: try StatusVocabulary.common.require(word))
        report.providerStatus = word
        report.id = task["task_id"]?.stringValue ?? task["id"]?.stringValue
        report.progress = LooseNumber.progress(task["progress"])
        report.queuePosition = LooseNumber.count(task["queue_position"])
        report.model = task["model"]?.stringValue ?? task["properties"]?["origin_model_name"]?.stringValue
        report.createdAt = LooseNumber.unixTime(task["created_at"]) ?? LooseNumber.unixTime(task["submit_time"])
        report.expiresAt = LooseNumber.unixTime(task["expires_at"])
        let failReason = task["fail_reason"]?.textValue
        if report.state == .succeeded {
            report.videoURL = videoURL(in: task, failReason: failReason, baseURL: baseURL, id: report.id)
        } else if report.state.isTerminal {
            let nested = task["error"].map { error in
                error.objectValue != nil ? ErrorMapping.extract(error) : ErrorFields(message: error.textValue)
            } ?? ErrorFields()
            report.error = ErrorMapping.taskFailure(code: nested.code, message: nested.message ?? failReason,
                                                     state: report.state)
        }
        return report
    }

    /// The video URL of a succeeded task, from whichever field the shape uses. The OpenAI-object shape (recognised
    /// by `object: "video"`) without a URL points at the content proxy, which is that shape's contract; the other
    /// shapes without a URL have no video.
    private func videoURL(in task: JSONValue, failReason: String?, baseURL: URL, id: String?) -> String? {
        let candidates = [task["result_url"], task["url"], task["video_url"], task["metadata"]?["url"],
                          task["output"]?["video_url"]]
        for candidate in candidates {
            if let text = candidate?.stringValue, isHTTPURL(text) { return text }
        }
        // Old new-api rows kept the URL in fail_reason.
        if let failReason, isHTTPURL(failReason) { return failReason }
        if task["object"]?.stringValue == "video", let id {
            return endpoint(baseURL, "/v1/videos/\(pathSegment(id))/content").absoluteString
        }
        return nil
    }

    private func isHTTPURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return (lower.hasPrefix("https://") || lower.hasPrefix("http://")) && URL(string: text)?.host != nil
    }
}
