import FoundationEssentials

extension FalQueueAdapter: WebhookPayloadMapping {
    /// fal's callback is an envelope, not its status answer: `{request_id, gateway_request_id, status: "OK" | "ERROR",
    /// payload, error, payload_error}`. `OK` with a payload that names a video is the finished task (the payload is
    /// the app's output, read like the response URL's answer); `OK` without one (an output schema this reader does not
    /// know, or a `payload_error` when fal could not attach it) is a hint: the client polls and fetches the result
    /// from the recorded response URL. `ERROR` is a failed task with fal's message, and the first validation
    /// `detail[].type` as its provider code when there is one.
    public func webhookEvent(body: Data, baseURL: URL) throws -> WebhookEvent {
        let json = try JSONValue.parse(body)
        guard let id = json["request_id"]?.textValue, !id.isEmpty else {
            throw VideoGenError(.protocolError, "the fal callback names no request_id")
        }
        let word = json["status"]?.stringValue?.uppercased()
        switch word {
        case "OK":
            let urls = json["payload"].map(FalQueueAdapter.videoURLs(in:)) ?? []
            guard let first = urls.first else { return WebhookEvent(taskID: id, report: nil, eventType: "OK") }
            var report = StatusReport(state: .succeeded)
            report.id = id
            report.providerStatus = "COMPLETED"
            report.videoURL = first
            report.outputs = urls.count > 1 ? urls : nil
            return WebhookEvent(taskID: id, report: report, eventType: "OK")
        case "ERROR":
            var report = StatusReport(state: .failed)
            report.id = id
            report.providerStatus = "ERROR"
            let detail = json["payload"]?["detail"]?.arrayValue?.first?["type"]?.textValue
            report.error = ErrorMapping.taskFailure(code: detail ?? "ERROR", message: json["error"]?.textValue,
                                                    state: .failed)
            return WebhookEvent(taskID: id, report: report, eventType: "ERROR")
        default:
            throw VideoGenError(.protocolError, "the fal callback's status is not OK or ERROR: '\(Sanitize.text(word ?? "missing", limit: 40))'")
        }
    }
}
