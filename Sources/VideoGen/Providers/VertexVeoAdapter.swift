import FoundationEssentials

/// Veo on Vertex AI (`https://{location}-aiplatform.googleapis.com`), as google-genai's Vertex mode speaks it.
///
/// Submit is `POST /v1/projects/{project}/locations/{location}/publishers/google/models/{model}:predictLongRunning`
/// with an OAuth access token (`Authorization: Bearer`: given by the caller, or minted from a service account by
/// `GoogleServiceAccountAuthenticator`) and the body of `GoogleVeoWire.body`; Vertex also takes `seed` and `fps`,
/// and `extra` members such as `storageUri`, `generateAudio`, `personGeneration`. The answer's operation `name`
/// (`projects/{p}/locations/{l}/publishers/google/models/{m}/operations/{id}`) is the task's id and holds
/// everything a later call needs: status is `POST .../models/{m}:fetchPredictOperation` with
/// `{"operationName": name}`, built from the name alone, so a record resumes in a new process.
///
/// A finished operation's `response.videos[]` holds either `gcsUri` (when the request named `storageUri`) or
/// `bytesBase64Encoded`. Inline bytes never enter the record: its `video_url` is `inline:videos/{index}` and the
/// download asks the operation again and writes the decoded bytes through the ordinary part file, length check and
/// SHA-256 (`embeddedVideo`). A `gs://` object is not downloaded: it needs Cloud Storage credentials and an origin
/// videogen never sends the token to, so the download fails naming the object (copy it with `gcloud storage cp`,
/// or submit without `storageUri`). RAI-filtered results fail with `.contentPolicy` and the filter's reasons.
/// There is no cancel operation for Veo's publisher-model operations.
public struct VertexVeoAdapter: ProviderAdapter {
    /// The Google Cloud project requests are made in.
    public let project: String
    /// The Vertex AI location (`us-central1`).
    public let location: String

    /// The `video_url` prefix of a video the service returned inline.
    static let inlinePrefix = "inline:videos/"

    /// Creates the adapter for `project` in `location`.
    public init(project: String, location: String) {
        self.project = project
        self.location = location
    }

    public var dialect: Dialect { .vertex }

    public var defaultPollPolicy: PollPolicy { PollPolicy(interval: 10, maxInterval: 20, multiplier: 1.5, jitter: 0.1, minInterval: 5) }

    /// The common words, and the two this adapter reports: `running` (not `done`) and `done`.
    public var statusVocabulary: StatusVocabulary { StatusVocabulary.common.extending([.running: ["running"], .succeeded: ["done"]]) }

    /// Request fields Vertex takes: the common ones, `seed` and `fps`.
    static let supportedFields = GoogleVeoWire.commonFields.union(["seed", "fps"])

    public func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        try refuseUnsupported(request, supported: VertexVeoAdapter.supportedFields)
        guard !project.isEmpty, PathSegment.problem(project) == nil, !project.contains("/"),
              !location.isEmpty, PathSegment.problem(location) == nil, !location.contains("/") else {
            throw VideoGenError(.invalidArgument, "a submit in the vertex dialect needs configuration field 'project' (and 'location', default us-central1)")
        }
        let model = try GoogleVeoWire.modelID(request.model)
        let body = try GoogleVeoWire.body(request, service: .vertex)
        let path = "/v1/projects/\(PathSegment.encode(project))/locations/\(PathSegment.encode(location))/publishers/google/models/\(PathSegment.encode(model)):predictLongRunning"
        return jsonPost(baseURL, path, body)
    }

    public func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { body, status in
            var report = try GoogleVeoWire.parseOperation(body, status: status, videos: VertexVeoAdapter.videos)
            report.model = report.id.flatMap(VertexVeoAdapter.operationSegments).map { $0[7] }
            return report
        }
    }

    /// The segments of a Vertex operation name, or nil for another shape.
    static func operationSegments(_ name: String) -> [String]? {
        GoogleVeoWire.segments(of: name, pattern: ["projects", "*", "locations", "*", "publishers", "google", "models", "*", "operations", "*"])
    }

    /// `POST /v1/projects/{p}/locations/{l}/publishers/google/models/{m}:fetchPredictOperation` with the operation
    /// name; nil for an id that is not a Vertex operation name.
    public func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest? {
        guard let parts = VertexVeoAdapter.operationSegments(taskID) else { return nil }
        let model = parts[0..<8].map(PathSegment.encode).joined(separator: "/")
        return jsonPost(baseURL, "/v1/\(model):fetchPredictOperation", ["operationName": .string(taskID)])
    }

    public func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport {
        try statusReport(response, taskID: taskID) { body, status in
            try GoogleVeoWire.parseOperation(body, status: status, videos: VertexVeoAdapter.videos)
        }
    }

    /// Veo's publisher-model operations have no cancel.
    public func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest? { nil }

    public func error(from response: HTTPResponse) -> VideoGenError {
        GoogleVeoWire.error(from: response)
    }

    /// Where each video of a finished operation's `response.videos[]` is: its `gcsUri`, or `inline:videos/{index}`
    /// for `bytesBase64Encoded` (the bytes stay out of the report and the record).
    static func videos(_ response: JSONValue) throws -> [String] {
        let videos = response["videos"]?.arrayValue ?? []
        return videos.enumerated().compactMap { index, video in
            if let uri = video["gcsUri"]?.stringValue, !uri.isEmpty { return uri }
            if video["bytesBase64Encoded"]?.stringValue != nil { return inlinePrefix + String(index) }
            return nil
        }
    }

    /// A video returned inline is asked for again (`fetchPredictOperation`) and decoded; a `gs://` object is
    /// refused, naming it; other URLs are downloaded as usual.
    public func embeddedVideo(for task: TaskSnapshot, baseURL: URL) throws -> EmbeddedVideo? {
        guard let url = task.videoURL else { return nil }
        if url.lowercased().hasPrefix("gs://") {
            throw VideoGenError(.unsupported, "the video is the Cloud Storage object \(Sanitize.text(url, limit: 300)), which videogen does not download (it needs storage credentials, and the access token goes to the Vertex AI origin only): copy it with `gcloud storage cp`, or submit without 'storageUri' to receive the video inline")
        }
        return try GoogleVeoWire.embeddedVideo(for: task, prefix: VertexVeoAdapter.inlinePrefix,
                                               request: statusRequest(taskID: task.id, route: nil, baseURL: baseURL)) { body, index in
            let videos = body["response"]?["videos"]?.arrayValue ?? []
            return index < videos.count ? videos[index]["bytesBase64Encoded"]?.stringValue : nil
        }
    }
}
