import FoundationEssentials

/// The OpenAI-compatible Videos API (`/v1/videos`), as OpenAI defined it and gateways copy it, Veo models included.
///
/// Submit is multipart: `model`, `prompt`, `seconds` (a string: an integer is refused by OpenAI), `size`,
/// `watermark` (`"true"` / `"false"`), `input_reference` (an uploaded file for local images, bytes and data URIs;
/// the URL string for a URL, as gateways accept). Gateways serving Veo models (`veo-3.1`, `-fast`, `-landscape`,
/// `-fl` variants) take the size as a ratio (`16x9`, `9x16`): for those models `aspect_ratio` is accepted and sent
/// that way. Status is the Video object: `queued`, `in_progress`, `completed`, `failed`, integer `progress`,
/// `error {code, message}` and, for a remix, `remixed_from_video_id`. The video is served by
/// `GET /v1/videos/{id}/content` on the same origin. There is no cancel operation. List, delete, remix and the
/// thumbnail and spritesheet assets are in `OpenAIVideosAdapter+Library.swift`.
public struct OpenAIVideosAdapter: ProviderAdapter {
    /// Creates the adapter.
    public init() {}

    public var dialect: Dialect { .openai }

    public var defaultPollPolicy: PollPolicy { PollPolicy() }

    public var statusVocabulary: StatusVocabulary { .openai }

    static let supportedFields: Set<String> = [
        "model", "prompt", "duration", "size", "width", "height", "aspect_ratio", "image", "input_reference",
        "watermark", "extra",
    ]

    /// True for the Veo family, whose gateway form takes the size as a ratio (`16x9`).
    static func takesRatioSize(model: String) -> Bool {
        model.lowercased().hasPrefix("veo")
    }

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: OpenAIVideosAdapter.supportedFields)
        var form = MultipartForm()
        var sent: Set<String> = ["model", "prompt"]
        form.add(name: "model", value: request.model)
        form.add(name: "prompt", value: request.prompt)
        if let duration = request.duration {
            form.add(name: "seconds", value: String(duration))
            sent.insert("seconds")
        }
        if let size = try wireSize(request) {
            form.add(name: "size", value: size)
            sent.insert("size")
        }
        if let watermark = request.watermark {
            form.add(name: "watermark", value: watermark ? "true" : "false")
            sent.insert("watermark")
        }
        if request.image != nil && request.inputReference != nil {
            throw VideoGenError(.invalidArgument, "request fields 'image' and 'input_reference' are the same field in the openai dialect: give one")
        }
        if let (image, field) = request.image.map({ ($0, "image") }) ?? request.inputReference.map({ ($0, "input_reference") }) {
            switch try image.wire(field: field) {
            case .url(let url):
                form.add(name: "input_reference", value: url)
            case .local(let loaded):
                form.add(name: "input_reference", filename: "input_reference.\(loaded.fileExtension)",
                         mimeType: loaded.mimeType, data: loaded.data)
            }
            sent.insert("input_reference")
        }
        for (name, value) in (request.extra ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard !sent.contains(name) else {
                throw VideoGenError(.invalidArgument, "request 'extra' field '\(name)' collides with a field videogen already sends")
            }
            form.add(name: name, value: value.stringValue ?? value.jsonText)
        }
        let (contentType, body) = form.encoded()
        return HTTPRequest(method: "POST", url: endpoint(baseURL, "/v1/videos"),
                           headers: [("Content-Type", contentType), ("Accept", "application/json")], body: body)
    }

    /// The `size` form field: `size` or `width`x`height` as given; for Veo models an `aspect_ratio` of `16:9`
    /// becomes `16x9`. Other models take pixel sizes only, so `aspect_ratio` is refused for them.
    private func wireSize(_ request: VideoRequest) throws -> String? {
        guard let ratio = request.aspectRatio else { return request.effectiveSize }
        guard OpenAIVideosAdapter.takesRatioSize(model: request.model) else {
            throw VideoGenError(.unsupported, "the openai dialect takes 'aspect_ratio' only for Veo models (sent as size \"16x9\"); give 'size' in pixels for '\(Sanitize.text(request.model, limit: 64))'")
        }
        let ratioSize = ratio.replacing(":", with: "x")
        if let size = request.effectiveSize, size != ratioSize {
            throw VideoGenError(.invalidArgument, "request field 'aspect_ratio' (\(ratio)) contradicts 'size' (\(size))")
        }
        return ratioSize
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { try parseVideoObject($0, status: $1, baseURL: baseURL) }
    }

    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? {
        jsonGet(baseURL, "/v1/videos/", id: taskID)
    }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { try parseVideoObject($0, status: $1, baseURL: baseURL) }
    }

    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? { nil }

    /// Reads an OpenAI Video object.
    func parseVideoObject(_ body: JSONValue, status: Int, baseURL: URL) throws -> StatusReport {
        guard body.objectValue != nil else {
            throw VideoGenError(.protocolError, "the video answer is not a JSON object", httpStatus: status)
        }
        guard let word = body["status"]?.stringValue else {
            throw VideoGenError(.protocolError, "the video answer has no 'status'", httpStatus: status)
        }
        var report = StatusReport(state: try statusVocabulary.require(word))
        report.providerStatus = word
        report.id = body["id"]?.stringValue ?? body["task_id"]?.stringValue
        report.progress = LooseNumber.progress(body["progress"])
        report.model = body["model"]?.stringValue
        report.createdAt = LooseNumber.unixTime(body["created_at"])
        report.expiresAt = LooseNumber.unixTime(body["expires_at"])
        report.remixedFrom = body["remixed_from_video_id"]?.textValue
        if report.state == .succeeded, let id = report.id {
            report.videoURL = PathSegment.url(baseURL, "/v1/videos/", id, "/content")?.absoluteString
        }
        if report.state.isTerminal && report.state != .succeeded {
            let failure = body["error"].map(ErrorMapping.extract) ?? ErrorFields()
            report.error = ErrorMapping.taskFailure(code: failure.code, message: failure.message, state: report.state)
        }
        return report
    }
}
