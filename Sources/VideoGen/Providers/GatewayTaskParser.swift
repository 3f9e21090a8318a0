import FoundationEssentials

/// The tolerant reader of the task answers gateways give, shared by the `unified`, `kling` and `routerone`
/// dialects, since they answer in each other's shapes across versions and forks:
///
/// - the `{code, message, data}` envelope (new-api's TaskDto with `status`, `progress: "NN%"`, `result_url`,
///   `fail_reason`; its realtime form with `url` and `error`; Kling's own with `task_status`, `task_status_msg`
///   and `task_result.videos[].url`), refused when its code is not a success code;
/// - the flat `{task_id, status, progress, url, error}` shape (new-api's docs, Router One, gateways' Kling answers);
/// - the OpenAI Video object with `id` and `task_id` (its URL in `metadata.url`, else the content proxy).
///
/// Empty strings are absent values: new-api's Kling, Vidu and Jimeng converters answer `"model": ""`, its realtime
/// shape `"url": ""`.
struct GatewayTaskParser: Sendable {
    /// The dialect's status words.
    let vocabulary: StatusVocabulary
    /// The dialect's own provider error codes, for envelopes that carry an error code.
    var refinements: [String: VideoGenError.Code] = [:]
    /// Whether the gateway serves a task's video itself at `/v1/videos/{id}/content` (new-api does, for every task):
    /// a succeeded task whose answer names no video then reports that route as its `contentRoute`.
    var servesContent = false

    /// Envelope codes that mean success.
    static let successCodes: Set<String> = ["success", "0", "200", "ok"]

    /// Reads any of the shapes.
    /// - Throws: `.protocolError` for a body that is not a task object or has no status word, the envelope's error
    ///   for a non-success code, `.protocolError` naming an unknown status word.
    func parse(_ body: JSONValue, status: Int, baseURL: URL) throws -> StatusReport {
        guard body.objectValue != nil else {
            throw VideoGenError(.protocolError, "the task answer is not a JSON object", httpStatus: status)
        }
        var task = body
        if let inner = body["data"], inner.objectValue != nil, body["status"] == nil, body["task_status"] == nil {
            try checkEnvelopeCode(body, status: status)
            task = inner
        } else if body["status"] == nil, body["task_status"] == nil, body["code"] != nil {
            // An envelope without a task: an error answered with HTTP 200.
            try checkEnvelopeCode(body, status: status)
        }
        return try parseTask(task, status: status, baseURL: baseURL)
    }

    private func checkEnvelopeCode(_ body: JSONValue, status: Int) throws {
        guard let code = body["code"]?.textValue, !GatewayTaskParser.successCodes.contains(code.lowercased()) else { return }
        var error = ErrorMapping.error(from: HTTPResponse(status: 400, body: body.serialized()), refinements: refinements)
        error.httpStatus = status
        if ErrorMapping.relayedFields(body).message == nil {
            error.message = "the service answered code '\(Sanitize.text(code, limit: 64))'"
        }
        throw error
    }

    private func parseTask(_ task: JSONValue, status: Int, baseURL: URL) throws -> StatusReport {
        guard let word = task["status"]?.stringValue ?? task["task_status"]?.stringValue else {
            throw VideoGenError(.protocolError, "the task answer has no 'status'", httpStatus: status)
        }
        var report = StatusReport(state: try vocabulary.require(word))
        report.providerStatus = word
        report.id = task["task_id"]?.textValue ?? task["id"]?.stringValue
        report.progress = LooseNumber.progress(task["progress"])
        report.queuePosition = LooseNumber.count(task["queue_position"])
        report.model = task["model"]?.textValue ?? task["properties"]?["origin_model_name"]?.textValue
        report.createdAt = LooseNumber.unixTime(task["created_at"]) ?? LooseNumber.unixTime(task["submit_time"])
        report.expiresAt = LooseNumber.unixTime(task["expires_at"])
        let failReason = task["fail_reason"]?.textValue ?? task["task_status_msg"]?.textValue
        if report.state == .succeeded {
            report.videoURL = videoURL(in: task, failReason: failReason, baseURL: baseURL, id: report.id)
            if report.videoURL == nil, servesContent, let id = report.id {
                report.contentRoute = ContentProxy.route(id: id, baseURL: baseURL)
            }
        } else if report.state.isTerminal {
            let nested = task["error"].map { error in
                error.objectValue != nil ? ErrorMapping.extract(error) : ErrorFields(message: error.textValue)
            } ?? ErrorFields()
            report.error = ErrorMapping.taskFailure(code: nested.code, message: nested.message ?? failReason,
                                                     state: report.state, refinements: refinements)
        }
        return report
    }

    /// The video URL of a succeeded task, from whichever field the shape uses. The OpenAI-object shape (recognised
    /// by `object: "video"`) without a URL points at the content proxy, which is that shape's contract; the other
    /// shapes without a URL name no video (a gateway that `servesContent` may still have one: see `contentRoute`).
    /// Only http(s) URLs count: new-api puts an inline (base64) Veo result in `metadata.url` as a `data:` URI.
    private func videoURL(in task: JSONValue, failReason: String?, baseURL: URL, id: String?) -> String? {
        let candidates = [task["result_url"], task["url"], task["video_url"], task["metadata"]?["url"],
                          task["output"]?["video_url"], task["task_result"]?["videos"]?.arrayValue?.first?["url"]]
        for candidate in candidates {
            if let text = candidate?.stringValue, VideoRequest.isHTTPURL(text) { return text }
        }
        // Old new-api rows kept the URL in fail_reason.
        if let failReason, VideoRequest.isHTTPURL(failReason) { return failReason }
        if task["object"]?.stringValue == "video", let id {
            return ContentProxy.route(id: id, baseURL: baseURL)
        }
        return nil
    }
}
