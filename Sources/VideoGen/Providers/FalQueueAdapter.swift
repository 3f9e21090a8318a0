import FoundationEssentials

/// fal's queue (`queue.fal.run`), with `Authorization: Key <key>`.
///
/// Submit is `POST /{app}` where the request's `model` names the app (`fal-ai/kling-video/v2.1/standard/
/// text-to-video`), with the app's input as the JSON body: `prompt`, `negative_prompt`, `image_url` (a URL or a
/// `data:` URI), `tail_image_url`, `duration` (a string such as `"5"`, as fal's Kling, MiniMax and Wan apps take it;
/// apps that want `"8s"` get it through `extra`), `aspect_ratio`, `resolution`, `seed`, `cfg_scale`, and `extra`
/// verbatim; `callback_url` becomes the `fal_webhook` query parameter. The answer names `request_id`,
/// `status_url`, `response_url` and `cancel_url`: they are kept in the task's links and every later request goes
/// to them (never built by hand; a record without them cannot be polled). The server-side deadline
/// (`server_deadline`) is sent as `X-Fal-Request-Timeout`.
///
/// Status (`GET status_url`) is `IN_QUEUE` with `queue_position`, `IN_PROGRESS`, or `COMPLETED` with `metrics`
/// (the usage) and, when the app failed, `error` and `error_type` (`content_policy_violation` is a content refusal).
/// A completed task's output is read from `response_url` (the result request): the video at `video.url` or the
/// usual variants (`video` as a string, `videos[].url`, `output.video.url`, `video_url`, `url`). Errors are
/// `{"detail": text}` or FastAPI's 422 `{"detail": [{loc, msg, type}]}`; `X-Fal-Error-Type` names the kind.
/// Cancel is `PUT cancel_url` (202 `CANCELLATION_REQUESTED`; 400 `ALREADY_COMPLETED`).
public struct FalQueueAdapter: ProviderAdapter {
    /// Seconds sent as `X-Fal-Request-Timeout` (fal drops a request not started by then), or nil for none.
    public let serverDeadline: Double?

    /// Creates the adapter.
    public init(serverDeadline: Double? = nil) {
        self.serverDeadline = serverDeadline
    }

    public var dialect: Dialect { .fal }

    /// fal's SDK polls every 0.1 s; a video takes minutes, so the common schedule.
    public var defaultPollPolicy: PollPolicy { PollPolicy() }

    public var statusVocabulary: StatusVocabulary { FalQueueAdapter.vocabulary }

    /// fal's queue words on the common ones (`COMPLETED` is read with its `error` for failures).
    static let vocabulary = StatusVocabulary.common.extending([
        .queued: ["IN_QUEUE"], .running: ["IN_PROGRESS"], .succeeded: ["COMPLETED"],
    ])

    static let supportedFields: Set<String> = [
        "model", "prompt", "negative_prompt", "image", "image_tail", "duration", "aspect_ratio", "resolution", "seed",
        "cfg_scale", "callback_url", "extra",
    ]

    /// The link names kept with a task.
    enum Link {
        static let status = "status_url", response = "response_url", cancel = "cancel_url"
    }

    /// `Authorization: Key <key>`.
    public func authenticator(key: APIKey) -> any Authenticator { KeyHeaderAuthenticator(key: key, prefix: "Key ") }

    /// Checks an app id: `owner/app[/path...]`, each segment letters, digits, `.`, `_` or `-`, none `.` or `..`.
    static func checkedApp(_ model: String) throws -> String {
        let segments = model.split(separator: "/", omittingEmptySubsequences: false)
        let valid = segments.count >= 2 && model.utf8.count <= 512 && segments.allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".."
                && segment.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
        }
        guard valid else {
            throw VideoGenError(.invalidArgument, "request field 'model' must name a fal app such as 'fal-ai/kling-video/v2.1/standard/text-to-video', not '\(Sanitize.text(model, limit: 100))'")
        }
        return model
    }

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: FalQueueAdapter.supportedFields)
        let app = try FalQueueAdapter.checkedApp(request.model)
        var body: [String: JSONValue] = ["prompt": .string(request.prompt)]
        if let negative = request.negativePrompt { body["negative_prompt"] = .string(negative) }
        if let image = request.image { body["image_url"] = .string(try image.urlOrDataURI(field: "image")) }
        if let tail = request.imageTail { body["tail_image_url"] = .string(try tail.urlOrDataURI(field: "image_tail")) }
        if let duration = request.duration { body["duration"] = .string(String(duration)) }
        if let ratio = request.aspectRatio { body["aspect_ratio"] = .string(ratio) }
        if let resolution = request.resolution { body["resolution"] = .string(resolution) }
        if let seed = request.seed { body["seed"] = .int(seed) }
        if let cfg = request.cfgScale { body["cfg_scale"] = .number(cfg) }
        try mergeVerbatim(request.extra, into: &body, source: "extra")
        var path = "/" + app
        if let callback = request.callbackURL {
            path += "?fal_webhook=" + FalQueueAdapter.queryEncoded(callback)
        }
        var submit = jsonPost(baseURL, path, body)
        if let serverDeadline {
            submit.headers.append(("X-Fal-Request-Timeout", String(Int64(serverDeadline.rounded(.up)))))
        }
        return submit
    }

    /// `text` percent-encoded for a query value (everything but unreserved characters).
    static func queryEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-._~".unicodeScalars.contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// A link the service answered, checked: an http(s) URL on the configured service's origin (the key goes only
    /// there, so a link elsewhere could not be used with it).
    static func checkedLink(_ value: JSONValue?, name: String, baseURL: URL, required: Bool) throws -> String? {
        guard let text = value?.stringValue, !text.isEmpty else {
            if required { throw VideoGenError(.protocolError, "the submit answer carries no '\(name)'") }
            return nil
        }
        guard VideoRequest.isHTTPURL(text), let url = URL(string: text), OriginPolicy.sameOrigin(url, baseURL) else {
            throw VideoGenError(.protocolError, "the service answered a '\(name)' outside its own origin: '\(Sanitize.text(text, limit: 200))'")
        }
        return text
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { body, status in
            guard body.objectValue != nil else {
                throw VideoGenError(.protocolError, "the submit answer is not a JSON object", httpStatus: status)
            }
            var report = StatusReport(state: try body["status"]?.stringValue.map(statusVocabulary.require) ?? .queued)
            report.providerStatus = body["status"]?.stringValue ?? "IN_QUEUE"
            report.id = body["request_id"]?.textValue
            report.queuePosition = LooseNumber.count(body["queue_position"])
            var links: [String: String] = [:]
            for name in [Link.status, Link.response, Link.cancel] {
                links[name] = try FalQueueAdapter.checkedLink(body[name], name: name, baseURL: baseURL, required: true)
            }
            report.links = links
            return report
        }
    }

    /// The task's own `status_url`; nil for a task whose record lost it (it cannot be rebuilt safely).
    public func statusRequest(for task: TaskSnapshot, baseURL: URL) -> HTTPRequest? {
        guard let link = task.links[Link.status], let url = URL(string: link), OriginPolicy.sameOrigin(url, baseURL) else {
            return nil
        }
        return HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")])
    }

    /// fal's addresses come from the submit answer only: nothing is built from an id.
    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? { nil }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try parseStatus(response, for: TaskSnapshot(id: taskID, dialect: dialect.rawValue, baseURL: baseURL.absoluteString), baseURL: baseURL)
    }

    public func parseStatus(_ response: HTTPResponse, for task: TaskSnapshot, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: task.id) { body, status in
            guard body.objectValue != nil, let word = body["status"]?.stringValue else {
                throw VideoGenError(.protocolError, "the status answer has no 'status'", httpStatus: status)
            }
            var report = StatusReport(state: try statusVocabulary.require(word))
            report.providerStatus = word
            report.id = body["request_id"]?.textValue
            report.queuePosition = LooseNumber.count(body["queue_position"])
            if let metrics = body["metrics"], metrics.objectValue?.isEmpty == false { report.usage = metrics }
            guard report.state == .succeeded else {
                if report.state.isTerminal {
                    report.error = ErrorMapping.taskFailure(code: body["error_type"]?.textValue ?? word,
                                                            message: body["error"]?.textValue, state: report.state)
                }
                return report
            }
            if let failure = body["error"], !failure.isNull {
                let type = body["error_type"]?.textValue
                let cancelled = type?.lowercased().contains("cancel") == true
                report.state = cancelled ? .cancelled : .failed
                report.error = ErrorMapping.taskFailure(code: type, message: failure.textValue ?? String(decoding: failure.serialized(), as: UTF8.self),
                                                        state: report.state)
                return report
            }
            // The output is asked for at the recorded response URL (the answer's own, when the record lacks it).
            let answered = try FalQueueAdapter.checkedLink(body[Link.response], name: Link.response, baseURL: baseURL, required: false)
            let link = task.links[Link.response] ?? answered
            guard let link, let url = URL(string: link) else {
                throw VideoGenError(.protocolError, "the request completed but its response URL is unknown", httpStatus: status)
            }
            report.resultRequest = HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")])
            return report
        }
    }

    /// Reads the app's output: the video URL where the usual schemas put it, several when it made several.
    public func parseResult(_ response: HTTPResponse, report: StatusReport, baseURL: URL) throws -> StatusReport {
        let body = try response.json()
        var finished = report
        let urls = FalQueueAdapter.videoURLs(in: body)
        finished.videoURL = urls.first
        finished.outputs = urls.count > 1 ? urls : nil
        return finished
    }

    /// The http(s) video URLs of an output, in order: `video` (object or string), `videos[]`, then the same under
    /// `output`, then `video_url` and `url`.
    static func videoURLs(in output: JSONValue) -> [String] {
        func url(_ value: JSONValue?) -> String? {
            guard let value else { return nil }
            let text = value.stringValue ?? value["url"]?.stringValue
            return text.flatMap { VideoRequest.isHTTPURL($0) ? $0 : nil }
        }
        for scope in [output, output["output"], output["data"]].compactMap({ $0 }) {
            if let single = url(scope["video"]) { return [single] }
            if let list = scope["videos"]?.arrayValue {
                let found = list.compactMap(url)
                if !found.isEmpty { return found }
            }
            if let direct = url(scope["video_url"]) ?? url(scope["url"]) { return [direct] }
        }
        return []
    }

    /// `PUT cancel_url`.
    public func cancelRequest(for task: TaskSnapshot, baseURL: URL) -> HTTPRequest? {
        guard let link = task.links[Link.cancel], let url = URL(string: link), OriginPolicy.sameOrigin(url, baseURL) else {
            return nil
        }
        return HTTPRequest(method: "PUT", url: url, headers: [("Accept", "application/json")])
    }

    /// No cancel address can be built from an id.
    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? { nil }

    /// The common mapping, with fal's error type (the body's `error_type`, a 422 detail's `type`, or the
    /// `X-Fal-Error-Type` header) as the provider code, and `ALREADY_COMPLETED` named.
    public func error(from response: HTTPResponse) -> VideoGenError {
        let body = try? JSONValue.parse(response.body)
        let type = body?["error_type"]?.textValue ?? body?["detail"]?.arrayValue?.first?["type"]?.textValue
            ?? response.headers["x-fal-error-type"]
        var refinements: [String: VideoGenError.Code] = [:]
        if let type, ContentRefusals.isRefusal(code: type) { refinements[type.lowercased()] = .contentPolicy }
        var error = ErrorMapping.error(from: response, refinements: refinements)
        if let type {
            error.providerCode = Sanitize.text(type, limit: 100)
            if refinements[type.lowercased()] == .contentPolicy { error.code = .contentPolicy }
        }
        if body?["status"]?.stringValue == "ALREADY_COMPLETED" {
            error.message = "the request already completed; there is nothing to cancel"
            error.providerCode = "ALREADY_COMPLETED"
        }
        return error
    }
}

extension String {
    /// The string with `0` in front up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
