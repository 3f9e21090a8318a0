import Foundation
import Testing
@testable import VideoGen

/// `JSONParser` (behind `JSONValue.parse`): RFC 8259's grammar, and what each accepted document becomes.
@Suite("JSON parser")
struct JSONParserTests {
    /// `value` and `expected` are the same value, doubles compared bit for bit (so `-0.0` is not `0.0`).
    static func identical(_ value: JSONValue, _ expected: JSONValue) -> Bool {
        switch (value, expected) {
        case (.double(let a), .double(let b)): return a.bitPattern == b.bitPattern
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy(identical)
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, member in b[key].map { identical(member, $0) } ?? false }
        default: return value == expected
        }
    }

    @Test("a number is .int when its value is an integer in Int64's range, whatever its spelling; else the nearest Double",
          arguments: [
            ("0", .int(0)), ("-0", .int(0)), ("-0.0", .int(0)), ("0e5", .int(0)), ("7.0", .int(7)), ("0.7e1", .int(7)),
            ("70e-1", .int(7)), ("1E2", .int(100)), ("1e+2", .int(100)), ("1.5e1", .int(15)), ("-12", .int(-12)),
            ("9223372036854775807", .int(.max)), ("-9223372036854775808", .int(.min)),
            ("9223372036854775808", .double(0x1p63)), ("-9223372036854775809", .double(-0x1p63)),
            ("18446744073709551616", .double(0x1p64)),
            ("123456789012345678901234567890", .double(1.2345678901234568e29)),
            // Exact beyond 2^53, where a Double is not.
            ("9007199254740993", .int(9_007_199_254_740_993)), ("9007199254740993.0", .int(9_007_199_254_740_993)),
            ("9007199254740993e0", .int(9_007_199_254_740_993)), ("900719925474099.3e1", .int(9_007_199_254_740_993)),
            ("9223372036854775807.0", .int(.max)), ("-9223372036854775808.0", .int(.min)),
            ("9007199254740993.5", .double(9_007_199_254_740_994)), ("-9223372036854775809.0", .double(-0x1p63)),
            ("1e18", .int(1_000_000_000_000_000_000)), ("1e19", .double(1e19)), ("1e23", .double(1e23)),
            // A nearest Double that is an integer below 2^53 is taken as that integer (as JSONDecoder did).
            ("1e-400", .int(0)), ("1.0000000000000000001", .int(1)),
            ("1.5", .double(1.5)), ("-1.5", .double(-1.5)), ("0.1", .double(0.1)), ("4.35", .double(4.35)),
            ("1e-2", .double(0.01)), ("0.30000000000000004", .double(0.30000000000000004)),
            ("5e-324", .double(.leastNonzeroMagnitude)), ("2.4703282292062328e-324", .double(.leastNonzeroMagnitude)),
            ("1.7976931348623157e308", .double(.greatestFiniteMagnitude)),
            ("2.2250738585072011e-308", .double(Double.leastNormalMagnitude.nextDown)),
            ("-2.5e-3", .double(-0.0025)), ("123.456e-2", .double(1.23456)),
          ] as [(String, JSONValue)])
    func numbers(_ text: String, _ expected: JSONValue) throws {
        let value = try JSONValue.parse(text)
        #expect(Self.identical(value, expected), "\(text) -> \(value)")
        // The same inside a document.
        #expect(Self.identical(try JSONValue.parse("[\(text)]"), .array([expected])))
    }

    @Test("every number text agrees with Double(String) to the bit, or is the integer it names (20,000 seeded draws)")
    func numbersAgainstStrtod() throws {
        var random = SplitMix64(seed: 8259)
        func digits(_ count: Int) -> String {
            String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
        }
        for _ in 0..<20_000 {
            var text = Bool.random(using: &random) ? "-" : ""
            let integer = digits(Int.random(in: 1...20, using: &random))
            text += integer.count > 1 ? "1" + integer.dropFirst() : integer
            if Bool.random(using: &random) { text += "." + digits(Int.random(in: 1...20, using: &random)) }
            if Bool.random(using: &random) {
                text += ["e", "E", "e+", "e-", "E-"].randomElement(using: &random)! + String(Int.random(in: 0...340, using: &random))
            }
            let nearest = try #require(Double(text))
            guard nearest.isFinite else {
                expectError(.invalidJSON) { _ = try JSONValue.parse(text) }
                continue
            }
            switch try JSONValue.parse(text) {
            case .double(let value):
                #expect(value.bitPattern == nearest.bitPattern, "\(text): \(value) against \(nearest)")
                #expect(value.rounded(.towardZero) != value || value.magnitude >= 0x1p53, "\(text) is integral: \(value)")
            case .int(let value):
                #expect(Double(value) == nearest, "\(text): \(value) against \(nearest)")
            case let other:
                Issue.record("\(text) -> \(other)")
            }
        }
    }

    @Test("strings: every escape, surrogate pairs in either case, raw UTF-8, DEL and \\u0000",
          arguments: [
            (#""""#, ""), (#""a\"b""#, "a\"b"), (#""\\\/\b\f\n\r\t""#, "\\/\u{8}\u{C}\n\r\t"),
            (#""\u00e9\u00E9é""#, "ééé"), (#""\ud83d\ude00\uD83D\uDE00""#, "😀😀"), (#""\u0000""#, "\u{0}"),
            (#""a\u2028b""#, "a\u{2028}b"), ("\"a\u{7F}b\"", "a\u{7F}b"), (#""狐 \u72d0 🦊""#, "狐 狐 🦊"),
            (#""\uFEFF\uFFFD\uFFFF""#, "\u{FEFF}\u{FFFD}\u{FFFF}"), (#""\udbff\udfff""#, "\u{10FFFF}"),
            (#""x\/""#, "x/"), (#""\"\"""#, "\"\""),
          ] as [(String, String)])
    func strings(_ text: String, _ expected: String) throws {
        #expect(try JSONValue.parse(text) == .string(expected))
        #expect(try JSONValue.parse("{\(text):1}") == .object([expected: 1]))
    }

    @Test("documents outside RFC 8259 are refused with invalidJSON",
          arguments: [
            // Empty, whitespace only, bare words, other whitespace.
            "", " ", "\n\t\r ", "nul", "nulls", "True", "NaN", "Infinity", "-Infinity", "undefined", "\u{B}1", "\u{C}1",
            "\u{A0}1", "1\u{A0}",
            // Numbers.
            "01", "-01", "00", "1.", ".5", "+1", "-", "1e", "1e+", "1e-", "0x10", "1_0", "1.e5", "--1", "1ee2", "1e400",
            "-1e400", "1e309",
            // Structure.
            "{", "}", "[", "]", "{\"a\":}", "{\"a\" 1}", "{\"a\"}", "{1:2}", "{a:1}", "[1 2]", "{\"a\":1 \"b\":2}",
            "[1,]", "{\"a\":1,}", "[,1]", "[,]", "{,}", "[1,,2]", "{\"a\":1,,\"b\":2}", "{\"a\"::1}", "[1:2]", "{\"a\",1}",
            // After the value.
            "1 2", "1 x", "{}x", "[] []", "{}}", "[]]", "\"a\"\"b\"", "true false", "null,",
            // Other syntaxes.
            "'a'", "{'a':1}", "/*c*/1", "1//c", "# c\n1", "[1]/**/",
            // Strings.
            "\"a", "\"\\\"", "\"a\\", "\"\\a\"", "\"\\x41\"", "\"\\'\"", "\"\\u00\"", "\"\\u00g0\"", "\"\\uzzzz\"", "\"\\U0041\"",
            "\"a\tb\"", "\"a\nb\"", "\"\u{1F}\"", "\"\u{0}\"",
            // Lone or reversed surrogates.
            "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800x\"", "\"\\ud800\\u0041\"", "\"\\ud83d\\ude00\\ud83d\"", "\"\\ude00\\ud83d\"",
            "\"\\ud800\\ud800\"", "\"\\ud800\\\"",
            // The byte order mark alone, twice, or escaped.
            "\u{FEFF}", "\u{FEFF}\u{FEFF}1", "\\ufeff1",
          ])
    func malformed(_ text: String) {
        expectError(.invalidJSON) { _ = try JSONValue.parse(text) }
    }

    @Test("bytes that are not UTF-8 are refused, inside strings and out, never replaced with U+FFFD",
          arguments: [
            [0xFF], [0x22, 0xFF, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xC1, 0xBF, 0x22], [0x22, 0xE0, 0x80, 0xAF, 0x22],
            [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xED, 0xBF, 0xBF, 0x22], [0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22],
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22],
            [0x22, 0xE2, 0x82], [0x22, 0x80, 0x22], [0x22, 0xC3, 0x22], [0x22, 0x5C, 0x6E, 0xFF, 0x22],
            [0x22, 0x5C, 0x75, 0x30, 0x30, 0x65, 0x39, 0xA9, 0x22], [0x31, 0xFF], [0xFF, 0x31], [0x5B, 0xC3, 0xA9, 0x5D],
            // UTF-16 and UTF-32, with and without a byte order mark (JSONDecoder transcoded them; RFC 8259 §8.1).
            [0xFE, 0xFF, 0x00, 0x31], [0xFF, 0xFE, 0x31, 0x00], [0x00, 0x31], [0x31, 0x00], [0x5B, 0x00, 0x31, 0x00, 0x5D, 0x00],
            [0x00, 0x00, 0x00, 0x31], [0x31, 0x00, 0x00, 0x00], [0x00],
          ] as [[UInt8]])
    func notUTF8(_ bytes: [UInt8]) {
        expectError(.invalidJSON) { _ = try JSONValue.parse(Data(bytes)) }
    }

    @Test("valid UTF-8 at every sequence length and at the edges of Unicode's table passes unchanged")
    func utf8Edges() throws {
        for scalar: UInt32 in [0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x3FFFF, 0x40000, 0xFFFFF, 0x100000, 0x10FFFF] {
            let text = String(Unicode.Scalar(scalar)!)
            #expect(try JSONValue.parse(Data("\"\(text)\"".utf8)) == .string(text), "U+\(String(scalar, radix: 16))")
            #expect(try JSONValue.parse(Data("\"\\n\(text)\"".utf8)) == .string("\n" + text), "escaped, U+\(String(scalar, radix: 16))")
        }
    }

    @Test("nesting: 512 levels of arrays or objects are read, 513 are refused, never a crash")
    func depth() throws {
        func arrays(_ depth: Int) -> String { String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth) }
        func objects(_ depth: Int) -> String { String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth) }
        func mixed(_ depth: Int) -> String {
            (0..<depth).map { $0.isMultiple(of: 2) ? "[" : #"{"k":"# }.joined() + "null"
                + (0..<depth).reversed().map { $0.isMultiple(of: 2) ? "]" : "}" }.joined()
        }
        for document in [arrays, objects, mixed] {
            var value = try JSONValue.parse(document(JSONParser.maxDepth))
            var levels = 0
            while true {
                if let inner = value.arrayValue?.first ?? value.objectValue?.values.first { value = inner; levels += 1 } else { break }
            }
            #expect(levels == 512)
            let error = expectError(.invalidJSON) { _ = try JSONValue.parse(document(JSONParser.maxDepth + 1)) }
            #expect(error?.message.contains("nested deeper than 512 levels") == true, "\(error?.message ?? "")")
        }
        expectError(.invalidJSON) { _ = try JSONValue.parse(String(repeating: "[", count: 1_000_000)) }
        expectError(.invalidJSON) { _ = try JSONValue.parse(String(repeating: "[{\"a\":", count: 300_000)) }
    }

    @Test("a duplicate member name keeps the first member (as JSONDecoder did)")
    func duplicates() throws {
        #expect(try JSONValue.parse(#"{"a":1,"a":2}"#) == ["a": 1])
        #expect(try JSONValue.parse(#"{"a":{"x":1},"b":0,"a":[1],"a":null}"#) == ["a": ["x": 1], "b": 0])
        // Names compare by their unescaped text.
        #expect(try JSONValue.parse(#"{"\u0061":1,"a":2}"#) == ["a": 1])
    }

    @Test("whitespace around every token; one UTF-8 byte order mark at the start is skipped")
    func whitespaceAndMark() throws {
        let spaced = " \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n[ \t\r\n1 \t\r\n, \t\r\ntrue \t\r\n] \t\r\n} \t\r\n"
        #expect(try JSONValue.parse(spaced) == ["a": [1, true]])
        #expect(try JSONValue.parse(Data([0xEF, 0xBB, 0xBF] + Array(#"{"a":1}"#.utf8))) == ["a": 1])
        #expect(try JSONValue.parse("\u{FEFF} 1") == 1)
        // Not after whitespace: the mark is only skipped as the first bytes.
        expectError(.invalidJSON) { _ = try JSONValue.parse(" \u{FEFF}1") }
    }

    @Test("a Data slice, a String and a substring's string parse alike")
    func inputs() throws {
        let whole = Data(#"xx{"a":[1,"é"]}yy"#.utf8)
        let slice = whole[whole.startIndex + 2 ..< whole.endIndex - 2]
        #expect(slice.startIndex != 0)
        #expect(try JSONValue.parse(slice) == ["a": [1, "é"]])
        #expect(try JSONValue.parse(String(#"xx{"a":[1,"é"]}yy"#.dropFirst(2).dropLast(2))) == ["a": [1, "é"]])
        // Small strings (held inline, not in a buffer) too.
        #expect(try JSONValue.parse("7") == 7)
        #expect(try JSONValue.parse("\"é\"") == "é")
    }

    @Test("messages say what was expected at which byte and never quote the document",
          arguments: [
            ("", "the document is empty"), (#"{"a" 1}"#, "expected ':' after a member name (byte 5)"),
            (#"[1,]"#, "expected a value (byte 3)"), (#"{"a":1,}"#, "expected a member name in quotes (byte 7)"),
            ("[1 2]", "expected ',' or ']' after an array element (byte 3)"), ("1 x", "unexpected data after the document (byte 2)"),
            ("01", "a number has a leading zero (byte 0)"), ("1e400", "a number beyond the range of a Double (byte 0)"),
            ("\"ab", "a string is not terminated (byte 0)"), (#""\ud800""#, "high surrogate is not followed by one of a low surrogate (byte 1)"),
            ("\"a\u{1}\"", "a control character (U+0001) inside a string must be escaped (byte 2)"), ("[", "the document ends"),
            (#"{"k":"v""#, "the document ends inside an array or object (byte 8)"),
          ] as [(String, String)])
    func messages(_ text: String, _ expected: String) {
        let error = expectError(.invalidJSON) { _ = try JSONValue.parse(text) }
        #expect(error?.message.hasPrefix("not valid JSON: ") == true)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
    }

    @Test("a refused document's text does not reach the message (it may hold a key)")
    func noQuoting() {
        let secret = "sk-SECRET-9f8e7d6c5b4a"
        for text in [#"{"api_key":"\#(secret)""#, #"{"\#(secret)" 1}"#, #"["\#(secret)",]"#, "\(secret)", #"{"k":"\#(secret)\u{1}"}"#,
                     #"{"k":\#(secret)}"#, "[\"\(secret)\"] \(secret)"] {
            let error = expectError(.invalidJSON) { _ = try JSONValue.parse(text) }
            #expect(error.map { !$0.message.contains(secret) && !$0.message.contains("sk-") } == true, "\(error?.message ?? "")")
        }
    }

    @Test("the body of an HTTP answer that is not JSON is a protocol error naming the status (HTTPResponse.json)")
    func responseBody() {
        let error = expectError(.protocolError) { _ = try HTTPResponse(status: 502, body: Data("<html>bad gateway</html>".utf8)).json() }
        #expect(error?.httpStatus == 502)
    }
}
