/// A strict RFC 8259 parser from UTF-8 bytes to `JSONValue`, in one pass over the bytes.
///
/// It replaced `JSONDecoder` (decoding `JSONValue` through `Codable`) at a small fraction of the cost (no `Decoder`
/// machinery, no generic metadata per value): strings are built from the UTF-8 bytes between their quotes, checked
/// to be UTF-8 as they are scanned; the members and elements of every container are gathered on two stacks shared
/// by the whole document, so that each object and array is allocated once, at its final size; a string with no
/// escapes is copied once, into its `String`.
///
/// What it accepts and what it makes of it:
/// - Exactly one value, with spaces, tabs, CR and LF around it; one UTF-8 byte order mark at the start is skipped.
///   Anything else is refused: an empty document, a second value or other bytes after the first, trailing commas,
///   comments, single quotes, bare words, UTF-16 and UTF-32 (RFC 8259 §8.1: JSON between systems is UTF-8).
/// - Nesting to `maxDepth` (512, `JSONDecoder`'s limit) levels of arrays and objects; deeper is refused, not a crash.
/// - Strings: every escape of RFC 8259 §7, `\u` surrogate pairs joined; a lone or reversed surrogate, a raw control
///   character (U+0000...U+001F), an unterminated string and bytes that are not UTF-8 are refused (never replaced
///   with U+FFFD). `\u0000` is taken.
/// - Objects: of repeated member names the first member is kept (as `JSONDecoder` did); every value is checked,
///   the repeated ones included.
/// - Numbers, with RFC 8259's grammar (no leading zeros, no `+`, no bare `.`): a number whose value is an integer
///   in Int64's range is `.int` with its exact value, whether written `7`, `7.0`, `0.7e1` or
///   `9007199254740993.0`; one whose nearest Double is an integer below 2^53 is `.int` too (`1e-400` is `.int(0)`,
///   `-0.0` is `.int(0)`), as with `JSONDecoder`. Other numbers are `.double` with the nearest Double (integers
///   beyond Int64 included); a number beyond Double's range (`1e400`) is refused.
///
/// Where it differs from `JSONDecoder`, on purpose (`JSONEquivalenceTests` checks each): `JSONDecoder` accepted
/// trailing commas and UTF-16/UTF-32 documents (guessed from NUL bytes), never looked at the values of repeated
/// member names after the first, made an integer written with a fraction or an exponent whose nearest Double is
/// ±2^63 that Double, and truncated a number with a fraction between 2^53 and 2^63 to an integer.
///
/// Errors are `VideoGenError(.invalidJSON)` with "not valid JSON: " and what was expected at which byte offset; the
/// document's own bytes are never quoted (it may hold a secret).
struct JSONParser {
    /// The deepest nesting of arrays and objects accepted.
    static let maxDepth = 512

    /// Parses the UTF-8 JSON document in `bytes`.
    /// - Throws: `VideoGenError` with code `.invalidJSON`.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            throw VideoGenError(.invalidJSON, "not valid JSON: the document is empty")
        }
        var parser = JSONParser(base: base.assumingMemoryBound(to: UInt8.self), end: bytes.count)
        if parser.end >= 3, parser.base[0] == 0xEF, parser.base[1] == 0xBB, parser.base[2] == 0xBF { parser.index = 3 }
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.index == parser.end else { throw parser.failure("unexpected data after the document") }
        return value
    }

    private let base: UnsafePointer<UInt8>
    private let end: Int
    private var index = 0
    private var depth = 0
    /// Members' names and values, and elements, of the containers being read (innermost last).
    private var names: [String] = []
    private var values: [JSONValue] = []
    /// The bytes of a string with escapes, as it is unescaped.
    private var unescaped: [UInt8] = []

    private init(base: UnsafePointer<UInt8>, end: Int) {
        self.base = base
        self.end = end
    }

    // MARK: Values

    private mutating func value() throws -> JSONValue {
        skipWhitespace()
        guard index < end else { throw failure("the document ends where a value was expected") }
        switch base[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw failure("expected a value")
        }
    }

    private mutating func object() throws -> JSONValue {
        try enter()
        let first = values.count
        skipWhitespace()
        if try take(UInt8(ascii: "}")) { return leave(.object([:])) }
        while true {
            skipWhitespace()
            guard index < end, base[index] == UInt8(ascii: "\"") else { throw failure("expected a member name in quotes") }
            let name = try string()
            names.append(name)
            skipWhitespace()
            guard try take(UInt8(ascii: ":")) else { throw failure("expected ':' after a member name") }
            let member = try value()
            values.append(member)
            skipWhitespace()
            if try take(UInt8(ascii: "}")) { break }
            guard try take(UInt8(ascii: ",")) else { throw failure("expected ',' or '}' after an object member") }
        }
        let count = values.count - first
        let members = Dictionary(zip(names[(names.count - count)...], values[first...]), uniquingKeysWith: { kept, _ in kept })
        names.removeLast(count)
        values.removeLast(count)
        return leave(.object(members))
    }

    private mutating func array() throws -> JSONValue {
        try enter()
        let first = values.count
        skipWhitespace()
        if try take(UInt8(ascii: "]")) { return leave(.array([])) }
        while true {
            let element = try value()
            values.append(element)
            skipWhitespace()
            if try take(UInt8(ascii: "]")) { break }
            guard try take(UInt8(ascii: ",")) else { throw failure("expected ',' or ']' after an array element") }
        }
        let elements = Array(values[first...])
        values.removeLast(elements.count)
        return leave(.array(elements))
    }

    /// Steps over the container's opening bracket, one level deeper.
    private mutating func enter() throws {
        guard depth < Self.maxDepth else { throw failure("arrays and objects nested deeper than \(Self.maxDepth) levels") }
        if values.capacity == 0 {
            values.reserveCapacity(32)
            names.reserveCapacity(16)
        }
        depth += 1
        index += 1
    }

    private mutating func leave(_ container: JSONValue) -> JSONValue {
        depth -= 1
        return container
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard end - index >= count else { throw failure("expected a value") }
        for offset in 0..<count where base[index + offset] != word.utf8Start[offset] {
            throw failure("expected a value")
        }
        index += count
    }

    // MARK: Strings

    /// The string whose opening quote is at `index`.
    private mutating func string() throws -> String {
        index += 1
        let start = index
        while index < end {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: UnsafeBufferPointer(start: base + start, count: index - 1 - start), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            guard byte >= 0x20 else { throw failure("a control character (U+00\(hex(byte))) inside a string must be escaped") }
            index += byte < 0x80 ? 1 : try utf8SequenceLength()
        }
        throw failure("a string is not terminated", at: start - 1)
    }

    /// The rest of a string that has escapes, from its first byte at `start`; `index` is at the first backslash.
    private mutating func escapedString(from start: Int) throws -> String {
        unescaped.removeAll(keepingCapacity: true)
        unescaped.append(contentsOf: UnsafeBufferPointer(start: base + start, count: index - start))
        while index < end {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: unescaped, as: UTF8.self)
            }
            guard byte >= 0x20 else { throw failure("a control character (U+00\(hex(byte))) inside a string must be escaped") }
            guard byte == UInt8(ascii: "\\") else {
                let length = byte < 0x80 ? 1 : try utf8SequenceLength()
                unescaped.append(contentsOf: UnsafeBufferPointer(start: base + index, count: length))
                index += length
                continue
            }
            guard index + 1 < end else { break }
            let escape = base[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): unescaped.append(escape)
            case UInt8(ascii: "b"): unescaped.append(0x08)
            case UInt8(ascii: "f"): unescaped.append(0x0C)
            case UInt8(ascii: "n"): unescaped.append(0x0A)
            case UInt8(ascii: "r"): unescaped.append(0x0D)
            case UInt8(ascii: "t"): unescaped.append(0x09)
            case UInt8(ascii: "u"): appendUTF8(try escapedScalar())
            default: throw failure("'\\' followed by a character that is not an escape", at: index - 2)
            }
        }
        throw failure("a string is not terminated", at: start - 1)
    }

    /// The scalar of a `\u` escape whose four digits start at `index`, with the low surrogate's escape after a high
    /// surrogate's.
    private mutating func escapedScalar() throws -> Unicode.Scalar {
        let escape = index - 2
        let unit = try hexQuad()
        switch unit {
        case 0xD800...0xDBFF:
            guard end - index >= 2, base[index] == UInt8(ascii: "\\"), base[index + 1] == UInt8(ascii: "u") else {
                throw failure("a \\u escape of a high surrogate is not followed by one of a low surrogate", at: escape)
            }
            index += 2
            let low = try hexQuad()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw failure("a \\u escape of a high surrogate is not followed by one of a low surrogate", at: escape)
            }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
        case 0xDC00...0xDFFF:
            throw failure("a \\u escape of a low surrogate without a high one before it", at: escape)
        default:
            return Unicode.Scalar(unit)!
        }
    }

    private mutating func hexQuad() throws -> UInt32 {
        guard end - index >= 4 else { throw failure("a \\u escape needs four hexadecimal digits") }
        var unit: UInt32 = 0
        for offset in 0..<4 {
            let byte = base[index + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("a \\u escape needs four hexadecimal digits")
            }
            unit = unit << 4 | UInt32(digit)
        }
        index += 4
        return unit
    }

    private mutating func appendUTF8(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        switch value {
        case ..<0x80:
            unescaped.append(UInt8(value))
        case ..<0x800:
            unescaped.append(UInt8(0xC0 | value >> 6))
            unescaped.append(UInt8(0x80 | value & 0x3F))
        case ..<0x10000:
            unescaped.append(UInt8(0xE0 | value >> 12))
            unescaped.append(UInt8(0x80 | value >> 6 & 0x3F))
            unescaped.append(UInt8(0x80 | value & 0x3F))
        default:
            unescaped.append(UInt8(0xF0 | value >> 18))
            unescaped.append(UInt8(0x80 | value >> 12 & 0x3F))
            unescaped.append(UInt8(0x80 | value >> 6 & 0x3F))
            unescaped.append(UInt8(0x80 | value & 0x3F))
        }
    }

    /// The length of the well-formed UTF-8 sequence (Unicode's table 3-7: no overlong forms, no surrogates, nothing
    /// above U+10FFFF) of the non-ASCII scalar at `index`.
    /// - Throws: when the bytes there are not one.
    private func utf8SequenceLength() throws -> Int {
        var length = 3
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch base[index] {
        case 0xC2...0xDF: length = 2
        case 0xE0: second = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: break
        case 0xED: second = 0x80...0x9F
        case 0xF0: length = 4; second = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; second = 0x80...0x8F
        default: throw failure("a string holds bytes that are not UTF-8")
        }
        guard end - index >= length, second.contains(base[index + 1]) else {
            throw failure("a string holds bytes that are not UTF-8")
        }
        for offset in 2..<length where base[index + offset] & 0xC0 != 0x80 {
            throw failure("a string holds bytes that are not UTF-8")
        }
        return length
    }

    // MARK: Numbers

    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]

    /// The number starting at `index` (a '-' or a digit).
    private mutating func number() throws -> JSONValue {
        let start = index
        let negative = base[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        // Integer part, then fraction: their digits form the significand, kept exactly while it fits in UInt64.
        let integerStart = index
        var significand: UInt64 = 0
        var significandFits = true
        guard index < end, isDigit(base[index]) else { throw failure("expected a digit in a number") }
        if base[index] == UInt8(ascii: "0") {
            index += 1
            if index < end, isDigit(base[index]) { throw failure("a number has a leading zero", at: start) }
        } else {
            accumulateDigits(&significand, &significandFits)
        }
        let integerEnd = index
        var fractionDigits = 0
        if index < end, base[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            accumulateDigits(&significand, &significandFits)
            fractionDigits = index - fractionStart
            guard fractionDigits > 0 else { throw failure("expected a digit after the decimal point") }
        }
        var exponent = 0
        var hasExponent = false
        if index < end, base[index] | 0x20 == UInt8(ascii: "e") {
            hasExponent = true
            index += 1
            var exponentNegative = false
            if index < end, base[index] == UInt8(ascii: "+") || base[index] == UInt8(ascii: "-") {
                exponentNegative = base[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < end, isDigit(base[index]) else { throw failure("expected a digit in a number's exponent") }
            while index < end, isDigit(base[index]) {
                // Stops growing past 10^17: no document has that many digits, so the value is 0 or out of range.
                if exponent < 100_000_000_000_000_000 { exponent = exponent * 10 + Int(base[index] - UInt8(ascii: "0")) }
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }

        if fractionDigits == 0 && !hasExponent && significandFits {
            if !negative, significand <= UInt64(Int64.max) { return .int(Int64(significand)) }
            if negative, significand <= UInt64(Int64.max) + 1 { return .int(Int64(truncatingIfNeeded: 0 &- significand)) }
        }
        let decimalExponent = exponent - fractionDigits
        let double: Double
        if significandFits, significand <= 1 << 53, (-22...22).contains(decimalExponent) {
            // Both operands are exact, so one correctly rounded operation gives the nearest Double (Clinger).
            let magnitude = decimalExponent < 0 ? Double(significand) / Self.exactPowersOfTen[-decimalExponent]
                : Double(significand) * Self.exactPowersOfTen[decimalExponent]
            double = negative ? -magnitude : magnitude
        } else {
            let text = String(decoding: UnsafeBufferPointer(start: base + start, count: index - start), as: UTF8.self)
            guard let parsed = Double(text) else { throw failure("unreadable number", at: start) }
            double = parsed
        }
        guard double.isFinite else { throw failure("a number beyond the range of a Double", at: start) }
        guard fractionDigits > 0 || hasExponent, double.rounded(.towardZero) == double else { return .double(double) }
        if double.magnitude < 0x1p53 { return .int(Int64(double)) }
        if double.magnitude <= 0x1p63,
           let exact = exactInteger(negative: negative, digits: (integerStart, integerEnd, fractionDigits),
                                    decimalExponent: decimalExponent) {
            return .int(exact)
        }
        return .double(double)
    }

    private mutating func accumulateDigits(_ significand: inout UInt64, _ fits: inout Bool) {
        while index < end, isDigit(base[index]) {
            let digit = UInt64(base[index] - UInt8(ascii: "0"))
            let (times10, overflow1) = significand.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            if overflow1 || overflow2 { fits = false }
            significand = sum
            index += 1
        }
    }

    /// The exact value of a number written with a fraction or an exponent, when it is an integer in Int64's range.
    /// - Parameters:
    ///   - digits: where its integer part's digits are, and how many fraction digits follow them (after the '.').
    ///   - decimalExponent: the exponent that applies to all those digits read as one integer.
    private func exactInteger(negative: Bool, digits: (integerStart: Int, integerEnd: Int, fraction: Int),
                              decimalExponent: Int) -> Int64? {
        var all: [UInt8] = Array(UnsafeBufferPointer(start: base + digits.integerStart, count: digits.integerEnd - digits.integerStart))
        if digits.fraction > 0 {
            all.append(contentsOf: UnsafeBufferPointer(start: base + digits.integerEnd + 1, count: digits.fraction))
        }
        guard let firstSignificant = all.firstIndex(where: { $0 != UInt8(ascii: "0") }) else { return 0 }
        all.removeFirst(firstSignificant)
        if decimalExponent < 0 {
            let dropped = -decimalExponent
            guard dropped < all.count, all.suffix(dropped).allSatisfy({ $0 == UInt8(ascii: "0") }) else { return nil }
            all.removeLast(dropped)
        } else {
            guard all.count + decimalExponent <= 19 else { return nil }
            all.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: decimalExponent))
        }
        var magnitude: UInt64 = 0
        for digit in all {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
        }
        if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    // MARK: Bytes

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    private mutating func skipWhitespace() {
        while index < end {
            switch base[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Steps over `byte` when it is next.
    private mutating func take(_ byte: UInt8) throws -> Bool {
        guard index < end else { throw failure("the document ends inside an array or object") }
        guard base[index] == byte else { return false }
        index += 1
        return true
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "0" + digits : digits
    }

    private func failure(_ problem: String, at offset: Int? = nil) -> VideoGenError {
        VideoGenError(.invalidJSON, "not valid JSON: \(problem) (byte \(offset ?? index))")
    }
}
