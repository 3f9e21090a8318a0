import FoundationEssentials

/// A request to remake a finished video with a new prompt (`POST /v1/videos/{id}/remix` in the `openai` dialect).
/// The service answers with a new task, which is followed and downloaded like any other.
public struct RemixRequest: Sendable, Hashable {
    /// What the remix should change: the new prompt (required, non-empty).
    public var prompt: String
    /// Provider fields sent verbatim beside `prompt` (a gateway's own remix options); may not replace `prompt`.
    public var extra: [String: JSONValue]?
    /// The Idempotency-Key of the remix request, when the caller manages it (default: a fresh UUID), to re-send a
    /// remix whose outcome is unknown without risking a second task.
    public var idempotencyKey: String?

    /// Creates a remix request; `validate()` checks it.
    public init(prompt: String) {
        self.prompt = prompt
    }

    /// Reads the remix document `{"prompt": "...", "extra": {...}, "idempotency_key": "..."}`.
    /// - Throws: `.invalidJSON` for a non-object, `.invalidArgument` naming an unknown member, a wrong type, a
    ///   missing prompt or a bad key.
    public init(json: JSONValue) throws {
        var reader = try FieldReader(json, context: "remix request")
        self.init(prompt: try reader.requiredString("prompt"))
        extra = try reader.object("extra")
        idempotencyKey = try reader.string("idempotency_key")
        try reader.finish()
        try validate()
    }

    /// Checks the prompt (non-empty), the key (1 to 255 printable ASCII characters without spaces) and that
    /// `extra` does not carry `prompt`.
    public func validate() throws {
        if prompt.allSatisfy(\.isWhitespace) {
            throw VideoGenError(.invalidArgument, "remix request field 'prompt' is required and must be a non-empty string")
        }
        if let key = idempotencyKey, key.isEmpty || key.count > 255
            || !key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) {
            throw VideoGenError(.invalidArgument, "remix request field 'idempotency_key' must be 1 to 255 printable ASCII characters without spaces")
        }
        if extra?["prompt"] != nil {
            throw VideoGenError(.invalidArgument, "remix request 'extra' field 'prompt' collides with a field videogen already sends")
        }
    }
}
