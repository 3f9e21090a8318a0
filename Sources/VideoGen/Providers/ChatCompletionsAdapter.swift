import FoundationEssentials

/// Video through Chat Completions, as gateways serve video models on `POST /v1/chat/completions`.
///
/// Submit is JSON `{model, messages: [{role: "user", content}], stream: false}`: the content is the prompt, or,
/// with reference images, a list of a `text` part and `image_url` parts (URLs as given, local images as `data:`
/// URIs). `metadata` is Chat Completions' own top-level object and is sent verbatim; `extra` members go to the top
/// level. The answer is synchronous: the finished task is in the reply, so there is nothing to poll and the
/// request may take minutes (this dialect's default request timeout is 600 s of silence).
///
/// The video link comes back inside the assistant message: a plain URL, a markdown link, an HTML `<video>` tag or a
/// structured content part (see `ChatVideoLink`). A reply without a video link is a failed task whose message
/// carries the reply text (`content_filter` as the finish reason makes it a content-policy failure).
public struct ChatCompletionsAdapter: ProviderAdapter {
    /// Creates the adapter.
    public init() {}

    public var dialect: Dialect { .chat }

    /// Unused: the reply is the finished task.
    public var defaultPollPolicy: PollPolicy { PollPolicy() }

    /// The whole generation happens inside one request, silent until the reply.
    public var defaultRequestTimeout: Double { 600 }

    public var statusVocabulary: StatusVocabulary { .chat }

    static let supportedFields: Set<String> = ["model", "prompt", "image", "images", "metadata", "extra"]

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: ChatCompletionsAdapter.supportedFields)
        var images: [(ImageSource, String)] = []
        if let image = request.image { images.append((image, "image")) }
        for (index, image) in (request.images ?? []).enumerated() { images.append((image, "images[\(index)]")) }
        let content: JSONValue
        if images.isEmpty {
            content = .string(request.prompt)
        } else {
            var parts: [JSONValue] = [["type": "text", "text": .string(request.prompt)]]
            for (image, field) in images {
                parts.append(["type": "image_url", "image_url": ["url": .string(try image.urlOrDataURI(field: field))]])
            }
            content = .array(parts)
        }
        var body: [String: JSONValue] = [
            "model": .string(request.model),
            "messages": [["role": "user", "content": content]],
            "stream": false,
        ]
        if let metadata = request.metadata { body["metadata"] = .object(metadata) }
        try mergeVerbatim(request.extra, into: &body, source: "extra")
        return jsonPost(baseURL, "/v1/chat/completions", body)
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { try parseCompletion($0, status: $1, raw: response.body) }
    }

    /// Nil: the submit's reply is the finished task.
    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? { nil }

    /// Reads a completion (as a stored completion would be read back); the client never polls this dialect.
    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { try parseCompletion($0, status: $1, raw: response.body) }
    }

    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? { nil }

    /// Reads a chat completion into a finished task: succeeded with the video link, or failed with the reply text.
    func parseCompletion(_ body: JSONValue, status: Int, raw: Data) throws -> StatusReport {
        guard body.objectValue != nil else {
            throw VideoGenError(.protocolError, "the chat answer is not a JSON object", httpStatus: status)
        }
        if body["choices"] == nil, body["error"] != nil {
            var error = ErrorMapping.error(from: HTTPResponse(status: 400, body: body.serialized()))
            error.httpStatus = status
            throw error
        }
        guard let choice = body["choices"]?.arrayValue?.first, let message = choice["message"], message.objectValue != nil else {
            throw VideoGenError(.protocolError, "the chat answer has no choices[0].message", httpStatus: status)
        }
        let finish = choice["finish_reason"]?.stringValue
        var text = ""
        var link: String?
        switch message["content"] {
        case .string(let content)?:
            text = content
        case .array(let parts)?:
            link = ChatVideoLink.find(inParts: parts)
            text = ChatVideoLink.text(ofParts: parts)
        default:
            break
        }
        if link == nil, let videos = message["videos"]?.arrayValue { link = ChatVideoLink.find(inParts: videos) }
        if link == nil, let direct = message["video_url"]?["url"]?.stringValue ?? message["video_url"]?.stringValue,
           VideoRequest.isHTTPURL(direct) {
            link = direct
        }
        if link == nil { link = ChatVideoLink.find(inText: text) }

        var report = StatusReport(state: link == nil ? .failed : .succeeded)
        report.id = body["id"]?.textValue ?? "chatcmpl-" + String(ChatCompletionsAdapter.digest(raw).prefix(24))
        report.providerStatus = finish ?? "stop"
        report.model = body["model"]?.stringValue
        report.createdAt = LooseNumber.unixTime(body["created"])
        report.videoURL = link
        if link == nil {
            let reply = text.trimmingWhitespaceAndNewlines()
            let said = reply.isEmpty ? message["refusal"]?.textValue ?? "" : reply
            let quoted = said.isEmpty ? "an empty reply" : "the reply: \(Sanitize.text(said, limit: 400))"
            let code: VideoGenError.Code = finish == "content_filter" ? .contentPolicy : .taskFailed
            report.error = VideoGenError(code, "the chat reply carries no video link; \(quoted)",
                                         providerCode: finish == "stop" ? nil : finish)
        }
        return report
    }

    /// Hex SHA-256 of `data`: a stable stand-in id for a reply that carries none.
    static func digest(_ data: Data) -> String {
        var hash = SHA256()
        hash.update(data)
        return hash.hexDigest()
    }
}
