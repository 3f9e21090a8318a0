import FoundationEssentials

/// A synonym table from providers' status words to the unified `TaskState`, case-insensitive (spaces and hyphens
/// fold to underscores). Each dialect has its own table, built on `common`; a word outside a dialect's table is a
/// protocol error naming it, never a guess.
public struct StatusVocabulary: Sendable {
    private let table: [String: TaskState]

    /// A vocabulary from state → words.
    public init(_ words: [TaskState: [String]]) {
        var table: [String: TaskState] = [:]
        for (state, synonyms) in words {
            for word in synonyms { table[StatusVocabulary.fold(word)] = state }
        }
        self.table = table
    }

    private init(table: [String: TaskState]) {
        self.table = table
    }

    /// This vocabulary with more words; a word already present takes the new meaning.
    public func extending(_ words: [TaskState: [String]]) -> StatusVocabulary {
        StatusVocabulary(table: table.merging(StatusVocabulary(words).table) { _, new in new })
    }

    /// The words every dialect understands: OpenAI's, new-api's internal ones, Kling's and Router One's. `unknown`
    /// counts as queued, as new-api does; the wait's deadline bounds it.
    public static let common = StatusVocabulary([
        .queued: ["queued", "pending", "submitted", "not_start", "unknown"],
        .running: ["in_progress", "processing", "running"],
        .succeeded: ["succeeded", "succeed", "success", "completed"],
        .failed: ["failed", "failure"],
        .cancelled: ["cancelled", "canceled"],
        .expired: ["expired"],
    ])

    /// The `openai` dialect: OpenAI's four words plus the synonyms that the gateways copying the Video object emit
    /// (new-api's tolerant Sora mapping, LiteLLM's `processing`).
    public static let openai = common.extending([
        .queued: ["preparing", "created", "starting", "notstarted"],
        .running: ["generating"],
        .succeeded: ["complete", "finished"],
        .failed: ["fail", "error"],
    ])

    /// The `unified` dialect: everything `openai` knows plus the words of the upstreams new-api deployments pass
    /// through (MiniMax `Queueing`, fal `IN_QUEUE`, Replicate `starting`/`aborted`, DashScope, ai-stats `expired`).
    public static let unified = openai.extending([
        .queued: ["not_started", "queueing", "waiting", "in_queue", "scheduled"],
        .running: ["started", "inprogress"],
        .succeeded: ["successful", "done"],
        .failed: ["errored"],
        .cancelled: ["aborted", "cancellation_requested"],
        .expired: ["timeout", "timed_out"],
    ])

    /// The `kling` dialect: Kling's own `submitted`, `processing`, `succeed`, `failed` and the words gateways use
    /// when they answer its route in their own shapes (all in `common`).
    public static let kling = common

    /// The `routerone` dialect: `pending`, `processing`, `completed`, `failed` (all in `common`).
    public static let routerone = common

    /// The `chat` dialect answers synchronously; the table only reads a structured reply that carries a status.
    public static let chat = common

    /// The state a status word means, or nil for words outside the table.
    public func state(for word: String) -> TaskState? {
        table[StatusVocabulary.fold(word)]
    }

    /// The state a status word means.
    /// - Throws: `.protocolError` naming the word when it is unknown.
    public func require(_ word: String) throws -> TaskState {
        guard let state = state(for: word) else {
            throw VideoGenError(.protocolError, "the service reported an unknown task status '\(Sanitize.text(word, limit: 64))'")
        }
        return state
    }

    /// The word trimmed, lower-cased, with spaces and hyphens as underscores (one pass over its scalars: this runs
    /// on every poll, and the generic `replacing` costs more than the rest of the lookup).
    private static func fold(_ word: String) -> String {
        var folded = String.UnicodeScalarView()
        for scalar in word.trimmingWhitespace().lowercased().unicodeScalars {
            folded.append(scalar == " " || scalar == "-" ? "_" : scalar)
        }
        return String(folded)
    }
}

/// Readers for the loosely typed numbers providers send.
public enum LooseNumber {
    /// Progress from an int, a float, or a string such as "45%" or "45", clamped to 0...100; nil when absent or
    /// unreadable (never invented). A float in 0...1 with a fractional part is read as a fraction.
    public static func progress(_ value: JSONValue?) -> Int? {
        guard let value else { return nil }
        var number: Double?
        switch value {
        case .int(let integer): number = Double(integer)
        case .double(let float): number = (float > 0 && float < 1) ? float * 100 : float
        case .string(let text):
            var trimmed = text.trimmingWhitespace()
            if trimmed.hasSuffix("%") { trimmed.removeLast() }
            number = RetryHint.parseNumber(trimmed)
        default: number = nil
        }
        guard let number, number.isFinite else { return nil }
        return Int(min(100, max(0, number)).rounded(.down))
    }

    /// A Unix time in seconds from seconds or milliseconds (values past year 5138 in seconds are milliseconds);
    /// nil when absent, non-numeric or non-positive.
    public static func unixTime(_ value: JSONValue?) -> Double? {
        guard let number = value?.doubleValue ?? value?.stringValue.flatMap(RetryHint.parseNumber),
              number.isFinite, number > 0 else { return nil }
        return number > 1e11 ? number / 1000 : number
    }

    /// A non-negative integer such as a queue position, or nil.
    public static func count(_ value: JSONValue?) -> Int? {
        guard let number = value?.intValue, number >= 0, number <= Int64(Int32.max) else { return nil }
        return Int(number)
    }
}
