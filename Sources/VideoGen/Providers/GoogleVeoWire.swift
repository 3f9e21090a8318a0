import FoundationEssentials

/// What the Gemini API and Vertex AI share for Veo: the `predictLongRunning` body (`instances[0]` + `parameters`),
/// the long-running operation (`name`, `done`, `error`, `response`), the RAI filter report, and Google's error
/// bodies (`{"error": {"code", "message", "status", "details"}}`). Field names as google-genai's converters write
/// and read them (`_GenerateVideosParameters_to_mldev` / `_to_vertex`, `_GenerateVideosOperation_from_*`).
enum GoogleVeoWire {
    /// Which of the two services: they differ in the fields they take, how images travel and where videos are.
    enum Service: Sendable {
        /// The Gemini Developer API (`generativelanguage.googleapis.com`, `x-goog-api-key`).
        case gemini
        /// Vertex AI (`{location}-aiplatform.googleapis.com`, OAuth).
        case vertex
    }

    /// Request fields both services take.
    static let commonFields: Set<String> = [
        "model", "prompt", "negative_prompt", "image", "image_tail", "images", "duration", "aspect_ratio",
        "resolution", "n", "extra",
    ]

    /// The `predictLongRunning` body of `request`: `instances[0]` holds the prompt and images (`image`,
    /// `lastFrame`, `referenceImages`), `parameters` the settings (`durationSeconds`, `aspectRatio`, `resolution`,
    /// `sampleCount`, `negativePrompt`; on Vertex also `seed` and `fps`); `extra` members are added to `parameters`
    /// verbatim (`personGeneration`, `enhancePrompt`, `generateAudio`, `storageUri`, ...).
    static func body(_ request: VideoRequest, service: Service) throws -> [String: JSONValue] {
        var instance: [String: JSONValue] = ["prompt": .string(request.prompt)]
        if let image = request.image { instance["image"] = try wireImage(image, field: "image", service: service) }
        if let tail = request.imageTail { instance["lastFrame"] = try wireImage(tail, field: "image_tail", service: service) }
        if let images = request.images {
            guard images.count <= 3 else {
                throw VideoGenError(.invalidArgument, "request field 'images': Veo takes at most 3 reference images, not \(images.count)")
            }
            instance["referenceImages"] = .array(try images.enumerated().map { index, image in
                .object(["image": try wireImage(image, field: "images[\(index)]", service: service),
                         "referenceType": .string("asset")])
            })
        }
        var parameters: [String: JSONValue] = [:]
        if let duration = request.duration { parameters["durationSeconds"] = .int(Int64(duration)) }
        if let ratio = request.aspectRatio { parameters["aspectRatio"] = .string(ratio) }
        if let resolution = request.resolution { parameters["resolution"] = .string(resolution) }
        if let n = request.n { parameters["sampleCount"] = .int(Int64(n)) }
        if let negative = request.negativePrompt { parameters["negativePrompt"] = .string(negative) }
        if let seed = request.seed { parameters["seed"] = .int(seed) }
        if let fps = request.fps { parameters["fps"] = .int(Int64(fps)) }
        for (key, value) in request.extra ?? [:] {
            guard parameters[key] == nil else {
                throw VideoGenError(.invalidArgument, "request 'extra' field '\(key)' collides with a field videogen already sends")
            }
            parameters[key] = value
        }
        var body: [String: JSONValue] = ["instances": .array([.object(instance)])]
        if !parameters.isEmpty { body["parameters"] = .object(parameters) }
        return body
    }

    /// An image as Veo takes it: `{bytesBase64Encoded, mimeType}` from local bytes; on Vertex a `gs://` object as
    /// `{gcsUri}`. Neither service fetches http(s) URLs, so those are refused by name.
    static func wireImage(_ image: ImageSource, field: String, service: Service) throws -> JSONValue {
        if case .file(let path) = image, path.lowercased().hasPrefix("gs://") {
            guard service == .vertex else {
                throw VideoGenError(.unsupported, "request field '\(field)': the Gemini API does not read gs:// images; give the image's bytes (a file or a data: URI)")
            }
            return .object(["gcsUri": .string(path)])
        }
        switch try image.wire(field: field) {
        case .url:
            throw VideoGenError(.unsupported, "request field '\(field)': Veo does not fetch http(s) image URLs; give the image's bytes (a file or a data: URI)\(service == .vertex ? " or a gs:// object" : "")")
        case .local(let loaded):
            return .object(["bytesBase64Encoded": .string(loaded.data.base64EncodedString()),
                            "mimeType": .string(loaded.mimeType)])
        }
    }

    /// The model id from a request's model: `veo-3.0-generate-001`, also given as `models/veo-...` or
    /// `publishers/google/models/veo-...`; it must be one path segment.
    static func modelID(_ model: String) throws -> String {
        var id = Substring(model)
        for prefix in ["publishers/google/models/", "models/"] where id.hasPrefix(prefix) {
            id = id.dropFirst(prefix.count)
        }
        guard !id.isEmpty, !id.contains("/"), PathSegment.problem(String(id)) == nil else {
            throw VideoGenError(.invalidArgument, "request field 'model' must name one Veo model (e.g. veo-3.0-generate-001), not '\(Sanitize.text(model, limit: 64))'")
        }
        return String(id)
    }

    /// The segments of an operation name shaped like `pattern`, where `*` is any one non-empty segment that is
    /// safe in a path (`PathSegment`), or nil when it has another shape.
    static func segments(of name: String, pattern: [String]) -> [String]? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == pattern.count else { return nil }
        for (part, expected) in zip(parts, pattern) {
            if expected == "*" {
                guard PathSegment.problem(part) == nil, !part.contains("?"), !part.contains("#") else { return nil }
            } else if part != expected {
                return nil
            }
        }
        return parts
    }

    /// The inline video `task.videoURL` names (`<prefix><index>`), asked for again with `request` and read from the
    /// answer by `encoded` (base64 of video `index`); nil for a video at a URL.
    static func embeddedVideo(for task: TaskSnapshot, prefix: String, request: HTTPRequest?,
                              encoded: @escaping @Sendable (JSONValue, Int) -> String?) throws -> EmbeddedVideo? {
        guard let url = task.videoURL, url.hasPrefix(prefix) else { return nil }
        guard let index = Int(url.dropFirst(prefix.count)), index >= 0, let request else {
            throw VideoGenError(.invalidArgument, "the task's video_url '\(Sanitize.text(url, limit: 64))' names no inline video of its operation")
        }
        return EmbeddedVideo(request: request) { response in
            let body = try response.json()
            guard body["done"]?.boolValue == true else {
                throw VideoGenError(.protocolError, "the operation is no longer reported done", httpStatus: response.status)
            }
            guard let text = encoded(body, index) else {
                throw VideoGenError(.notReady, "the operation's answer no longer holds video \(index) inline")
            }
            guard let bytes = Data(base64Encoded: text), !bytes.isEmpty else {
                throw VideoGenError(.protocolError, "video \(index) of the operation is not valid base64", httpStatus: response.status)
            }
            return bytes
        }
    }

    /// gRPC status names by code number, for operation errors that carry only the number.
    static let statusNames: [Int64: String] = [
        1: "CANCELLED", 2: "UNKNOWN", 3: "INVALID_ARGUMENT", 4: "DEADLINE_EXCEEDED", 5: "NOT_FOUND",
        6: "ALREADY_EXISTS", 7: "PERMISSION_DENIED", 8: "RESOURCE_EXHAUSTED", 9: "FAILED_PRECONDITION",
        10: "ABORTED", 11: "OUT_OF_RANGE", 12: "UNIMPLEMENTED", 13: "INTERNAL", 14: "UNAVAILABLE",
        15: "DATA_LOSS", 16: "UNAUTHENTICATED",
    ]

    /// Reads a long-running operation: `done` false or absent is running (Veo reports no progress); `done` with
    /// `error` is failed (a `CANCELLED` status is cancelled), with the status name as the provider code; `done` with
    /// a `response` is read by `videos` (the service's result shape). Results filtered by the RAI filters with no
    /// video left fail with `.contentPolicy` and the filter's reasons.
    static func parseOperation(_ body: JSONValue, status: Int,
                               videos: (JSONValue) throws -> [String]) throws -> StatusReport {
        guard body.objectValue != nil else {
            throw VideoGenError(.protocolError, "the operation answer is not a JSON object", httpStatus: status)
        }
        guard let name = body["name"]?.stringValue, !name.isEmpty else {
            throw VideoGenError(.protocolError, "the operation answer has no 'name'", httpStatus: status)
        }
        let done = body["done"]?.boolValue ?? false
        guard done else {
            var report = StatusReport(state: .running)
            report.id = name
            report.providerStatus = "running"
            return report
        }
        if let failure = body["error"], failure.objectValue != nil {
            let number = failure["code"]?.intValue
            let statusName = failure["status"]?.stringValue ?? number.flatMap { statusNames[$0] }
            let state: TaskState = statusName == "CANCELLED" ? .cancelled : .failed
            var report = StatusReport(state: state)
            report.id = name
            report.providerStatus = "done"
            report.error = ErrorMapping.taskFailure(code: statusName ?? number.map(String.init),
                                                    message: failure["message"]?.stringValue, state: state)
            return report
        }
        let response = body["response"] ?? .object([:])
        let urls = try videos(response)
        var report = StatusReport(state: .succeeded)
        report.id = name
        report.providerStatus = "done"
        report.videoURL = urls.first
        report.outputs = urls.count > 1 ? urls : nil
        // Vertex reports the filter beside `videos`; the Gemini API inside `generateVideoResponse`.
        let filter = response["generateVideoResponse"] ?? response
        let filtered = LooseNumber.count(filter["raiMediaFilteredCount"]) ?? 0
        if urls.isEmpty && filtered > 0 {
            report.state = .failed
            let reasons = (filter["raiMediaFilteredReasons"]?.arrayValue ?? []).compactMap(\.stringValue)
            let why = reasons.isEmpty ? "no reason given" : reasons.joined(separator: "; ")
            report.error = VideoGenError(.contentPolicy, Sanitize.text("Veo's safety filters removed \(filtered) video\(filtered == 1 ? "" : "s"): \(why)"),
                                         providerCode: "raiMediaFiltered")
        }
        return report
    }

    /// The error of a non-2xx answer in Google's shape: the HTTP status's code, made precise by the status name
    /// (`UNAUTHENTICATED`, `PERMISSION_DENIED`, `RESOURCE_EXHAUSTED`) and by an invalid or expired key (the Gemini
    /// API answers those with 400 `INVALID_ARGUMENT` and the reason `API_KEY_INVALID`); the status name is the
    /// provider code.
    static func error(from response: HTTPResponse) -> VideoGenError {
        var error = ErrorMapping.error(from: response)
        guard let body = try? JSONValue.parse(response.body), let failure = body["error"], failure.objectValue != nil else {
            return error
        }
        let statusName = failure["status"]?.stringValue
        let reasons = (failure["details"]?.arrayValue ?? []).compactMap { $0["reason"]?.stringValue }
        if let statusName { error.providerCode = Sanitize.text(statusName, limit: 100) }
        if reasons.contains("API_KEY_INVALID") || reasons.contains("API_KEY_EXPIRED") || statusName == "UNAUTHENTICATED" {
            error.code = .auth
            error.providerCode = reasons.first { $0.hasPrefix("API_KEY") } ?? statusName
        } else if statusName == "PERMISSION_DENIED" {
            error.code = .permission
        } else if statusName == "RESOURCE_EXHAUSTED" {
            error.code = .rateLimited
        } else if statusName == "NOT_FOUND" {
            error.code = .notFound
        }
        return error
    }
}
