import FoundationEssentials

/// Text a caller hands over as bytes (the C API's `char *` arguments: request, configuration and record JSON, paths,
/// image fields): taken only when it is valid UTF-8, never repaired. Repairing (`String(cString:)` puts U+FFFD in
/// place of each bad sequence) would send a prompt or a model the caller did not write, or write a file at a path
/// other than the one given.
public enum InputText {
    /// `bytes` as a string.
    /// - Parameter name: what the bytes are ("path", "images[0].field"), for the message.
    /// - Throws: `.invalidArgument` naming `name` and the offset of the first byte that is not UTF-8.
    public static func decode(_ bytes: UnsafeRawBufferPointer, name: String) throws -> String {
        if let offset = firstInvalidOffset(bytes) {
            throw VideoGenError(.invalidArgument, "\(name) is not valid UTF-8 (byte \(offset)); videogen takes text only as UTF-8 and never substitutes characters")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses a JSON document handed over as bytes.
    /// - Parameter document: what it is ("request", "configuration", "record"), for messages.
    /// - Throws: `.invalidArgument` naming the field whose string (or name) is not valid UTF-8 (or the byte offset
    ///   when the bad bytes are outside any string); what `JSONValue.parse` throws otherwise.
    public static func json(_ data: Data, document: String) throws -> JSONValue {
        let offset = data.withUnsafeBytes { firstInvalidOffset($0) }
        guard let offset else { return try JSONValue.parse(data) }
        let fallback = VideoGenError(.invalidArgument, "the \(document) is not valid UTF-8 (byte \(offset)); videogen takes text only as UTF-8 and never substitutes characters")
        // Decode with a marker in place of each bad sequence, parse, and find the field that holds a marker.
        guard let marker = unusedMarker(in: data) else { throw fallback }
        var text = ""
        data.withUnsafeBytes { bytes in
            var iterator = bytes.makeIterator()
            var parser = Unicode.UTF8.ForwardParser()
            while true {
                switch parser.parseScalar(from: &iterator) {
                case .valid(let encoded): text.unicodeScalars.append(Unicode.UTF8.decode(encoded))
                case .error: text.unicodeScalars.append(marker)
                case .emptyInput: return
                }
            }
        }
        guard let parsed = try? JSONValue.parse(text), let field = field(holding: marker, in: parsed, path: "") else {
            throw fallback
        }
        let place = field.path.isEmpty ? "the \(document)" : "\(document) field '\(field.path)'"
        let what = field.inName ? "has a member name that is not valid UTF-8" : "is not valid UTF-8"
        throw VideoGenError(.invalidArgument, "\(place) \(what); videogen takes text only as UTF-8 and never substitutes characters")
    }

    /// The offset of the first byte that does not belong to a valid UTF-8 sequence, or nil when all do.
    static func firstInvalidOffset(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .error: return offset
            case .emptyInput: return nil
            }
        }
    }

    /// A noncharacter (U+FDD0...U+FDEF) that appears in `data` neither as itself nor as a `\u` escape.
    private static func unusedMarker(in data: Data) -> Unicode.Scalar? {
        let lowered = String(decoding: data, as: UTF8.self).lowercased()
        for value in UInt32(0xFDD0)...0xFDEF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if !lowered.unicodeScalars.contains(scalar) && !lowered.contains("\\u" + String(value, radix: 16)) {
                return scalar
            }
        }
        return nil
    }

    /// The dotted path (`metadata.note`, `images[1]`) of the first string or member name holding `marker`.
    private static func field(holding marker: Unicode.Scalar, in value: JSONValue, path: String) -> (path: String, inName: Bool)? {
        switch value {
        case .string(let text):
            return text.unicodeScalars.contains(marker) ? (path, false) : nil
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                if let found = field(holding: marker, in: element, path: "\(path)[\(index)]") { return found }
            }
            return nil
        case .object(let members):
            for key in members.keys.sorted() {
                if key.unicodeScalars.contains(marker) { return (path, true) }
                let inner = path.isEmpty ? key : "\(path).\(key)"
                if let found = field(holding: marker, in: members[key]!, path: inner) { return found }
            }
            return nil
        default:
            return nil
        }
    }
}
