import Foundation

/// The synonym table from providers' status words to the unified `TaskState`, case-insensitive.
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

    /// The words every dialect understands (the union seen across OpenAI, new-api, Kling, Router One, Replicate,
    /// fal, MiniMax and DashScope). `unknown` counts as queued, as new-api does; the deadline bounds it.
    public static let common = StatusVocabulary([
        .queued: ["queued", "pending", "submitted", "not_start", "notstarted", "not_started", "preparing", "queueing",
                  "created", "starting", "waiting", "in_queue", "scheduled", "unknown"],
        .running: ["in_progress", "processing", "running", "generating", "started", "in-progress", "inprogress"],
        .succeeded: ["succeeded", "succeed", "success", "successful", "completed", "complete", "finished", "done"],
        .failed: ["failed", "failure", "fail", "error", "errored"],
        .cancelled: ["cancelled", "canceled", "aborted", "cancellation_requested"],
        .expired: ["expired", "timeout", "timed_out"],
    ])

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

    private static func fold(_ word: String) -> String {
        word.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: " ", with: "_")
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
            var trimmed = text.trimmingCharacters(in: .whitespaces)
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
