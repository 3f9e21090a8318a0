import FoundationEssentials

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
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty, trimmed.count <= 32,
              trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              trimmed.filter({ $0 == "." }).count <= 1,
              let value = Double(trimmed), value.isFinite, value >= 0 else { return nil }
        return value
    }

    /// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form RFC 9110 requires senders to use, parsed by hand:
    /// Foundation's DateFormatter stops the process on some non-ASCII input (found by fuzzing), so untrusted header
    /// text never reaches it.
    static func parseHTTPDate(_ text: String) -> Date? {
        let bytes = Array(text.trimmingWhitespace().utf8)
        guard bytes.count == 29, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }),
              bytes[3] == UInt8(ascii: ","), bytes[4] == UInt8(ascii: " "), bytes[7] == UInt8(ascii: " "),
              bytes[11] == UInt8(ascii: " "), bytes[16] == UInt8(ascii: " "), bytes[19] == UInt8(ascii: ":"),
              bytes[22] == UInt8(ascii: ":"), bytes[25] == UInt8(ascii: " "),
              String(decoding: bytes[26...], as: UTF8.self) == "GMT",
              ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].contains(String(decoding: bytes[0..<3], as: UTF8.self)),
              let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
                .firstIndex(of: String(decoding: bytes[8..<11], as: UTF8.self)),
              let day = digits(bytes[5..<7]), let year = digits(bytes[12..<16]), let hour = digits(bytes[17..<19]),
              let minute = digits(bytes[20..<22]), let second = digits(bytes[23..<25]),
              (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        let days = daysFromCivil(year: year, month: month + 1, day: day)
        return Date(timeIntervalSince1970: Double(days * 86400 + hour * 3600 + minute * 60 + second))
    }

    private static func digits(_ slice: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in slice {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil-from-days, inverted).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
