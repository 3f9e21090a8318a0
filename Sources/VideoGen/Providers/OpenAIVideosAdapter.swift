import Foundation

/// The OpenAI-compatible Videos API (`/v1/videos`), as OpenAI defined it and gateways copy it.
///
/// Submit is multipart: `model`, `prompt`, `seconds` (a string: an integer is refused by OpenAI), `size`,
/// `input_reference` (an uploaded file for local images; a URL string as gateways accept). Status is the Video
/// object: `queued`, `in_progress`, `completed`, `failed`, integer `progress`, `error {code, message}`. The video is
/// served by `GET /v1/videos/{id}/content` on the same origin. There is no cancel operation.
public struct OpenAIVideosAdapter: ProviderAdapter {
    public init() {}

    public var dialect: Dialect { .openai }

    public var defaultPollPolicy: PollPolicy { PollPolicy() }

    static let supportedFields: Set<String> = ["model", "prompt", "duration", "size", "width", "height", "image", "extra"]

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
        if let size = request.effectiveSize {
            form.add(name: "size", value: size)
            sent.insert("size")
        }
        if let image = request.image {
            if case .url(let url) = image {
                form.add(name: "input_reference", value: url)
            } else if let loaded = try image.load(field: "image") {
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
        return HTTPRequest(method: "POST", url: endpoint(baseURL, "/v1/videos"),
                           headers: [("Content-Type", form.contentType), ("Accept", "application/json")],
                           body: form.encoded())
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { try parseVideoObject($0, status: $1, baseURL: baseURL) }
    }

    public func statusRequest(taskID: String, baseURL: URL) -> HTTPRequest {
        HTTPRequest(method: "GET", url: endpoint(baseURL, "/v1/videos/\(pathSegment(taskID))"),
                    headers: [("Accept", "application/json")])
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
        var report = StatusReport(state: try StatusVocabulary.common.require(word))
        report.providerStatus = word
        report.id = body["id"]?.stringValue ?? body["task_id"]?.stringValue
        report.progress = LooseNumber.progress(body["progress"])
        report.model = body["model"]?.stringValue
        report.createdAt = LooseNumber.unixTime(body["created_at"])
        report.expiresAt = LooseNumber.unixTime(body["expires_at"])
        if report.state == .succeeded, let id = report.id {
            report.videoURL = endpoint(baseURL, "/v1/videos/\(pathSegment(id))/content").absoluteString
        }
        if report.state.isTerminal && report.state != .succeeded {
            let failure = body["error"].map(ErrorMapping.extract) ?? ErrorFields()
            report.error = ErrorMapping.taskFailure(code: failure.code, message: failure.message, state: report.state)
        }
        return report
    }
}
