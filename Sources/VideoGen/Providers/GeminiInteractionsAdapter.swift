import FoundationEssentials

/// Video from Gemini's Interactions API (Gemini Omni models such as `gemini-omni-flash-preview`) on the Gemini
/// Developer API, as google-genai 3.6.1's `client.interactions` speaks it.
///
/// Submit is `POST /v1/interactions` with `x-goog-api-key` and `background: true` (the body of
/// `GeminiInteractionsWire.body`); the answer is the `Interaction`, whose `id` is the task's id: the record needs
/// nothing else. Status is `GET /v1/interactions/{id}`; remote cancel `POST /v1/interactions/{id}/cancel`.
/// `status` runs `queued`, `in_progress`, then `completed`, `failed`, `cancelled`, `incomplete` or
/// `budget_exceeded`; `requires_action`, `requires_continuation` and `idle` (tool calls, resumable decodes, live
/// sessions) are ends videogen cannot continue from, reported as failures naming the word. A completed
/// interaction's video is the `VideoContent` of its last `model_output` steps: at a `uri`, downloaded as usual, or
/// inline as base64 `data`, recorded as `inline:interaction/videos/{index}` and written by asking the interaction
/// again (`embeddedVideo`), so that the record stays small. Errors come from `errors[]` or the step's `error`.
public struct GeminiInteractionsAdapter: ProviderAdapter {
    /// Creates the adapter.
    public init() {}

    public var dialect: Dialect { .geminiInteractions }

    /// As Veo on the Gemini API: video takes tens of seconds to minutes.
    public var defaultPollPolicy: PollPolicy { PollPolicy(interval: 10, maxInterval: 20, multiplier: 1.5, jitter: 0.1, minInterval: 5) }

    /// The interaction statuses of google-genai's `InteractionStatus`.
    public var statusVocabulary: StatusVocabulary {
        StatusVocabulary.common.extending([
            .queued: ["queued"], .running: ["in_progress"], .succeeded: ["completed"], .cancelled: ["cancelled"],
            .failed: ["failed", "incomplete", "budget_exceeded", "requires_action", "requires_continuation", "idle"],
        ])
    }

    /// `x-goog-api-key: <key>`.
    public func authenticator(key: APIKey) -> any Authenticator {
        KeyHeaderAuthenticator(key: key, name: "x-goog-api-key", prefix: "")
    }

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: GeminiInteractionsWire.supportedFields)
        return jsonPost(baseURL, "/v1/interactions", try GeminiInteractionsWire.body(request))
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { body, status in try GeminiInteractionsAdapter.report(body, status: status) }
    }

    /// `GET /v1/interactions/{id}`; nil for an id that cannot be one path segment.
    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? {
        guard PathSegment.problem(taskID) == nil else { return nil }
        return jsonGet(baseURL, "/v1/interactions/" + PathSegment.encode(taskID))
    }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { body, status in try GeminiInteractionsAdapter.report(body, status: status) }
    }

    /// `POST /v1/interactions/{id}/cancel` (no body).
    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? {
        guard PathSegment.problem(taskID) == nil else { return nil }
        return HTTPRequest(method: "POST", url: endpoint(baseURL, "/v1/interactions/" + PathSegment.encode(taskID) + "/cancel"),
                           headers: [("Accept", "application/json")])
    }

    public func error(from response: HTTPResponse) -> VideoGenError {
        GoogleVeoWire.error(from: response)
    }

    /// Gemini's finish and block reasons (generateContent's `FinishReason` / `BlockedReason` names), read as an
    /// interaction's error codes, are content refusals. Whether the Interactions API reports a refusal with these
    /// codes could not be confirmed from google-genai (its `Error.code` is a free string); refusal wording in the
    /// message is recognised too (`ContentRefusals`).
    static let refusalCodes: [String: VideoGenError.Code] = [
        "safety": .contentPolicy, "prohibited_content": .contentPolicy, "blocklist": .contentPolicy,
        "spii": .contentPolicy, "image_safety": .contentPolicy,
    ]

    /// Reads an `Interaction`.
    static func report(_ body: JSONValue, status: Int) throws -> StatusReport {
        guard body.objectValue != nil else {
            throw VideoGenError(.protocolError, "the interaction answer is not a JSON object", httpStatus: status)
        }
        guard let id = body["id"]?.stringValue, !id.isEmpty else {
            throw VideoGenError(.protocolError, "the interaction answer has no 'id'", httpStatus: status)
        }
        guard let word = body["status"]?.stringValue else {
            throw VideoGenError(.protocolError, "the interaction answer has no 'status'", httpStatus: status)
        }
        let state = try GeminiInteractionsAdapter().statusVocabulary.require(word)
        var report = StatusReport(state: state)
        report.id = id
        report.providerStatus = word
        report.model = body["model"]?.stringValue
        if let usage = body["usage"], usage.objectValue?.isEmpty == false { report.usage = usage }
        switch state {
        case .succeeded:
            let urls = try GeminiInteractionsWire.locations(body)
            guard !urls.isEmpty else {
                report.state = .failed
                let failure = GeminiInteractionsWire.failure(body)
                report.error = failure.map {
                    ErrorMapping.taskFailure(code: $0.code, message: $0.message, state: .failed, refinements: refusalCodes)
                } ?? VideoGenError(.taskFailed, "the interaction completed without a video", providerCode: "completed")
                return report
            }
            report.videoURL = urls[0]
            report.outputs = urls.count > 1 ? urls : nil
        case .failed, .cancelled:
            let failure = GeminiInteractionsWire.failure(body)
            let unsupported = ["requires_action", "requires_continuation", "idle"].contains(word)
            let fallback = unsupported
                ? "the interaction stopped '\(word)', which a video generation through videogen cannot continue"
                : nil
            report.error = ErrorMapping.taskFailure(code: failure?.code ?? word, message: failure?.message ?? fallback,
                                                    state: state, refinements: refusalCodes)
        default:
            break
        }
        return report
    }

    /// A video returned inline (`data`) is asked for again (`GET` the interaction) and decoded; URIs download as
    /// usual.
    public func embeddedVideo(for task: TaskSnapshot, baseURL: URL) throws -> EmbeddedVideo? {
        let prefix = GeminiInteractionsWire.inlinePrefix
        guard let url = task.videoURL, url.hasPrefix(prefix) else { return nil }
        guard let index = Int(url.dropFirst(prefix.count)), index >= 0,
              let request = statusRequest(taskID: task.id, route: nil, baseURL: baseURL) else {
            throw VideoGenError(.invalidArgument, "the task's video_url '\(Sanitize.text(url, limit: 64))' names no inline video of its interaction")
        }
        return EmbeddedVideo(request: request) { response in
            let body = try response.json()
            guard body["status"]?.stringValue == "completed" else {
                throw VideoGenError(.protocolError, "the interaction is no longer reported completed", httpStatus: response.status)
            }
            let videos = GeminiInteractionsWire.videos(body)
            guard index < videos.count, let text = videos[index]["data"]?.stringValue else {
                throw VideoGenError(.notReady, "the interaction's answer no longer holds video \(index) inline")
            }
            guard let bytes = Data(base64Encoded: text), !bytes.isEmpty else {
                throw VideoGenError(.protocolError, "video \(index) of the interaction is not valid base64", httpStatus: response.status)
            }
            return bytes
        }
    }
}
