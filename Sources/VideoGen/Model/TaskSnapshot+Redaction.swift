/// Removing the API key from what a service said about a task, before the snapshot is kept anywhere.
extension TaskSnapshot {
    /// The snapshot with every occurrence of `key` replaced by `<redacted>` in the text a service supplied: the
    /// status word, the video URL, the model, the failure's message and provider code, and the route. A service
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
        if var error = next.error {
            error.message = key.redact(error.message)
            error.providerCode = error.providerCode.map(key.redact)
            next.error = error
        }
        return next
    }
}
