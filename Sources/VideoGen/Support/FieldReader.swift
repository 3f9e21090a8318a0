import FoundationEssentials

/// Reads the members of a JSON object with strict types, naming the offending field in every error, and refuses
/// members nobody read: videogen never drops a field silently.
struct FieldReader {
    private let members: [String: JSONValue]
    private let context: String
    private var consumed: Set<String> = []

    /// - Parameters:
    ///   - value: the document; anything but an object is refused.
    ///   - context: what the document is ("request", "configuration", "poll"), for messages.
    init(_ value: JSONValue, context: String) throws {
        guard case .object(let members) = value else {
            throw VideoGenError(.invalidJSON, "the \(context) must be a JSON object, not \(value.typeName)")
        }
        self.members = members
        self.context = context
    }

    /// Names present in the document, in sorted order.
    var presentKeys: [String] { members.keys.sorted() }

    private mutating func take(_ key: String) -> JSONValue? {
        consumed.insert(key)
        guard let value = members[key], !value.isNull else { return nil }
        return value
    }

    private func typeError(_ key: String, _ expected: String, _ got: JSONValue) -> VideoGenError {
        VideoGenError(.invalidArgument, "\(context) field '\(key)' must be \(expected), not \(got.typeName)")
    }

    mutating func string(_ key: String) throws -> String? {
        guard let value = take(key) else { return nil }
        guard let text = value.stringValue else { throw typeError(key, "a string", value) }
        return text
    }

    mutating func requiredString(_ key: String) throws -> String {
        guard let text = try string(key), !text.trimmingWhitespaceAndNewlines().isEmpty else {
            throw VideoGenError(.invalidArgument, "\(context) field '\(key)' is required and must be a non-empty string")
        }
        return text
    }

    mutating func bool(_ key: String) throws -> Bool? {
        guard let value = take(key) else { return nil }
        guard let flag = value.boolValue else { throw typeError(key, "true or false", value) }
        return flag
    }

    mutating func int(_ key: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let value = take(key) else { return nil }
        guard let number = value.intValue else { throw typeError(key, "an integer", value) }
        guard range.contains(number) else {
            throw VideoGenError(.invalidArgument, "\(context) field '\(key)' must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
        }
        return number
    }

    mutating func double(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let value = take(key) else { return nil }
        guard let number = value.doubleValue, number.isFinite else { throw typeError(key, "a number", value) }
        guard range.contains(number) else {
            throw VideoGenError(.invalidArgument, "\(context) field '\(key)' must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
        }
        return number
    }

    mutating func object(_ key: String) throws -> [String: JSONValue]? {
        guard let value = take(key) else { return nil }
        guard let members = value.objectValue else { throw typeError(key, "an object", value) }
        return members
    }

    /// A nested object read with its own strict reader.
    mutating func nested(_ key: String) throws -> FieldReader? {
        guard let value = take(key) else { return nil }
        guard value.objectValue != nil else { throw typeError(key, "an object", value) }
        return try FieldReader(value, context: "\(context) '\(key)'")
    }

    mutating func stringArray(_ key: String) throws -> [String]? {
        guard let value = take(key) else { return nil }
        guard let elements = value.arrayValue else { throw typeError(key, "an array of strings", value) }
        return try elements.map { element in
            guard let text = element.stringValue else { throw typeError(key, "an array of strings", element) }
            return text
        }
    }

    /// Refuses every member that no accessor asked for.
    func finish() throws {
        let unknown = members.keys.filter { !consumed.contains($0) }.sorted()
        if !unknown.isEmpty {
            let list = unknown.map { "'\($0)'" }.joined(separator: ", ")
            throw VideoGenError(.invalidArgument, "unknown \(context) field\(unknown.count > 1 ? "s" : "") \(list)")
        }
    }
}
