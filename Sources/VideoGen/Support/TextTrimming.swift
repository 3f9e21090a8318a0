/// Trimming without Foundation (the library links FoundationEssentials only, which has no `CharacterSet` API on
/// strings). The two sets are Foundation's `.whitespaces` and `.whitespacesAndNewlines`.
extension StringProtocol {
    /// The text without leading and trailing spaces (Unicode space separators and tab).
    func trimmingWhitespace() -> String {
        trimming { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
    }

    /// The text without leading and trailing white space and line breaks.
    func trimmingWhitespaceAndNewlines() -> String {
        trimming { $0.properties.isWhitespace }
    }

    private func trimming(_ drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !drop($0) })!
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[first...last])
        return String(result)
    }
}
