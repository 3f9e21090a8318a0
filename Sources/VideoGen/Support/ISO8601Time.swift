import FoundationEssentials

/// Reads the ISO 8601 times services send (`2024-06-10T15:12:08.123Z`, with or without fractional seconds).
enum ISO8601Time {
    /// Unix seconds, or nil when `text` is not an ISO 8601 time.
    static func parse(_ text: String) -> Double? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date.timeIntervalSince1970 }
        return (try? Date.ISO8601FormatStyle().parse(text))?.timeIntervalSince1970
    }
}
