import FoundationEssentials

/// Veo on the Gemini Developer API (`generativelanguage.googleapis.com`), as google-genai's Gemini API mode speaks
/// it.
///
/// Submit is `POST /v1beta/models/{model}:predictLongRunning` with `x-goog-api-key` and the body of
/// `GoogleVeoWire.body` (`instances[0].prompt`, `image`, `lastFrame`, `referenceImages`; `parameters.durationSeconds`,
/// `aspectRatio`, `resolution`, `sampleCount`, `negativePrompt`, and `extra` members such as `personGeneration`).
/// The answer is a long-running operation whose `name` (`models/{model}/operations/{id}`) is the task's id: the
/// record needs nothing else. Status is `GET /v1beta/{name}`; the finished operation's
/// `response.generateVideoResponse.generatedSamples[].video.uri` names the videos (a file URI on the API's origin,
/// `.../v1beta/files/{id}:download?alt=media`), fetched with the key; the service's redirect to storage loses it
/// (the transport strips credentials on any change of origin); a sample carried inline (`video.encodedVideo`) is
/// recorded as `inline:generatedSamples/{index}` and downloaded by asking the operation again. Samples removed by the RAI filters with none left
/// fail with `.contentPolicy` and `raiMediaFilteredReasons`. `seed` and `fps` are refused (the Gemini API refuses
/// them; google-genai does too), as are the fields Veo has no parameter for. There is no cancel operation for Veo.
///
/// `callback_url` is refused by name: the Gemini API's per-request webhook (`webhookConfig: {uris}`, which
/// google-genai 2.34 sends for Veo) is signed with a JWT under Google's RSA keys, a scheme videogen does not verify.
/// Project webhooks (registered with the Gemini API's webhook service) are Standard Webhooks, and their
/// `video.generated` event is read as a hint (`WebhookPayloadMapping`).
public struct GeminiVeoAdapter: ProviderAdapter {
    /// Creates the adapter.
    public init() {}

    public var dialect: Dialect { .gemini }

    /// Google's samples poll every 10 s; Veo takes 11 s to 6 min.
    public var defaultPollPolicy: PollPolicy { PollPolicy(interval: 10, maxInterval: 20, multiplier: 1.5, jitter: 0.1, minInterval: 5) }

    /// The common words, and the two this adapter reports: `running` (not `done`) and `done`.
    public var statusVocabulary: StatusVocabulary { StatusVocabulary.common.extending([.running: ["running"], .succeeded: ["done"]]) }

    /// `x-goog-api-key: <key>`.
    public func authenticator(key: APIKey) -> any Authenticator {
        KeyHeaderAuthenticator(key: key, name: "x-goog-api-key", prefix: "")
    }

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: GoogleVeoWire.commonFields)
        let model = try GoogleVeoWire.modelID(request.model)
        let body = try GoogleVeoWire.body(request, service: .gemini)
        return jsonPost(baseURL, "/v1beta/models/\(PathSegment.encode(model)):predictLongRunning", body)
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { body, status in
            var report = try GoogleVeoWire.parseOperation(body, status: status, videos: GeminiVeoAdapter.videos)
            report.model = report.id.flatMap(GeminiVeoAdapter.operationSegments).map { $0[1] }
            return report
        }
    }

    /// The segments of a Gemini API operation name (`models/{model}/operations/{id}`), or nil for another shape.
    static func operationSegments(_ name: String) -> [String]? {
        GoogleVeoWire.segments(of: name, pattern: ["models", "*", "operations", "*"])
    }

    /// `GET /v1beta/{operation name}`; nil for an id that is not a Gemini API operation name.
    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? {
        guard let parts = GeminiVeoAdapter.operationSegments(taskID) else { return nil }
        return jsonGet(baseURL, "/v1beta/" + parts.map(PathSegment.encode).joined(separator: "/"))
    }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { body, status in
            try GoogleVeoWire.parseOperation(body, status: status, videos: GeminiVeoAdapter.videos)
        }
    }

    /// Veo operations on the Gemini API have no cancel.
    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? { nil }

    public func error(from response: HTTPResponse) -> VideoGenError {
        GoogleVeoWire.error(from: response)
    }

    /// The `video_url` prefix of a sample the service returned inline (`video.encodedVideo`).
    static let inlinePrefix = "inline:generatedSamples/"

    /// Where each video of a finished operation's response is: `generateVideoResponse.generatedSamples[].video.uri`,
    /// or `inline:generatedSamples/{index}` for a sample carried as `encodedVideo` (google-genai reads both).
    static func videos(_ response: JSONValue) throws -> [String] {
        let samples = response["generateVideoResponse"]?["generatedSamples"]?.arrayValue ?? []
        return samples.enumerated().compactMap { index, sample in
            if let uri = sample["video"]?["uri"]?.stringValue, !uri.isEmpty { return uri }
            if sample["video"]?["encodedVideo"]?.stringValue != nil { return inlinePrefix + String(index) }
            return nil
        }
    }

    /// A sample returned inline is asked for again (`GET` the operation) and decoded; URIs download as usual.
    public func embeddedVideo(for task: TaskSnapshot, baseURL: URL) throws -> EmbeddedVideo? {
        try GoogleVeoWire.embeddedVideo(for: task, prefix: GeminiVeoAdapter.inlinePrefix,
                                        request: statusRequest(taskID: task.id, route: nil, baseURL: baseURL)) { body, index in
            let samples = body["response"]?["generateVideoResponse"]?["generatedSamples"]?.arrayValue ?? []
            return index < samples.count ? samples[index]["video"]?["encodedVideo"]?.stringValue : nil
        }
    }
}
