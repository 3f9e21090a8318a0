/// Removing the API key from what a service said about a task, before the snapshot is kept anywhere.
extension TaskSnapshot {
    /// The snapshot with every occurrence of `key` replaced by `<redacted>` in the text a service supplied: the
    /// status word, the video URL, the model, the failure's message and provider code, the route, the links, the outputs and the usage report. A service
    /// may echo the key it was sent (a failure reason quoting the request, a chat reply), and the snapshot is the
    /// task's record, returned by getters and saved by callers, so the key must not survive in it.
    ///
    /// The id is not rewritten (a changed id names another task): the client refuses an answered id that contains
    /// the key (`.protocolError`) instead. Fields the caller supplied (base URL, Idempotency-Key, the download's
    /// path) are left as given. A video URL that carried the key can no longer be downloaded from; its download
    /// fails naming the reason.
    func redacting(_ key: APIKey) -> TaskSnapshot {
        var next = self
        next.providerStatus = providerStatus.map(key.redact)
        next.videoURL = videoURL.map(key.redact)
        next.model = model.map(key.redact)
        next.route = route.map(key.redact)
        next.links = links.mapValues(key.redact)
        next.outputs = outputs.map { $0.map(key.redact) }
        next.usage = usage.map { $0.redacting(key) }
        if var error = next.error {
            error.message = key.redact(error.message)
            error.providerCode = error.providerCode.map(key.redact)
            next.error = error
        }
        return next
    }
}

extension JSONValue {
    /// The value with `key` (and the service's other secrets) redacted from every string in it, keys included.
    func redacting(_ key: APIKey) -> JSONValue {
        switch self {
        case .string(let text): return .string(key.redact(text))
        case .array(let items): return .array(items.map { $0.redacting(key) })
        case .object(let members):
            return .object(Dictionary(members.map { (key.redact($0.key), $0.value.redacting(key)) }, uniquingKeysWith: { first, _ in first }))
        default: return self
        }
    }
}
