import FoundationEssentials

/// Wan on Alibaba Cloud Model Studio (DashScope): the asynchronous video-synthesis API.
///
/// Submit is `POST /api/v1/services/aigc/video-generation/video-synthesis` with `X-DashScope-Async: enable` and a
/// Bearer key: `{model, input: {prompt, negative_prompt, img_url | first_frame_url + last_frame_url},
/// parameters: {size, resolution, duration, seed, watermark, ...}}`. The answer is `{request_id, output: {task_id,
/// task_status}}`; the task id lives 24 hours. Status is `GET /api/v1/tasks/{task_id}`: `output.task_status` is
/// PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED or UNKNOWN (DashScope's word for an id it does not know, which
/// is also what a task older than 24 hours reads as: reported as expired), `output.video_url` (valid 24 hours),
/// `output.code` / `output.message` for a failed task, `usage` (`video_count`, `video_duration`, `video_ratio`,
/// `SR`) kept in the snapshot as DashScope names it. `POST /api/v1/tasks/{task_id}/cancel` cancels a task still
/// PENDING. Errors are `{request_id, code, message}`: `DataInspectionFailed` (and the other inspection codes) is a
/// content refusal, `Throttling*` a rate limit, `InvalidApiKey` an authentication failure, `Arrearage` a quota.
///
/// DashScope takes a first frame (`img_url`, image to video) or a first and last frame (`first_frame_url`,
/// `last_frame_url`, keyframes to video) as URLs or `data:` URIs; `size` (`1280x720`) is sent as DashScope writes
/// it (`1280*720`). `n`, `fps`, `width` / `height` (use `size`), `aspect_ratio`, `mode`, `cfg_scale`, `camera_control`, `images`, `input_reference`,
/// `callback_url` and `external_task_id` have no DashScope field and are refused by name; model-specific fields
/// (`prompt_extend`, `shot_type`, `audio_url`, `template`) go through `metadata` (into `input`) or `extra` (into
/// `parameters`).
public struct DashScopeAdapter: ProviderAdapter {
    /// The submit route below the base URL.
    public static let submitPath = "/api/v1/services/aigc/video-generation/video-synthesis"

    /// Creates the adapter.
    public init() {}

    public var dialect: Dialect { .dashscope }

    /// DashScope's SDK polls every second, doubling every three polls up to five seconds; generations take minutes.
    public var defaultPollPolicy: PollPolicy { PollPolicy() }

    public var statusVocabulary: StatusVocabulary { .dashscope }

    static let supportedFields: Set<String> = [
        "model", "prompt", "negative_prompt", "image", "image_tail", "duration", "size", "resolution", "seed",
        "watermark", "metadata", "extra",
    ]

    /// DashScope codes beyond the common table (lower-case): rate limits, quota, keys, unknown tasks.
    static let errorCodes: [String: VideoGenError.Code] = [
        "invalidapikey": .auth, "invalidapikey.notfound": .auth,
        "throttling": .rateLimited, "throttling.ratequota": .rateLimited, "throttling.allocationquota": .rateLimited,
        "throttling.burstrate": .rateLimited, "throttling.userconcurrency": .rateLimited,
        "arrearage": .quota, "allocationquota.freetieronly": .quota,
        "datainspectionfailed": .contentPolicy, "data_inspection_failed": .contentPolicy,
        "ipinfringementsuspect": .contentPolicy, "inappropriatecontent": .contentPolicy,
        "accessdenied": .permission, "accessdenied.unpurchased": .permission,
        "modelnotfound": .notFound, "model.accessdenied": .permission,
        "invalidparameter": .badRequest, "invalidurl": .badRequest, "invalidfile.download": .badRequest,
        "internalerror": .server, "internalerror.algo": .server, "systemerror": .server,
    ]

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: DashScopeAdapter.supportedFields)
        var input: [String: JSONValue] = ["prompt": .string(request.prompt)]
        if let negative = request.negativePrompt { input["negative_prompt"] = .string(negative) }
        switch (request.image, request.imageTail) {
        case (let first?, let last?):
            input["first_frame_url"] = .string(try first.urlOrDataURI(field: "image"))
            input["last_frame_url"] = .string(try last.urlOrDataURI(field: "image_tail"))
        case (let first?, nil):
            input["img_url"] = .string(try first.urlOrDataURI(field: "image"))
        case (nil, _?):
            throw VideoGenError(.invalidArgument, "DashScope takes a last frame ('image_tail') only with a first frame ('image')")
        case (nil, nil):
            break
        }
        var parameters: [String: JSONValue] = [:]
        // DashScope writes sizes as WIDTH*HEIGHT; videogen's requests as WIDTHxHEIGHT.
        if let size = request.size { parameters["size"] = .string(String(size.map { $0 == "x" ? "*" : $0 })) }
        if let resolution = request.resolution { parameters["resolution"] = .string(resolution) }
        if let duration = request.duration { parameters["duration"] = .int(Int64(duration)) }
        if let seed = request.seed { parameters["seed"] = .int(seed) }
        if let watermark = request.watermark { parameters["watermark"] = .bool(watermark) }
        try mergeVerbatim(request.metadata, into: &input, source: "metadata")
        try mergeVerbatim(request.extra, into: &parameters, source: "extra")
        var body: [String: JSONValue] = ["model": .string(request.model), "input": .object(input)]
        if !parameters.isEmpty { body["parameters"] = .object(parameters) }
        var http = jsonPost(baseURL, DashScopeAdapter.submitPath, body)
        http.headers.append(("X-DashScope-Async", "enable"))
        return http
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { body, status in try parse(body, status: status) }
    }

    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? {
        jsonGet(baseURL, "/api/v1/tasks/", id: taskID)
    }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { body, status in try parse(body, status: status) }
    }

    /// `POST /api/v1/tasks/{id}/cancel`: DashScope cancels tasks that are still PENDING.
    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? {
        PathSegment.url(baseURL, "/api/v1/tasks/", taskID, "/cancel").map {
            HTTPRequest(method: "POST", url: $0, headers: [("Accept", "application/json")])
        }
    }

    public func error(from response: HTTPResponse) -> VideoGenError {
        ErrorMapping.error(from: response, refinements: DashScopeAdapter.errorCodes)
    }

    /// A submit or status answer: `{request_id, output: {task_id, task_status, video_url, code, message,
    /// submit_time, ...}, usage}`. A 200 carrying a top-level `code` (no `output`) is an error in disguise.
    func parse(_ body: JSONValue, status: Int) throws -> StatusReport {
        guard let output = body["output"], output.objectValue != nil else {
            if let code = body["code"]?.textValue, !code.isEmpty {
                throw error(from: HTTPResponse(status: 400, headers: [:], body: body.serialized()))
            }
            throw VideoGenError(.protocolError, "the DashScope answer has no 'output' object", httpStatus: status)
        }
        guard let word = output["task_status"]?.stringValue else {
            throw VideoGenError(.protocolError, "the DashScope answer has no 'output.task_status'", httpStatus: status)
        }
        var report = StatusReport(state: try statusVocabulary.require(word))
        report.id = output["task_id"]?.stringValue
        report.providerStatus = word
        report.videoURL = output["video_url"]?.stringValue.nonEmpty
        report.createdAt = DashScopeAdapter.time(output["submit_time"]?.stringValue)
        if let usage = body["usage"], usage.objectValue != nil { report.usage = usage }
        if report.state == .expired {
            report.error = VideoGenError(.notFound, "DashScope knows no such task (UNKNOWN): the id is wrong, or the task is older than the 24 hours DashScope keeps it",
                                         providerCode: "UNKNOWN")
        } else if report.state.isTerminal && report.state != .succeeded {
            report.error = ErrorMapping.taskFailure(code: output["code"]?.textValue, message: output["message"]?.textValue,
                                                    state: report.state, refinements: DashScopeAdapter.errorCodes)
        }
        return report
    }

    /// DashScope's `submit_time` (`2025-07-27 21:05:15.212`, China Standard Time, UTC+8) as Unix seconds; nil when
    /// it does not read.
    static func time(_ text: String?) -> Double? {
        guard let text else { return nil }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == ":" || $0 == "T" })
        guard parts.count == 6, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              let hour = Int(parts[3]), let minute = Int(parts[4]), let second = Double(parts[5]),
              (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), second >= 0, second < 61 else { return nil }
        let days = CivilTime.days(year: year, month: month, day: day)
        return Double(days * 86400 + hour * 3600 + minute * 60) + second - 8 * 3600
    }
}

extension StatusVocabulary {
    /// The `dashscope` dialect: PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED (all in `common`) and UNKNOWN, which
    /// here means no such task, or one past its 24 hours: expired (where `common` reads a gateway's `unknown` as
    /// queued).
    public static let dashscope = common.extending([.expired: ["UNKNOWN"]])
}
