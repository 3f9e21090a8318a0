import CVideoGen
import FoundationEssentials
import VideoGen

// vg_webhook_verify, vg_client_webhook_apply.

/// The verdict number of a refusal reason (include/videogen.h's vg_webhook_verdict).
private func verdict(_ reason: WebhookRefusal.Reason) -> vg_webhook_verdict {
    switch reason {
    case .badSignature: return VG_WEBHOOK_BAD_SIGNATURE
    case .timestampOutsideTolerance: return VG_WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE
    case .malformedHeader: return VG_WEBHOOK_MALFORMED_HEADER
    case .unknownKeyID: return VG_WEBHOOK_UNKNOWN_KEY_ID
    case .bodyTooLarge: return VG_WEBHOOK_BODY_TOO_LARGE
    case .unsigned: return VG_WEBHOOK_UNSIGNED
    case .noKey: return VG_WEBHOOK_NO_KEY
    case .unreadablePayload: return VG_WEBHOOK_UNREADABLE_PAYLOAD
    }
}

/// The verifier and the delivery every webhook entry point starts from; the body is copied (up to the verifier's
/// cap plus one byte: a longer body is refused as too large without copying it).
private func webhookInputs(_ verifierJSON: UnsafePointer<CChar>?, _ method: UnsafePointer<CChar>?,
                           _ target: UnsafePointer<CChar>?, _ headers: UnsafePointer<CChar>?,
                           _ body: UnsafePointer<UInt8>?, _ bodyLength: Int) throws -> (WebhookVerifier, Result<WebhookDelivery, WebhookRefusal>) {
    let verifier = try WebhookVerifier(json: try requiredJSON(verifierJSON, "verifier_json", document: "webhook verifier"))
    let method = try requiredText(method, "method")
    let target = try requiredText(target, "target")
    let headers = try requiredText(headers, "headers")
    guard body != nil || bodyLength == 0 else { throw VideoGenError(.invalidArgument, "body is NULL but body_len is not 0") }
    let copied = min(bodyLength, verifier.maxBodyBytes + 1)
    let data = body.map { Data(bytes: $0, count: copied) } ?? Data()
    do {
        return (verifier, .success(try WebhookDelivery(method: method, target: target, rawHeaders: headers, body: data)))
    } catch let refusal as WebhookRefusal {
        return (verifier, .failure(refusal))
    }
}

/// Writes the verdict and the result document (when asked for).
private func answer(_ outcome: Result<JSONValue, WebhookRefusal>, _ out: UnsafeMutablePointer<vg_webhook_verdict>,
                    _ resultJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) throws {
    let document: JSONValue
    switch outcome {
    case .success(let accepted):
        out.pointee = VG_WEBHOOK_ACCEPTED
        var members = accepted.objectValue ?? [:]
        members["verdict"] = .string("accepted")
        document = .object(members)
    case .failure(let refusal):
        out.pointee = verdict(refusal.reason)
        document = .object(["verdict": .string(refusal.reason.rawValue), "message": .string(refusal.message)])
    }
    if let resultJSON {
        guard let text = CStrings.owned(document.jsonText) else { throw VideoGenError(.outOfMemory, "the result could not be allocated") }
        resultJSON.pointee = text
    }
}

@c @implementation
public func vg_webhook_verify(_ verifier_json: UnsafePointer<CChar>?, _ method: UnsafePointer<CChar>?,
                              _ target: UnsafePointer<CChar>?, _ headers: UnsafePointer<CChar>?,
                              _ body: UnsafePointer<UInt8>?, _ body_len: Int,
                              _ out_verdict: UnsafeMutablePointer<vg_webhook_verdict>?,
                              _ result_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                              _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    result_json?.pointee = nil
    return guarded(error) {
        guard let out_verdict else { throw VideoGenError(.invalidArgument, "verdict is NULL") }
        let (verifier, delivery) = try webhookInputs(verifier_json, method, target, headers, body, body_len)
        let outcome = delivery.flatMap { delivery in
            Result { () throws(WebhookRefusal) -> JSONValue in
                let verified = try verifier.verify(delivery)
                var members: [String: JSONValue] = ["scheme": .string(verified.scheme.rawValue), "signed": .bool(verified.signed)]
                if let id = verified.deliveryID { members["delivery_id"] = .string(id) }
                if let time = verified.timestamp { members["timestamp"] = .double(time) }
                return .object(members)
            }
        }
        try answer(outcome, out_verdict, result_json)
    }
}

@c @implementation
public func vg_client_webhook_apply(_ client: OpaquePointer?, _ verifier_json: UnsafePointer<CChar>?,
                                    _ method: UnsafePointer<CChar>?, _ target: UnsafePointer<CChar>?,
                                    _ headers: UnsafePointer<CChar>?, _ body: UnsafePointer<UInt8>?, _ body_len: Int,
                                    _ out_verdict: UnsafeMutablePointer<vg_webhook_verdict>?,
                                    _ result_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                    _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    result_json?.pointee = nil
    return guarded(error) {
        let box = try clientBox(client)
        guard let out_verdict else { throw VideoGenError(.invalidArgument, "verdict is NULL") }
        let (verifier, delivery) = try webhookInputs(verifier_json, method, target, headers, body, body_len)
        let client = box.client
        let outcome: Result<JSONValue, WebhookRefusal>
        switch delivery {
        case .failure(let refusal):
            outcome = .failure(refusal)
        case .success(let delivery) where verifier.jwksURL != nil && verifier.publicKeys.isEmpty:
            // fal's keys from its JWKS: fetched (once a day, or again after a rotation) on this thread.
            let result = try waitFor { try await client.applyWebhookFetchingKeys(delivery, verifier: verifier) }
            outcome = result.mapError { $0 }
        case .success(let delivery):
            outcome = Result { () throws(WebhookRefusal) -> WebhookOutcome in try client.applyWebhook(delivery, verifier: verifier) }
                .map(\.json)
        }
        try answer(outcome.map { $0 }, out_verdict, result_json)
    }
}

/// Runs `body` (an async call) to its end on the calling thread, which sleeps meanwhile; a refusal is returned as
/// such, any other error thrown.
private func waitFor(_ body: @escaping @Sendable () async throws -> WebhookOutcome) throws -> Result<JSONValue, WebhookRefusal> {
    let condition = Condition()
    nonisolated(unsafe) var outcome: Result<WebhookOutcome, any Error>?
    Task {
        let result: Result<WebhookOutcome, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        condition.lock()
        outcome = result
        condition.broadcast()
        condition.unlock()
    }
    condition.lock()
    while outcome == nil { condition.wait() }
    let result = outcome!
    condition.unlock()
    switch result {
    case .success(let value): return .success(value.json)
    case .failure(let refusal as WebhookRefusal): return .failure(refusal)
    case .failure(let error): throw error
    }
}
