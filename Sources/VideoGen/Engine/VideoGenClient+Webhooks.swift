import FoundationEssentials

/// What applying one callback did.
public struct WebhookOutcome: Sendable, Hashable {
    /// How the callback was used.
    public enum Kind: String, Sendable, Hashable {
        /// Its status was handed to the waits on the task (which apply it unless they know better already).
        case applied
        /// It only made the waits on the task poll now (an envelope-only event, or an unsigned one accepted as a hint).
        case hint
        /// The same delivery was applied before: nothing changed.
        case duplicate
        /// It verified, but no wait of this client watches the task: the caller refreshes the task when it wants.
        case unwatched
    }

    /// How the callback was used.
    public var kind: Kind
    /// The task it is about.
    public var taskID: String
    /// The state the payload states (nil for a hint or an unsigned callback, which are never trusted for the result).
    public var state: TaskState?
    /// The event type when the payload has one.
    public var eventType: String?
    /// The waits it was handed to.
    public var waits: Int
    /// The checks it passed.
    public var verified: VerifiedWebhook

    /// The outcome as JSON (`kind`, `task_id`, `state`, `event_type`, `waits`, `scheme`, `signed`, `delivery_id`).
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "kind": .string(kind.rawValue), "task_id": .string(taskID), "waits": .int(Int64(waits)),
            "scheme": .string(verified.scheme.rawValue), "signed": .bool(verified.signed),
        ]
        if let state { members["state"] = .string(state.rawValue) }
        if let eventType { members["event_type"] = .string(eventType) }
        if let id = verified.deliveryID { members["delivery_id"] = .string(id) }
        return .object(members)
    }
}

extension VideoGenClient {
    /// Verifies a provider's callback and applies it to the task it names: the waits on that task (`wait`, and the
    /// C library's blocking and asynchronous waits) take the event as an update like a poll's answer, and end when
    /// it says the task ended; the download still goes through `download`. A hint (an envelope-only event, an
    /// unsigned callback accepted by the verifier) only makes those waits poll now. Repeated deliveries change
    /// nothing, and a report older than what a wait knows does not move the task back.
    /// - Returns: what was done.
    /// - Throws: `WebhookRefusal` when the callback does not verify or its payload names no task.
    public func applyWebhook(_ delivery: WebhookDelivery, verifier: WebhookVerifier) throws(WebhookRefusal) -> WebhookOutcome {
        let verified = try verifier.verify(delivery)
        let event: WebhookEvent
        do {
            event = try adapter.webhookEvent(body: delivery.body, baseURL: configuration.baseURL)
            try checkRecordedID(event.taskID)
        } catch {
            throw WebhookRefusal(.unreadablePayload, executor.scrubbed(VideoGenError.wrap(error)).message)
        }
        // An unsigned callback is a hint whatever it says: only the service's answer to a poll is trusted.
        let report = verified.signed ? event.report.map { scrubbedReport($0, id: event.taskID) } : nil
        let waits = webhooks.waits(for: event.taskID)
        var outcome = WebhookOutcome(kind: report == nil ? .hint : .applied, taskID: event.taskID, state: report?.state,
                                     eventType: event.eventType, waits: waits.count, verified: verified)
        if let id = verified.deliveryID, !webhooks.firstDelivery("\(verified.scheme.rawValue):\(id)") {
            outcome.kind = .duplicate
            outcome.waits = 0
            return outcome
        }
        guard !waits.isEmpty else {
            outcome.kind = .unwatched
            return outcome
        }
        for wait in waits { wait.receive(report) }
        return outcome
    }

    /// `report` about `id`, with the key scrubbed from its words as every answer's.
    private func scrubbedReport(_ report: StatusReport, id: String) -> StatusReport {
        var report = report
        if report.id?.isEmpty ?? true { report.id = id }
        if let error = report.error { report.error = executor.scrubbed(error) }
        return report
    }
}
