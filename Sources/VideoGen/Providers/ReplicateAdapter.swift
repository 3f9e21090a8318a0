import FoundationEssentials

/// Replicate predictions, with `Authorization: Bearer <token>`.
///
/// The request's `model` says what runs: `owner/name` (an official model: `POST /v1/models/{owner}/{name}/
/// predictions`), `owner/name:<version>` or a bare 64-hex version id (`POST /v1/predictions` with `version`), or
/// `deployments/owner/name` (`POST /v1/deployments/{owner}/{name}/predictions`). The body is `{input: {...}}` with
/// `prompt`, `negative_prompt`, `image` (a URL or a `data:` URI), `duration`, `aspect_ratio`, `resolution`, `fps`,
/// `seed`, `cfg_scale` and `extra` merged into `input` (every model has its own input schema); `callback_url` is
/// the prediction's `webhook` (on completion). `Prefer: wait=N` asks for the answer to be held up to N seconds: a
/// prediction finished by then needs no poll. `Cancel-After` (the configuration's `server_deadline`) has Replicate
/// end it past the wait deadline: `aborted` when it never started (not billed), `canceled` when it had.
///
/// Status is `GET /v1/predictions/{id}` (the answer's `urls.get`, kept in the task's links): `starting` (queued),
/// `processing` (progress read from the logs' last `NN%|` bar), `succeeded`, `failed` (`error`), `canceled`,
/// `aborted`. `output` is a URL or a list of URLs (several videos are the task's outputs); `metrics`
/// (`predict_time`, `total_time`) is the usage. Cancel is `POST /v1/predictions/{id}/cancel` (`urls.cancel`).
/// Errors are problem documents `{title, detail, status}`, 422s with `invalid_fields`.
public struct ReplicateAdapter: ProviderAdapter {
    /// Seconds of `Prefer: wait`, 0 for none.
    public let preferWait: Int
    /// Seconds sent as `Cancel-After`, or nil for none.
    public let cancelAfter: Double?

    /// Creates the adapter.
    public init(preferWait: Int = 0, cancelAfter: Double? = nil) {
        self.preferWait = preferWait
        self.cancelAfter = cancelAfter
    }

    public var dialect: Dialect { .replicate }

    public var defaultPollPolicy: PollPolicy { PollPolicy() }

    /// A held answer (`Prefer: wait`, at most 60 s) must fit in one request.
    public var defaultRequestTimeout: Double { 75 }

    public var statusVocabulary: StatusVocabulary { ReplicateAdapter.vocabulary }

    /// Replicate's prediction statuses on the common words (`starting` is queued, `aborted` cancelled).
    static let vocabulary = StatusVocabulary.common.extending([.queued: ["starting"], .cancelled: ["aborted"]])

    static let supportedFields: Set<String> = [
        "model", "prompt", "negative_prompt", "image", "duration", "aspect_ratio", "resolution", "fps", "seed",
        "cfg_scale", "callback_url", "extra",
    ]

    /// What a `model` names.
    enum Target: Equatable {
        /// An official model, `owner/name`.
        case model(owner: String, name: String)
        /// A version: `owner/name:<id>` or a bare id (sent as given in `version`).
        case version(String)
        /// A deployment, `deployments/owner/name`.
        case deployment(owner: String, name: String)
    }

    /// Parses a `model` into its target.
    /// - Throws: `.invalidArgument` for anything else.
    static func target(of model: String) throws -> Target {
        func name(_ part: Substring) -> Bool {
            !part.isEmpty && part.count <= 128 && part != "." && part != ".."
                && part.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
        }
        func hex(_ part: Substring) -> Bool {
            part.count == 64 && part.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
        }
        let parts = model.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0] == "deployments", name(parts[1]), name(parts[2]) {
            return .deployment(owner: String(parts[1]), name: String(parts[2]))
        }
        if parts.count == 1, hex(parts[0]) { return .version(model) }
        if parts.count == 2, name(parts[0]), parts[0] != "deployments" {
            let nameAndVersion = parts[1].split(separator: ":", omittingEmptySubsequences: false)
            if nameAndVersion.count == 1, name(nameAndVersion[0]) {
                return .model(owner: String(parts[0]), name: String(nameAndVersion[0]))
            }
            if nameAndVersion.count == 2, name(nameAndVersion[0]), hex(nameAndVersion[1]) { return .version(model) }
        }
        throw VideoGenError(.invalidArgument, "request field 'model' must be 'owner/name', 'owner/name:<64-hex version>', a version id or 'deployments/owner/name' for Replicate, not '\(Sanitize.text(model, limit: 100))'")
    }

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: ReplicateAdapter.supportedFields)
        let target = try ReplicateAdapter.target(of: request.model)
        var input: [String: JSONValue] = ["prompt": .string(request.prompt)]
        if let negative = request.negativePrompt { input["negative_prompt"] = .string(negative) }
        if let image = request.image { input["image"] = .string(try image.urlOrDataURI(field: "image")) }
        if let duration = request.duration { input["duration"] = .int(Int64(duration)) }
        if let ratio = request.aspectRatio { input["aspect_ratio"] = .string(ratio) }
        if let resolution = request.resolution { input["resolution"] = .string(resolution) }
        if let fps = request.fps { input["fps"] = .int(Int64(fps)) }
        if let seed = request.seed { input["seed"] = .int(seed) }
        if let cfg = request.cfgScale { input["cfg_scale"] = .number(cfg) }
        try mergeVerbatim(request.extra, into: &input, source: "extra")
        var body: [String: JSONValue] = ["input": .object(input)]
        if let callback = request.callbackURL {
            body["webhook"] = .string(callback)
            body["webhook_events_filter"] = ["completed"]
        }
        let path: String
        switch target {
        case .model(let owner, let name): path = "/v1/models/\(owner)/\(name)/predictions"
        case .deployment(let owner, let name): path = "/v1/deployments/\(owner)/\(name)/predictions"
        case .version(let version):
            path = "/v1/predictions"
            body["version"] = .string(version)
        }
        var submit = jsonPost(baseURL, path, body)
        if preferWait > 0 { submit.headers.append(("Prefer", "wait=\(preferWait)")) }
        if let cancelAfter { submit.headers.append(("Cancel-After", "\(Int64(cancelAfter.rounded(.up)))s")) }
        return submit
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { try prediction($0, status: $1, baseURL: baseURL) }
    }

    /// `urls.get` when kept, else `GET /v1/predictions/{id}`.
    public func statusRequest(for task: TaskSnapshot, baseURL: URL) -> HTTPRequest? {
        if let link = task.links["get"], let url = URL(string: link), OriginPolicy.sameOrigin(url, baseURL) {
            return HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")])
        }
        return statusRequest(taskID: task.id, route: task.route, baseURL: baseURL)
    }

    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? {
        jsonGet(baseURL, "/v1/predictions/", id: taskID)
    }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { try prediction($0, status: $1, baseURL: baseURL) }
    }

    /// `urls.cancel` when kept, else `POST /v1/predictions/{id}/cancel`.
    public func cancelRequest(for task: TaskSnapshot, baseURL: URL) -> HTTPRequest? {
        if let link = task.links["cancel"], let url = URL(string: link), OriginPolicy.sameOrigin(url, baseURL) {
            return HTTPRequest(method: "POST", url: url, headers: [("Accept", "application/json")])
        }
        return cancelRequest(taskID: task.id, baseURL: baseURL)
    }

    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? {
        guard PathSegment.problem(taskID) == nil else { return nil }
        return HTTPRequest(method: "POST", url: endpoint(baseURL, "/v1/predictions/\(PathSegment.encode(taskID))/cancel"),
                           headers: [("Accept", "application/json")])
    }

    /// Reads a prediction object.
    func prediction(_ body: JSONValue, status: Int, baseURL: URL) throws -> StatusReport {
        guard body.objectValue != nil, let word = body["status"]?.stringValue else {
            throw VideoGenError(.protocolError, "the prediction has no 'status'", httpStatus: status)
        }
        var report = StatusReport(state: try statusVocabulary.require(word))
        report.providerStatus = word
        report.id = body["id"]?.textValue
        report.model = body["model"]?.textValue
        if let metrics = body["metrics"], metrics.objectValue?.isEmpty == false { report.usage = metrics }
        var links: [String: String] = [:]
        for name in ["get", "cancel"] {
            if let text = body["urls"]?[name]?.stringValue, VideoRequest.isHTTPURL(text), let url = URL(string: text),
               OriginPolicy.sameOrigin(url, baseURL) {
                links[name] = text
            }
        }
        if !links.isEmpty { report.links = links }
        if word == "processing", let logs = body["logs"]?.stringValue { report.progress = ReplicateAdapter.progress(inLogs: logs) }
        switch word {
        case "succeeded":
            let urls = ReplicateAdapter.outputURLs(body["output"])
            report.videoURL = urls.first
            report.outputs = urls.count > 1 ? urls : nil
        case "failed":
            let reason = body["error"]?.textValue
            // Replicate's models report their safety checkers' refusals as "NSFW content detected...".
            let nsfw = reason?.lowercased().contains("nsfw") == true
            report.error = ErrorMapping.taskFailure(code: nsfw ? "content_policy_violation" : nil, message: reason, state: .failed)
            if nsfw { report.error?.providerCode = "nsfw" }
        case "aborted":
            report.error = VideoGenError(.deadline, "the prediction was aborted before it started (its Cancel-After deadline passed; not billed)", providerCode: "aborted")
        case "canceled":
            report.error = VideoGenError(.taskFailed, body["error"]?.textValue.map { Sanitize.text($0) } ?? "the prediction was canceled", providerCode: "canceled")
        default:
            break
        }
        return report
    }

    /// The percentage of the last progress bar in a prediction's logs (tqdm's `NN%|...|`, which Replicate's own
    /// SDK reads the same way), or nil when the logs show none. Only the last 4 KiB are read.
    static func progress(inLogs logs: String) -> Int? {
        let tail = Array(logs.utf8.suffix(4096))
        var index = tail.count - 1
        while index > 0 {
            if tail[index] == UInt8(ascii: "|"), tail[index - 1] == UInt8(ascii: "%") {
                var start = index - 1
                while start > 0, (0x30...0x39).contains(tail[start - 1]), index - 1 - start < 3 { start -= 1 }
                if start < index - 1, let value = Int(String(decoding: tail[start..<(index - 1)], as: UTF8.self)), value <= 100 {
                    return value
                }
            }
            index -= 1
        }
        return nil
    }

    /// The http(s) URLs of an `output`: a URL, a list of URLs, or an object holding them (`video`, `url`).
    static func outputURLs(_ output: JSONValue?) -> [String] {
        guard let output else { return [] }
        if let text = output.stringValue { return VideoRequest.isHTTPURL(text) ? [text] : [] }
        if let list = output.arrayValue { return list.flatMap { outputURLs($0) } }
        if output.objectValue != nil {
            return outputURLs(output["video"] ?? output["url"] ?? output["videos"])
        }
        return []
    }

    /// The common mapping (problem documents' `detail`), with a 422's `invalid_fields` named.
    public func error(from response: HTTPResponse) -> VideoGenError {
        var error = ErrorMapping.error(from: response)
        if let body = try? JSONValue.parse(response.body), let fields = body["invalid_fields"]?.arrayValue, !fields.isEmpty {
            let named = fields.compactMap { field -> String? in
                guard let name = field["field"]?.textValue else { return nil }
                return name + (field["description"]?.textValue.map { ": " + $0 } ?? "")
            }
            if !named.isEmpty { error.message = Sanitize.text(error.message + " (" + named.joined(separator: "; ") + ")") }
        }
        if error.providerCode == nil, let title = (try? JSONValue.parse(response.body))?["title"]?.textValue {
            error.providerCode = Sanitize.text(title, limit: 100)
        }
        return error
    }
}
