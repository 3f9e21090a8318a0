/// Makes text from the network safe to show: no control characters (which could forge log lines or terminal
/// escapes), bounded length.
enum Sanitize {
    /// `text` with control characters replaced by spaces and cut to `limit` characters.
    static func text(_ text: String, limit: Int = 500) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(min(text.unicodeScalars.count, limit))
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                result += "…"
                break
            }
            let isControl = scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
                || scalar.value == 0x2028 || scalar.value == 0x2029
            result.unicodeScalars.append(isControl ? " " : scalar)
            count += 1
        }
        return result
    }
}
