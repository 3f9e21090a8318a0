import FoundationEssentials

/// What a verified callback says about one task, once its adapter has read the payload.
public struct WebhookEvent: Sendable, Hashable {
    /// The task the callback is about (the provider's task id).
    public var taskID: String
    /// The task's status as the payload states it; nil when the payload is only an envelope (OpenAI's
    /// `video.completed` carries the id alone) or was not signed: then the event is a hint, and the client polls.
    public var report: StatusReport?
    /// The provider's event type when the payload has one (`video.completed`, `video.generation.failed`...).
    public var eventType: String?

    /// Creates an event.
    public init(taskID: String, report: StatusReport?, eventType: String? = nil) {
        self.taskID = taskID
        self.report = report
        self.eventType = eventType
    }
}

/// A dialect whose callbacks differ from its status answers: it reads them itself. Adapters that do not conform
/// have their callback body read as a status answer (`ProviderAdapter.parseStatus`), which is what most providers
/// post (Replicate's prediction, Kling's and Luma's task objects, Seedance's task).
public protocol WebhookPayloadMapping: Sendable {
    /// Reads a verified callback's body.
    /// - Throws: when the body names no task.
    func webhookEvent(body: Data, baseURL: URL) throws -> WebhookEvent
}

extension ProviderAdapter {
    /// The event a verified callback body means for this dialect: its own mapping when it has one, else the body
    /// read as a status answer.
    func webhookEvent(body: Data, baseURL: URL) throws -> WebhookEvent {
        if let mapping = self as? any WebhookPayloadMapping {
            return try mapping.webhookEvent(body: body, baseURL: baseURL)
        }
        let report = try parseStatus(HTTPResponse(status: 200, body: body), taskID: "", baseURL: baseURL)
        guard let id = report.id, !id.isEmpty else {
            throw VideoGenError(.protocolError, "the callback names no task")
        }
        return WebhookEvent(taskID: id, report: report)
    }
}

extension OpenAIVideosAdapter: WebhookPayloadMapping {
    /// OpenAI's events are envelopes (`{"object": "event", "type": "video.completed", "data": {"id": ...}}`): a
    /// hint to poll. A body that is a Video object itself (a gateway posting its status answer) is read as one.
    public func webhookEvent(body: Data, baseURL: URL) throws -> WebhookEvent {
        let json = try JSONValue.parse(body)
        if let type = json["type"]?.stringValue, let data = json["data"] {
            guard let id = data["id"]?.stringValue, !id.isEmpty else {
                throw VideoGenError(.protocolError, "the '\(Sanitize.text(type, limit: 60))' event names no video id")
            }
            return WebhookEvent(taskID: id, report: nil, eventType: type)
        }
        let report = try parseStatus(HTTPResponse(status: 200, body: body), taskID: "", baseURL: baseURL)
        guard let id = report.id, !id.isEmpty else { throw VideoGenError(.protocolError, "the callback names no video") }
        return WebhookEvent(taskID: id, report: report)
    }
}

extension KlingAdapter: WebhookPayloadMapping {
    /// Kling's callback is the task object itself (`{task_id, task_status, task_result, ...}`), the `data` of a
    /// status answer; a gateway may post the whole answer (`{code, data}`). Either is read as a status answer.
    public func webhookEvent(body: Data, baseURL: URL) throws -> WebhookEvent {
        let json = try JSONValue.parse(body)
        let answer: JSONValue = json["data"] == nil && json["task_id"] != nil
            ? .object(["code": .int(0), "message": .string("SUCCEED"), "data": json]) : json
        let report = try parseStatus(HTTPResponse(status: 200, body: answer.serialized()), taskID: "", baseURL: baseURL)
        guard let id = report.id, !id.isEmpty else { throw VideoGenError(.protocolError, "the callback names no task") }
        return WebhookEvent(taskID: id, report: report)
    }
}

extension OpenRouterVideosAdapter: WebhookPayloadMapping {
    /// OpenRouter posts `{"type": "video.generation.completed" | ".failed" | ..., "data": <the job>}`, the job being
    /// what `GET /api/v1/videos/{id}` answers (`id`, `status`, `unsigned_urls`, `error`...): `data` is read as a
    /// status answer. A body that is a job itself is read as one.
    public func webhookEvent(body: Data, baseURL: URL) throws -> WebhookEvent {
        let json = try JSONValue.parse(body)
        let type = json["type"]?.stringValue
        let job = type != nil ? json["data"] : json
        guard let job, job.objectValue != nil else {
            throw VideoGenError(.protocolError, "the '\(Sanitize.text(type ?? "", limit: 60))' event carries no job in 'data'")
        }
        let report = try parse(job, status: 200, baseURL: baseURL)
        guard let id = report.id, !id.isEmpty else { throw VideoGenError(.protocolError, "the callback names no video job") }
        return WebhookEvent(taskID: id, report: report, eventType: type)
    }
}

extension GeminiVeoAdapter: WebhookPayloadMapping {
    /// The Gemini API's project webhooks post thin envelopes (`{"type": "video.generated", "version", "timestamp",
    /// "data": {"id", "output_file_uri", "file_name"}}`): a hint about the operation `data.id` names, which the
    /// waits confirm by polling. A body that is an operation itself (`name`, `done`) is read as a status answer.
    public func webhookEvent(body: Data, baseURL: URL) throws -> WebhookEvent {
        let json = try JSONValue.parse(body)
        if let type = json["type"]?.stringValue, let data = json["data"] {
            guard let id = data["id"]?.stringValue, !id.isEmpty else {
                throw VideoGenError(.protocolError, "the '\(Sanitize.text(type, limit: 60))' event names no operation")
            }
            return WebhookEvent(taskID: id, report: nil, eventType: type)
        }
        let report = try parseStatus(HTTPResponse(status: 200, body: body), taskID: "", baseURL: baseURL)
        guard let id = report.id, !id.isEmpty else { throw VideoGenError(.protocolError, "the callback names no operation") }
        return WebhookEvent(taskID: id, report: report)
    }
}
