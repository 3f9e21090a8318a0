import FoundationEssentials

extension ClientConfiguration {
    /// The `gemini_interactions` dialect's defaults: a 64 MiB answer limit, since a completed interaction carries
    /// its video inline (base64 `data`) unless the request asks for `delivery: "uri"`; `max_response_bytes`, read
    /// after this, still lowers or raises it.
    mutating func applyGeminiInteractions() {
        guard dialect == .geminiInteractions else { return }
        maxResponseBytes = max(maxResponseBytes, 64 * 1024 * 1024)
    }
}
