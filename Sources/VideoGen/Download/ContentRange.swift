import FoundationEssentials

/// The `Content-Range` header of a 206 or 416 answer (RFC 9110 §14.4), parsed strictly: anything malformed,
/// negative, reversed or absurd gives nil, never a crash.
public struct ContentRange: Sendable, Hashable {
    /// First byte of the part sent, or nil for the unsatisfied form `bytes */total`.
    public var first: Int64?
    /// Last byte of the part sent (inclusive), or nil for the unsatisfied form.
    public var last: Int64?
    /// The full length, or nil when the server wrote `*`.
    public var total: Int64?

    /// Parses `bytes first-last/total`, `bytes first-last/*` or `bytes */total`.
    public init?(_ text: String) {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.count <= 100, trimmed.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = trimmed.dropFirst(6).trimmingWhitespace()
        let halves = spec.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2 else { return nil }
        if halves[1] == "*" {
            total = nil
        } else {
            guard let value = ContentRange.number(halves[1]) else { return nil }
            total = value
        }
        if halves[0] == "*" {
            guard total != nil else { return nil }
            first = nil
            last = nil
            return
        }
        let bounds = halves[0].split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = ContentRange.number(bounds[0]), let last = ContentRange.number(bounds[1]),
              first <= last else { return nil }
        if let total, last >= total { return nil }
        self.first = first
        self.last = last
    }

    private static func number(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.count <= 18, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(text)
    }
}
