import FoundationEssentials

/// MiniMax (Hailuo) video generation, `api.minimax.io` (international) or `api.minimaxi.com` (China).
///
/// **v1** (the default) takes three steps. Submit is JSON to `POST /v1/video_generation`: `model`, `prompt`,
/// `duration`, `resolution` (`768P`, `1080P`, ...), `first_frame_image` / `last_frame_image` (videogen's `image`
/// and `image_tail`: a URL, or a local image as a `data:` URI), `callback_url`, `aigc_watermark` (`watermark`); it
/// answers `{task_id, base_resp}`. The query `GET /v1/query/video_generation?task_id=` says `Preparing`,
/// `Queueing`, `Processing`, `Success` (with `file_id`) or `Fail`; after `Success` the download URL comes from a
/// third request, `GET /v1/files/retrieve?file_id=` (`file.download_url`), asked as the status report's result
/// request. The `file_id` is kept in the task's links. A download URL that has expired is replaced by polling
/// again, which asks for the file again. Every v1 answer is HTTP 200 with `base_resp.status_code` (0 = success);
/// a non-zero code is an error (`MiniMaxErrors`).
///
/// **v2** (`"minimax_api": "v2"`) submits `POST /v2/video_generation` with a `content[]` list (a `text` item and
/// `image_url` items with a `role`: `first_frame`, `last_frame`, `reference_image`), `duration`, `resolution`,
/// `ratio` (`aspect_ratio`), `callback_url`, `aigc_watermark`, and polls `GET /v2/query/video_generation/{task_id}`:
/// `{task: {id, status: queued | running | succeeded | failed | cancelled, content: {url}, usage, error}}`. Errors
/// are HTTP statuses with `{type: "error", error: {type, message: "... (1026)", http_code}}`.
///
/// Either version answers `invalid task_id` for a task older than 7 days; for a task whose record says it is that
/// old the task is reported expired, not unknown (`statusFailure`). MiniMax has no cancel operation.
public struct MiniMaxAdapter: ProviderAdapter {
    /// The two video APIs.
    public enum APIVersion: String, Sendable, Hashable, CaseIterable {
        /// `/v1/video_generation`, its query and `files/retrieve`.
        case v1
        /// `/v2/video_generation` with `content[]`, `/v2/query/video_generation/{id}`.
        case v2
    }

    /// How long MiniMax lets a task be queried, in seconds (7 days).
    public static let queryWindow: Double = 7 * 86400

    /// The API new tasks are created with.
    public let api: APIVersion

    /// Creates the adapter for `api`.
    public init(api: APIVersion = .v1) {
        self.api = api
    }

    public var dialect: Dialect { .minimax }

    /// MiniMax's examples poll every 10 s; generations take minutes.
    public var defaultPollPolicy: PollPolicy { PollPolicy(interval: 5, maxInterval: 20, multiplier: 1.5, jitter: 0.1) }

    /// v1's `Preparing`, `Queueing`, `Processing`, `Success`, `Fail` and v2's lower-case words.
    public var statusVocabulary: StatusVocabulary {
        StatusVocabulary.common.extending([.queued: ["preparing", "queueing"], .failed: ["fail"]])
    }

    static let v1Fields: Set<String> = [
        "model", "prompt", "duration", "resolution", "image", "image_tail", "watermark", "callback_url", "extra",
    ]
    static let v2Fields: Set<String> = v1Fields.union(["images", "aspect_ratio"])

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: api == .v1 ? MiniMaxAdapter.v1Fields : MiniMaxAdapter.v2Fields)
        var body: [String: JSONValue] = ["model": .string(request.model)]
        if let duration = request.duration { body["duration"] = .int(Int64(duration)) }
        if let resolution = request.resolution { body["resolution"] = .string(resolution) }
        if let watermark = request.watermark { body["aigc_watermark"] = .bool(watermark) }
        if let callback = request.callbackURL { body["callback_url"] = .string(callback) }
        switch api {
        case .v1:
            body["prompt"] = .string(request.prompt)
            if let image = request.image { body["first_frame_image"] = .string(try image.urlOrDataURI(field: "image")) }
            if let tail = request.imageTail { body["last_frame_image"] = .string(try tail.urlOrDataURI(field: "image_tail")) }
        case .v2:
            var content: [JSONValue] = [["type": "text", "text": .string(request.prompt)]]
            func item(_ image: ImageSource, _ field: String, _ role: String) throws -> JSONValue {
                ["type": "image_url", "image_url": ["url": .string(try image.urlOrDataURI(field: field))], "role": .string(role)]
            }
            if let image = request.image { content.append(try item(image, "image", "first_frame")) }
            if let tail = request.imageTail { content.append(try item(tail, "image_tail", "last_frame")) }
            for (index, image) in (request.images ?? []).enumerated() {
                content.append(try item(image, "images[\(index)]", "reference_image"))
            }
            body["content"] = .array(content)
            if let ratio = request.aspectRatio { body["ratio"] = .string(ratio) }
        }
        try mergeVerbatim(request.extra, into: &body, source: "extra")
        return jsonPost(baseURL, "/\(api.rawValue)/video_generation", body)
    }

    /// `v1` or `v2`: the API the task was created with, kept in its record.
    public func route(of submit: HTTPRequest) -> String? {
        submit.url.path.hasPrefix("/v2/") || submit.url.path.contains("/v2/video_generation") ? APIVersion.v2.rawValue : APIVersion.v1.rawValue
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { body, status in
            try MiniMaxErrors.checkBaseResponse(body, status: status)
            var report = StatusReport(state: .queued)
            report.id = body["task_id"]?.textValue
            // MiniMax names no creation time; the answer's Date is the service's own clock at creation, which the
            // 7-day query window is measured from.
            report.createdAt = response.headers["date"].flatMap(RetryHint.parseHTTPDate)?.timeIntervalSince1970
            return report
        }
    }

    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? {
        if route == APIVersion.v2.rawValue { return jsonGet(baseURL, "/v2/query/video_generation/", id: taskID) }
        return queryGet(baseURL, "/v1/query/video_generation", name: "task_id", value: taskID)
    }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { body, status in
            if let task = body["task"], task.objectValue != nil { return try parseV2(task) }
            return try parseV1(body, status: status, baseURL: baseURL)
        }
    }

    private func parseV1(_ body: JSONValue, status: Int, baseURL: URL) throws -> StatusReport {
        let word = body["status"]?.textValue
        let code = body["base_resp"]?["status_code"]?.intValue ?? 0
        // A failed task carries its reason in base_resp; any other non-zero code is an error of the query.
        if word?.lowercased() != "fail" { try MiniMaxErrors.checkBaseResponse(body, status: status) }
        guard let word else { throw VideoGenError(.protocolError, "the MiniMax query answer carries no status", httpStatus: status) }
        var report = StatusReport(state: try statusVocabulary.require(word))
        report.providerStatus = word
        report.id = body["task_id"]?.textValue
        switch report.state {
        case .succeeded:
            guard let fileID = body["file_id"]?.textValue else {
                report.state = .failed
                report.error = VideoGenError(.taskFailed, "MiniMax reported the task finished but named no file")
                return report
            }
            report.links = ["file_id": fileID]
            guard let request = queryGet(baseURL, "/v1/files/retrieve", name: "file_id", value: fileID) else {
                throw VideoGenError(.protocolError, "MiniMax named a file id that cannot be sent: '\(Sanitize.text(fileID, limit: 64))'")
            }
            report.resultRequest = request
        case .failed:
            // base_resp {0, "success"} only says the query worked: then the failure has no reason.
            let message = code == 0 ? nil : body["base_resp"]?["status_msg"]?.textValue
            report.error = MiniMaxErrors.taskFailure(code: code == 0 ? nil : String(code), message: message, state: .failed)
        default: break
        }
        return report
    }

    private func parseV2(_ task: JSONValue) throws -> StatusReport {
        guard let word = task["status"]?.stringValue else {
            throw VideoGenError(.protocolError, "the MiniMax task carries no status")
        }
        var report = StatusReport(state: try statusVocabulary.require(word))
        report.providerStatus = word
        report.id = task["id"]?.textValue
        report.model = task["model"]?.textValue
        report.createdAt = LooseNumber.unixTime(task["created_at"])
        report.usage = task["usage"].flatMap { $0.objectValue == nil ? nil : $0 }
        if report.state == .succeeded { report.videoURL = task["content"]?["url"]?.textValue }
        if report.state.isTerminal && report.state != .succeeded, let error = task["error"] {
            report.error = MiniMaxErrors.taskFailure(code: error["code"]?.textValue, message: error["message"]?.textValue, state: report.state)
        }
        return report
    }

    public func parseResult(_ response: HTTPResponse, report: StatusReport, baseURL: URL) throws -> StatusReport {
        let body = try response.json()
        try MiniMaxErrors.checkBaseResponse(body, status: response.status)
        guard let url = body["file"]?["download_url"]?.textValue else {
            throw VideoGenError(.protocolError, "the MiniMax file answer carries no download_url", httpStatus: response.status)
        }
        var finished = report
        finished.videoURL = url
        return finished
    }

    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? { nil }

    public func error(from response: HTTPResponse) -> VideoGenError {
        MiniMaxErrors.error(from: response)
    }

    /// `invalid task_id` (2013, or a 404) for a task created more than 7 days ago: MiniMax no longer answers for
    /// it, so it is reported expired.
    public func statusFailure(_ error: VideoGenError, for task: TaskSnapshot, now: Double) -> StatusReport? {
        guard !task.state.isTerminal || task.state == .succeeded, let created = task.createdAt,
              now - created >= MiniMaxAdapter.queryWindow,
              error.code == .notFound || error.providerCode == "2013" || error.message.lowercased().contains("invalid task_id") else {
            return nil
        }
        var report = StatusReport(state: .expired)
        report.error = VideoGenError(.notFound, "MiniMax keeps tasks queryable for 7 days and this one is older; it answered: \(error.message)",
                                     providerCode: error.providerCode)
        return report
    }

    /// A GET of `path?name=value`, the value percent-encoded (unreserved characters kept); nil for a value that
    /// cannot be a task or file id (empty, control characters, over 1 KiB).
    func queryGet(_ baseURL: URL, _ path: String, name: String, value: String) -> HTTPRequest? {
        guard PathSegment.problem(value) == nil else { return nil }
        var encoded = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                encoded.unicodeScalars.append("%")
                encoded.unicodeScalars.append(hex[Int(byte >> 4)])
                encoded.unicodeScalars.append(hex[Int(byte & 15)])
            }
        }
        guard let url = URL(string: baseURL.absoluteString + path + "?" + name + "=" + encoded) else { return nil }
        return HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")])
    }
}
