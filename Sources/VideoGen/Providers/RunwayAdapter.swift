import FoundationEssentials

/// Runway's API (`api.dev.runwayml.com`), as its SDK `runwayml` speaks it.
///
/// Every request carries `X-Runway-Version` (a dated version; `runway_version`, default 2024-11-06). Submit is JSON
/// to `POST /v1/image_to_video` when a first or last frame is given, `POST /v1/video_to_video` when `extra` names
/// `videoUri`, else `POST /v1/text_to_video`: `model`, `promptText` (the prompt), `promptImage` (the image as a URL
/// or `data:` URI; with a last frame, `[{uri, position: "first"}, {uri, position: "last"}]`), `ratio` (Runway's
/// pixel ratio such as `1280:720`, from `aspect_ratio`, or `size` 1280x720), `duration`, `seed`; everything else
/// (`contentModeration`, `references`, `videoUri`, ...) through `extra`. The answer is `{id}`.
///
/// Status is `GET /v1/tasks/{id}`: `PENDING` and `THROTTLED` (queued), `RUNNING` with `progress` as a fraction
/// 0..1 (read as a percentage), `SUCCEEDED` with `output[]` (URLs valid 24-48 h; polling again gives fresh ones),
/// `FAILED` with `failure` and `failureCode`, `CANCELLED`. `estimatedCost` / `cost` (credits) are reported as the
/// task's usage. `DELETE /v1/tasks/{id}` cancels a running task (or deletes a finished one).
public struct RunwayAdapter: ProviderAdapter {
    /// The version sent unless the configuration names another (the one `runwayml` sends).
    public static let defaultVersion = "2024-11-06"

    /// The dated API version sent as `X-Runway-Version`.
    public let version: String

    /// Creates the adapter for API `version`.
    public init(version: String = RunwayAdapter.defaultVersion) {
        self.version = version
    }

    /// True for `YYYY-MM-DD`.
    static func isDatedVersion(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && zip(parts, [4, 2, 2]).allSatisfy { part, length in
            part.count == length && part.allSatisfy { $0.isASCII && $0.isNumber }
        }
    }

    public var dialect: Dialect { .runway }

    /// The SDK polls every 6 s (± 1.5 s); Runway asks for no more than one poll every 5 s per task.
    public var defaultPollPolicy: PollPolicy { PollPolicy(interval: 5, maxInterval: 15, multiplier: 1.5, jitter: 0.1) }

    /// `PENDING`, `THROTTLED`, `RUNNING`, `SUCCEEDED`, `FAILED`, `CANCELLED`.
    public var statusVocabulary: StatusVocabulary { StatusVocabulary.common.extending([.queued: ["throttled"]]) }

    static let supportedFields: Set<String> = [
        "model", "prompt", "image", "image_tail", "duration", "aspect_ratio", "size", "width", "height", "seed", "extra",
    ]

    /// The three task families.
    public enum Route: String, Sendable, CaseIterable {
        /// A first (and last) frame.
        case imageToVideo = "image_to_video"
        /// A prompt alone.
        case textToVideo = "text_to_video"
        /// A video to restyle (`extra.videoUri`).
        case videoToVideo = "video_to_video"
    }

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: RunwayAdapter.supportedFields)
        var body: [String: JSONValue] = ["model": .string(request.model), "promptText": .string(request.prompt)]
        let route: Route
        if request.image != nil || request.imageTail != nil {
            route = .imageToVideo
            var frames: [JSONValue] = []
            if let image = request.image {
                frames.append(["uri": .string(try image.urlOrDataURI(field: "image")), "position": "first"])
            }
            if let tail = request.imageTail {
                frames.append(["uri": .string(try tail.urlOrDataURI(field: "image_tail")), "position": "last"])
            }
            if request.imageTail == nil, case .object(let first)? = frames.first, let uri = first["uri"] {
                body["promptImage"] = uri
            } else {
                body["promptImage"] = .array(frames)
            }
        } else {
            route = request.extra?["videoUri"] != nil ? .videoToVideo : .textToVideo
        }
        if let ratio = request.aspectRatio {
            if let size = request.effectiveSize, size.replacing("x", with: ":") != ratio {
                throw VideoGenError(.invalidArgument, "request fields 'aspect_ratio' (\(ratio)) and 'size' (\(size)) contradict each other; Runway takes one ratio")
            }
            body["ratio"] = .string(ratio)
        } else if let size = request.effectiveSize {
            body["ratio"] = .string(size.replacing("x", with: ":"))
        }
        if let duration = request.duration { body["duration"] = .int(Int64(duration)) }
        if let seed = request.seed { body["seed"] = .int(seed) }
        try mergeVerbatim(request.extra, into: &body, source: "extra")
        return versioned(jsonPost(baseURL, "/v1/\(route.rawValue)", body))
    }

    /// `request` with `X-Runway-Version`.
    func versioned(_ request: HTTPRequest) -> HTTPRequest {
        var request = request
        request.headers.append(("X-Runway-Version", version))
        return request
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { body, _ in
            var report = StatusReport(state: .queued)
            report.id = body["id"]?.textValue
            return report
        }
    }

    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? {
        jsonGet(baseURL, "/v1/tasks/", id: taskID).map(versioned)
    }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { body, status in
            guard let word = body["status"]?.stringValue else {
                throw VideoGenError(.protocolError, "the Runway task carries no status", httpStatus: status)
            }
            var report = StatusReport(state: try statusVocabulary.require(word))
            report.providerStatus = word
            report.id = body["id"]?.textValue
            report.createdAt = body["createdAt"]?.stringValue.flatMap(ISO8601Time.parse)
            if let fraction = body["progress"]?.doubleValue, fraction.isFinite {
                // Always a fraction 0..1, whole numbers included (1 is done, not 1 %).
                report.progress = Int((min(1, max(0, fraction)) * 100).rounded(.down))
            }
            var usage: [String: JSONValue] = [:]
            for name in ["cost", "estimatedCost"] { if let value = body[name], value.objectValue != nil { usage[name] = value } }
            if !usage.isEmpty { report.usage = .object(usage) }
            if report.state == .succeeded {
                let outputs = (body["output"]?.arrayValue ?? []).compactMap(\.textValue)
                report.videoURL = outputs.first
                if outputs.count > 1 { report.outputs = outputs }
            }
            if report.state == .failed {
                report.error = RunwayAdapter.failure(code: body["failureCode"]?.textValue, message: body["failure"]?.textValue)
            }
            return report
        }
    }

    /// A failed task's error by its `failureCode`: `SAFETY.*` (and `INPUT_PREPROCESSING.SAFETY.*`) content
    /// refusals, `ASSET.INVALID` and other input preprocessing failures bad requests, `INTERNAL` (not
    /// `INTERNAL.BAD_OUTPUT.*`, a generation that came out wrong) server errors; anything else a failed task.
    static func failure(code: String?, message: String?) -> VideoGenError {
        let reason = message.map { Sanitize.text($0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "the task failed without a reason"
        guard let code else { return ErrorMapping.taskFailure(code: nil, message: message, state: .failed) }
        let upper = code.uppercased()
        let mapped: VideoGenError.Code
        if upper.hasPrefix("SAFETY.") || upper.contains(".SAFETY.") || upper.hasSuffix(".SAFETY") {
            mapped = .contentPolicy
        } else if upper.hasPrefix("ASSET.INVALID") || upper.hasPrefix("INPUT_PREPROCESSING") {
            mapped = .badRequest
        } else if upper == "INTERNAL" || (upper.hasPrefix("INTERNAL.") && !upper.hasPrefix("INTERNAL.BAD_OUTPUT")) {
            mapped = .server
        } else {
            mapped = .taskFailed
        }
        return VideoGenError(mapped, reason, providerCode: Sanitize.text(code, limit: 100))
    }

    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? {
        PathSegment.url(baseURL, "/v1/tasks/", taskID).map { versioned(HTTPRequest(method: "DELETE", url: $0)) }
    }
}
