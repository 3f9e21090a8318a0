import Foundation

/// Reads the server's "wait this long" hints from response headers, defensively: garbage, negative, NaN and
/// absurd values give nil or are clamped, never a crash.
public enum RetryHint {
    /// Hints larger than this (about 11.6 days) are treated as this.
    static let ceiling = 1_000_000.0

    /// The retry delay in seconds from `retry-after-ms` (milliseconds) or else `Retry-After` (seconds or an
    /// HTTP date), or nil when neither is usable.
    /// - Parameters:
    ///   - headers: response headers with lower-cased names.
    ///   - now: the current wall-clock time, to turn an HTTP date into a delay.
    public static func retryAfter(_ headers: [String: String], now: Date = Date()) -> Double? {
        if let value = headers["retry-after-ms"], let millis = parseNumber(value) {
            return min(millis / 1000, ceiling)
        }
        if let value = headers["retry-after"] {
            if let seconds = parseNumber(value) { return min(seconds, ceiling) }
            if let date = parseHTTPDate(value) { return min(max(0, date.timeIntervalSince(now)), ceiling) }
        }
        return nil
    }

    /// The poll delay in seconds from `openai-poll-after-ms`, or nil.
    public static func pollAfter(_ headers: [String: String]) -> Double? {
        guard let value = headers["openai-poll-after-ms"], let millis = parseNumber(value) else { return nil }
        return min(millis / 1000, ceiling)
    }

    /// A non-negative finite decimal number, or nil. Accepts only digits, one dot and surrounding spaces.
    static func parseNumber(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 32,
              trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              trimmed.filter({ $0 == "." }).count <= 1,
              let value = Double(trimmed), value.isFinite, value >= 0 else { return nil }
        return value
    }

    /// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form RFC 9110 requires senders to use.
    static func parseHTTPDate(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count <= 64 else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: trimmed)
    }
}
