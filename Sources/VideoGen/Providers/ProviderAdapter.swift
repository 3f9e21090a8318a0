import FoundationEssentials

/// A provider dialect as a pure transformation: requests out, parsed answers in, no I/O.
///
/// Every function is deterministic given its inputs (file reads of local reference images aside), so each adapter
/// is tested from recorded bodies without a network. Answers with a non-2xx status go to `error(from:)`; the
/// parse functions receive 2xx answers only.
public protocol ProviderAdapter: Sendable {
    /// The dialect this adapter speaks.
    var dialect: Dialect { get }
    /// The poll schedule this dialect's services ask for.
    var defaultPollPolicy: PollPolicy { get }
    /// Seconds without progress before one request fails, unless the configuration says otherwise.
    var defaultRequestTimeout: Double { get }
    /// The dialect's status words.
    var statusVocabulary: StatusVocabulary { get }
    /// The request that submits `request`.
    /// - Throws: `.unsupported` naming each field the dialect cannot carry; image errors.
    func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest
    /// The route the task created by the submit request `submit` lives on, kept with the task
    /// (`TaskSnapshot.route`) so that its polls go to the right place; nil when the dialect has one status route.
    func route(of submit: HTTPRequest) -> String?
    /// Reads the submit answer; the report carries the new task's id.
    func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport
    /// The request that reads the task's status, or nil when the dialect has nothing to poll (it answers the submit
    /// with the finished result) or when `taskID` cannot be one URL path segment (`PathSegment`: empty, `.`, `..`,
    /// control characters; the client refuses such ids before asking).
    /// - Parameter route: the task's route (`route(of:)`), nil when unknown.
    func statusRequest(taskID: String, route: String?, baseURL: URL) -> HTTPRequest?
    /// Reads a status answer.
    func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport
    /// Reads a status answer about `task`: by default `parseStatus(_:taskID:baseURL:)` with its id. Dialects whose
    /// later requests use addresses the task keeps (`TaskSnapshot.links`: fal's `response_url`) read them here.
    func parseStatus(_ response: HTTPResponse, for task: TaskSnapshot, baseURL: URL) throws -> StatusReport
    /// The request that cancels the task on the service, or nil when the dialect has none.
    func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest?
    /// The error a non-2xx answer means.
    func error(from response: HTTPResponse) -> VideoGenError
    /// How a request carries `key` when the configuration names no other authenticator (`Authorization: Bearer`
    /// unless the service wants another header).
    func authenticator(key: APIKey) -> any Authenticator
    /// The request that reads `task`'s status: by default `statusRequest(taskID:route:baseURL:)` with its id and
    /// route. Dialects whose tasks carry their own addresses (`TaskSnapshot.links`) read them here.
    func statusRequest(for task: TaskSnapshot, baseURL: URL) -> HTTPRequest?
    /// The request that cancels `task` on the service: by default `cancelRequest(taskID:baseURL:)`.
    func cancelRequest(for task: TaskSnapshot, baseURL: URL) -> HTTPRequest?
    /// Reads the answer to a report's `resultRequest` (a service that names the result of a finished task only when
    /// asked again: MiniMax's file, fal's response URL) into the finished report.
    /// - Parameter report: the status report that asked for the result.
    func parseResult(_ response: HTTPResponse, report: StatusReport, baseURL: URL) throws -> StatusReport
    /// What a failed status request says about `task` when the failure is itself an answer about it (MiniMax
    /// answers `invalid task_id` for a task older than its 7-day query window: the task has expired), or nil when
    /// the failure is only an error of that request.
    /// - Parameter now: the time (Unix seconds).
    func statusFailure(_ error: VideoGenError, for task: TaskSnapshot, now: Double) -> StatusReport?
    /// For a succeeded task whose video the service returns inside a JSON answer (Vertex AI's `bytesBase64Encoded`)
    /// rather than at a URL: how the download asks for it again and decodes it, so that the record never holds
    /// the bytes. Nil (the default) for a video at `videoURL`.
    /// - Throws: when the task's video cannot be fetched by videogen at all (a `gs://` object), naming why.
    func embeddedVideo(for task: TaskSnapshot, baseURL: URL) throws -> EmbeddedVideo?
}

/// A video that comes inside a JSON answer: the request that asks for it (sent like a status request, with the
/// service's credentials) and how its answer becomes the file's bytes.
public struct EmbeddedVideo: Sendable {
    /// The request whose answer holds the video.
    public var request: HTTPRequest
    /// The video's bytes from that answer.
    public var decode: @Sendable (HTTPResponse) throws -> Data

    /// Creates the description of an embedded video.
    public init(request: HTTPRequest, decode: @escaping @Sendable (HTTPResponse) throws -> Data) {
        self.request = request
        self.decode = decode
    }
}

extension ProviderAdapter {
    /// The common error shapes; adapters whose services answer otherwise provide their own.
    public func error(from response: HTTPResponse) -> VideoGenError {
        ErrorMapping.error(from: response)
    }

    /// `Authorization: Bearer <key>`.
    public func authenticator(key: APIKey) -> any Authenticator { KeyHeaderAuthenticator(key: key) }

    /// The status request of the task's id and route.
    public func statusRequest(for task: TaskSnapshot, baseURL: URL) -> HTTPRequest? {
        statusRequest(taskID: task.id, route: task.route, baseURL: baseURL)
    }

    /// The status answer read about the task's id.
    public func parseStatus(_ response: HTTPResponse, for task: TaskSnapshot, baseURL: URL) throws -> StatusReport {
        try parseStatus(response, taskID: task.id, baseURL: baseURL)
    }

    /// The cancel request of the task's id.
    public func cancelRequest(for task: TaskSnapshot, baseURL: URL) -> HTTPRequest? {
        cancelRequest(taskID: task.id, baseURL: baseURL)
    }

    /// Dialects that never ask for a result separately: an answer here is a protocol error.
    public func parseResult(_ response: HTTPResponse, report: StatusReport, baseURL: URL) throws -> StatusReport {
        throw VideoGenError(.protocolError, "the \(dialect.rawValue) dialect has no result request")
    }

    /// A failed status request is only an error of that request.
    public func statusFailure(_ error: VideoGenError, for task: TaskSnapshot, now: Double) -> StatusReport? { nil }

    /// Videos are at URLs.
    public func embeddedVideo(for task: TaskSnapshot, baseURL: URL) throws -> EmbeddedVideo? { nil }

    /// Thirty seconds: control-plane answers come quickly; only synchronous dialects need longer.
    public var defaultRequestTimeout: Double { 30 }

    /// One status route: nothing to remember.
    public func route(of submit: HTTPRequest) -> String? { nil }

    /// The status request of a task whose route is unknown or irrelevant.
    public func statusRequest(taskID: String, baseURL: URL) -> HTTPRequest? {
        statusRequest(taskID: taskID, route: nil, baseURL: baseURL)
    }

    /// A submit answer read by `parse` (body, HTTP status), refused when it names no task.
    func submitReport(_ response: HTTPResponse, parse: (JSONValue, Int) throws -> StatusReport) throws -> StatusReport {
        let report = try parse(try response.json(), response.status)
        guard let id = report.id, !id.isEmpty else {
            throw VideoGenError(.protocolError, "the submit answer carries no task id", httpStatus: response.status)
        }
        return report
    }

    /// A status answer read by `parse` (body, HTTP status); a body without an id is about `taskID`.
    func statusReport(_ response: HTTPResponse, taskID: String, parse: (JSONValue, Int) throws -> StatusReport) throws -> StatusReport {
        var report = try parse(try response.json(), response.status)
        if report.id == nil { report.id = taskID }
        return report
    }

    /// `base` + `path`, where `path` starts with "/" and its dynamic parts are already percent-encoded.
    func endpoint(_ baseURL: URL, _ path: String) -> URL {
        URL(string: baseURL.absoluteString + path) ?? baseURL
    }

    /// A JSON POST to `path`.
    func jsonPost(_ baseURL: URL, _ path: String, _ body: [String: JSONValue]) -> HTTPRequest {
        HTTPRequest(method: "POST", url: endpoint(baseURL, path),
                    headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                    body: JSONValue.object(body).serialized())
    }

    /// A JSON GET of `path`.
    func jsonGet(_ baseURL: URL, _ path: String) -> HTTPRequest {
        HTTPRequest(method: "GET", url: endpoint(baseURL, path), headers: [("Accept", "application/json")])
    }

    /// Refuses the request fields outside `supported`, naming them.
    func refuseUnsupported(_ request: VideoRequest, supported: Set<String>) throws {
        let refused = request.presentFields.filter { !supported.contains($0) }
        guard !refused.isEmpty else { return }
        let names = refused.map { "'\($0)'" }.joined(separator: ", ")
        let escape = supported.contains("metadata")
            ? "provider-specific fields can be sent through 'metadata' or 'extra'"
            : "provider-specific fields can be sent through 'extra'"
        throw VideoGenError(.unsupported, "the \(dialect.rawValue) dialect does not support request field\(refused.count > 1 ? "s" : "") \(names); \(escape)")
    }

    /// Adds `members` (from `metadata` or `extra`, named by `source`) to `body` verbatim, refusing any that would
    /// overwrite a field videogen already sends.
    func mergeVerbatim(_ members: [String: JSONValue]?, into body: inout [String: JSONValue], source: String) throws {
        for (key, value) in members ?? [:] {
            guard body[key] == nil else {
                throw VideoGenError(.invalidArgument, "request '\(source)' field '\(key)' collides with a field videogen already sends")
            }
            body[key] = value
        }
    }
}
