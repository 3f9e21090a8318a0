import Foundation
import Testing
@testable import VideoGen

/// `JSONValue.parse` (JSONParser) against what it replaced, `JSONDecoder` decoding `JSONValue` through its `Codable`
/// conformance: the same values for the same documents, the same refusals, over the test fixtures, the fuzz seeds,
/// seeded random documents and seeded random mutations of them.
///
/// The differences are chosen, and `knownDifference` recognises each:
/// - JSONDecoder accepted trailing commas (`[1,]`), and UTF-16 and UTF-32 documents (it guessed the encoding from
///   NUL bytes, so `1` followed by a NUL byte was the number 1); RFC 8259 allows neither.
/// - It decoded only the first of repeated member names' values, so bytes that are not UTF-8, a lone surrogate or
///   a number beyond Double's range in a later one went unnoticed; the parser reads every value.
/// - It turned an integer written with a fraction or an exponent whose nearest Double is ±2^63
///   (`9223372036854775807.0`) into that Double; the parser keeps the exact integer.
/// - It truncated a number with a fraction between 2^53 and 2^63 (`9007199254740993.5`) to an integer; the parser
///   gives the nearest Double (a fraction is not an integer).
@Suite("JSON parser against JSONDecoder")
struct JSONEquivalenceTests {
    /// What the library's parser made of `bytes`: the value, or the error.
    static func parsed(_ bytes: Data) -> Result<JSONValue, VideoGenError> {
        Result { try JSONValue.parse(bytes) }.mapError { $0 as! VideoGenError }
    }

    /// What `JSONValue.parse` made of `bytes` before this parser: JSONDecoder.
    static func decoded(_ bytes: Data) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: bytes)
    }

    /// Why the two outcomes for `bytes` may differ, or nil when they must not.
    static func knownDifference(_ bytes: Data, parsed: Result<JSONValue, VideoGenError>, decoded: JSONValue?) -> String? {
        switch (parsed, decoded) {
        case (.failure(let error), .some):
            let head = Array(bytes.prefix(4))
            if head.contains(0) || head.starts(with: [0xFE, 0xFF]) || head.starts(with: [0xFF, 0xFE]) {
                return "UTF-16 or UTF-32"
            }
            guard let offset = byteOffset(error), offset < bytes.count else { return nil }
            let bytes = Array(bytes)
            if insideRepeatedMember(bytes, offset) { return "a repeated member's value" }
            // A trailing comma: the parser stops at the closing bracket that follows a ',' (and whitespace).
            guard bytes[offset] == UInt8(ascii: "]") || bytes[offset] == UInt8(ascii: "}") else { return nil }
            let before = bytes[..<offset].last { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
            return before == UInt8(ascii: ",") ? "trailing comma" : nil
        case (.success(let value), .some(let old)):
            return sameNumbersAside(value, old)
        default:
            return nil
        }
    }

    /// The offset an error message names ("... (byte N)").
    static func byteOffset(_ error: VideoGenError) -> Int? {
        guard let range = error.message.range(of: "(byte ", options: .backwards) else { return nil }
        return Int(error.message[range.upperBound...].prefix { $0.isNumber })
    }

    /// When `new` and `old` differ only in numbers the two read differently on purpose: which; else nil.
    static func sameNumbersAside(_ new: JSONValue, _ old: JSONValue) -> String? {
        switch (new, old) {
        case (.int(let integer), .double(let double)) where double.magnitude == 0x1p63 && Double(integer) == double:
            return "integer whose nearest Double is 2^63"
        case (.double(let double), .int(let integer))
            where double.magnitude >= 0x1p53 && double.magnitude < 0x1p63 && (Double(integer) - double).magnitude <= double.ulp:
            return "fraction beyond 2^53"
        case (.array(let a), .array(let b)) where a.count == b.count:
            let reasons = zip(a, b).compactMap { JSONParserTests.identical($0, $1) ? "" : sameNumbersAside($0, $1) }
            return reasons.count == a.count ? reasons.first { !$0.isEmpty } : nil
        case (.object(let a), .object(let b)) where a.count == b.count:
            let reasons = a.compactMap { key, member in
                b[key].flatMap { JSONParserTests.identical(member, $0) ? "" : sameNumbersAside(member, $0) }
            }
            return reasons.count == a.count ? reasons.first { !$0.isEmpty } : nil
        default:
            return nil
        }
    }

    /// Whether `offset` lies in the value of an object member whose name (as written) came earlier in the same
    /// object: a value JSONDecoder never decoded. `bytes` is a document JSONDecoder read, so its structure is sound.
    static func insideRepeatedMember(_ bytes: [UInt8], _ offset: Int) -> Bool {
        struct Frame {
            var names: Set<ArraySlice<UInt8>>?
            var expectingName: Bool
            var repeated = false
        }
        var stack: [Frame] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                var end = index + 1
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                if (index...end).contains(offset) { return stack.contains { $0.repeated } }
                if let top = stack.last, top.expectingName, top.names != nil {
                    let name = bytes[(index + 1)..<min(end, bytes.count)]
                    stack[stack.count - 1].repeated = !stack[stack.count - 1].names!.insert(name).inserted
                    stack[stack.count - 1].expectingName = false
                }
                index = end + 1
                continue
            }
            if index == offset { return stack.contains { $0.repeated } }
            switch byte {
            case UInt8(ascii: "{"): stack.append(Frame(names: [], expectingName: true))
            case UInt8(ascii: "["): stack.append(Frame(names: nil, expectingName: false))
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = stack.popLast()
            case UInt8(ascii: ",") where stack.last?.names != nil:
                stack[stack.count - 1].expectingName = true
                stack[stack.count - 1].repeated = false
            default: break
            }
            index += 1
        }
        return false
    }

    /// Compares the two parsers on `bytes`; returns the known difference seen, if any.
    @discardableResult
    static func compare(_ bytes: Data, _ name: @autoclosure () -> String,
                        sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        let new = parsed(bytes)
        let old = decoded(bytes)
        switch (new, old) {
        case (.success(let value), .some(let expected)) where JSONParserTests.identical(value, expected): return nil
        case (.failure, .none): return nil
        default:
            if let known = knownDifference(bytes, parsed: new, decoded: old) { return known }
            Issue.record("\(name()): parser \(new), JSONDecoder \(old.map { "\($0)" } ?? "refused") for \(Array(bytes.prefix(300)))",
                         sourceLocation: sourceLocation)
            return nil
        }
    }

    /// Every document the tests feed the parsers: each adapter's status fixtures, the other fixed bodies, and every
    /// seed of the fuzz targets (Tests/fuzz/corpus, documents and non-documents alike).
    static func fixtureCorpus() throws -> [(name: String, bytes: Data)] {
        var corpus: [(name: String, bytes: Data)] = []
        corpus += KlingAdapterTests.fixtures.map { ("kling: \($0.name)", Data($0.body.utf8)) }
        corpus += UnifiedAdapterTests.fixtures.map { ("unified: \($0.name)", Data($0.body.utf8)) }
        corpus += RouterOneAdapterTests.fixtures.map { ("routerone: \($0.name)", Data($0.body.utf8)) }
        corpus += OpenAIAdapterTests.statusFixtures.map { ("openai: \($0.name)", Data($0.body.utf8)) }
        corpus += ChatAdapterTests.replies.map { ("chat: \($0.name)", Data($0.body.utf8)) }
        corpus += [("library: completed", Data(OpenAILibraryAdapterTests.completed.utf8)),
                   ("library: failed", Data(OpenAILibraryAdapterTests.failed.utf8))]
        for dialect in Dialect.allCases {
            for id in TaskIDSegmentTests.refused + ["task_1", "a/b", "é"] {
                corpus.append(("\(dialect) submit answer", Data(TaskIDSegmentTests.submitAnswer(dialect, id: id).utf8)))
            }
        }
        let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fuzz/corpus")
        let files = try #require(FileManager.default.enumerator(at: seeds, includingPropertiesForKeys: nil))
        for case let file as URL in files where !file.hasDirectoryPath {
            corpus.append(("seed \(file.deletingLastPathComponent().lastPathComponent)/\(file.lastPathComponent)", try Data(contentsOf: file)))
        }
        return corpus
    }

    /// Hand-written documents, valid and not, at the edges of the grammar.
    static let edgeDocuments: [String] = [
        "null", "true", "false", "0", "-0", "-0.0", "0.0", "1.0", "1e2", "1E2", "1.5e1", "1e-2", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e308", "1e309",
        "1e-400", "4.9e-324", "2.5e-324", "9007199254740993", "9007199254740993.0", "9007199254740993.5", "1e18",
        "1.23456789012345678e2", "0.1", "100000000000000000000000.0", "1.0000000000000000001", "01", "-01", "1.", ".5",
        "+1", "-", "1e", "1e+", "0x10", "00", "Infinity", "NaN", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\":1 \"b\":2}",
        "{\"a\":1,\"a\":2}", "{\"a\":{\"x\":1},\"a\":[1]}", " \t\n\r1 \t\n\r", "\u{B}1", "\u{C}1", "\u{A0}1", "1 x", "1 2",
        "[] ", "{}x", "nul", "nulls", "truex", "True", "\"a\\u00e9b\"", "\"\\ud83d\\ude00\"", "\"\\ud800\"", "\"\\udc00\"",
        "\"\\ud800x\"", "\"\\ud800\\u0041\"", "\"\\u0000\"", "\"\\u00\"", "\"\\uzzzz\"", "\"\\/\\b\\f\\n\\r\\t\\\\\\\"\"",
        "\"\\a\"", "\"a\tb\"", "\"a\u{7F}b\"", "\"\u{1F}\"", "\"é\"", "\"\"", "'a'", "[", "]", "{\"a\"}", "{1:2}",
        "{\"a\":1", "\u{FEFF}1", "\u{FEFF}{\"a\":1}", "\u{FEFF}", "/*c*/1", "1//c", "\"\u{2028}\"", "\"e\u{301}\"", "",
        " ", "{\"\":1}", "[[[]]]", "[{}, [], \"\", 0, -1.5e-7, null]", "{\"a\":[{\"b\":[{\"c\":{}}]}]}",
    ]

    @Test("the fixtures and fuzz seeds parse to the same values as with JSONDecoder")
    func fixtures() throws {
        let corpus = try Self.fixtureCorpus()
        #expect(corpus.count > 150, "\(corpus.count) documents")
        var accepted = 0
        var differences: [String] = []
        for (name, bytes) in corpus {
            if let known = Self.compare(bytes, name) { differences.append("\(name): \(known)") }
            if case .success = Self.parsed(bytes) { accepted += 1 }
        }
        #expect(accepted > 100, "\(accepted) of \(corpus.count) accepted")
        // The one chosen difference among them is a seed written for it.
        #expect(differences == ["seed json_value/seed-06: trailing comma"])
    }

    @Test("edge documents parse alike, but for the chosen differences, each recognised")
    func edges() {
        var differences: [String: Int] = [:]
        for text in Self.edgeDocuments {
            if let known = Self.compare(Data(text.utf8), text.debugDescription) { differences[known, default: 0] += 1 }
        }
        #expect(differences == ["trailing comma": 2, "fraction beyond 2^53": 1])
        let chosen: [([UInt8], String)] = [
            ([0x31, 0x00], "UTF-16 or UTF-32"), ([0xFF, 0xFE, 0x31, 0x00], "UTF-16 or UTF-32"),
            (Array("9223372036854775807.0".utf8), "integer whose nearest Double is 2^63"),
            (Array("-9223372036854775808e0".utf8), "integer whose nearest Double is 2^63"),
            (Array("[-12345678901234567.5]".utf8), "fraction beyond 2^53"),
            (Array(#"{"a":1,"a":"\ud800"}"#.utf8), "a repeated member's value"),
            (Array(#"{"a":1,"b":{"a":1,"a":[1e999]}}"#.utf8), "a repeated member's value"),
            (Array(#"{"a":0,"a":""#.utf8) + [0xFF] + Array(#""}"#.utf8), "a repeated member's value"),
        ]
        for (bytes, known) in chosen {
            #expect(Self.compare(Data(bytes), "\(bytes)") == known)
        }
    }

    @Test("random documents (seeded) round-trip through both writers and parse as JSONDecoder parses them")
    func randomDocuments() throws {
        var random = SplitMix64(seed: 0x4A53_4F4E)
        for round in 0..<1_500 {
            let tree = RandomJSON.value(depth: 0, using: &random)
            let written = RandomJSON.write(tree, using: &random)
            let parsed = try JSONValue.parse(Data(written))
            #expect(JSONParserTests.identical(parsed, tree), "round \(round): \(String(decoding: written, as: UTF8.self))")
            #expect(JSONParserTests.identical(try JSONValue.parse(tree.serialized()), tree), "round \(round): \(tree.jsonText)")
            Self.compare(Data(written), "round \(round)")
        }
    }

    @Test("random mutations (seeded) of valid documents never crash, and agree with JSONDecoder but for the chosen differences")
    func mutations() throws {
        var random = SplitMix64(seed: 0xF022)
        var bases = try Self.fixtureCorpus().map(\.bytes).filter { (try? JSONValue.parse($0)) != nil }.map { Array($0) }
        for _ in 0..<100 { bases.append(RandomJSON.write(RandomJSON.value(depth: 2, using: &random), using: &random)) }
        var outcomes: [String: Int] = [:]
        for base in bases {
            for _ in 0..<30 {
                let mutated = Data(RandomJSON.mutate(base, using: &random))
                let outcome: String
                if let known = Self.compare(mutated, "mutation of \(String(decoding: base, as: UTF8.self))") {
                    outcome = known
                } else {
                    outcome = (try? JSONValue.parse(mutated)) == nil ? "refused by both" : "accepted by both"
                }
                outcomes[outcome, default: 0] += 1
            }
        }
        #expect(outcomes["refused by both", default: 0] > 1_000, "\(outcomes)")
        #expect(outcomes["accepted by both", default: 0] > 1_000, "\(outcomes)")
    }
}

/// Seeded random JSON: trees, texts written with random (valid) spellings, and byte mutations.
enum RandomJSON {
    /// A random value; containers below depth 5.
    static func value(depth: Int, using random: inout SplitMix64) -> JSONValue {
        switch Int.random(in: 0...(depth < 5 ? 9 : 6), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .int(integer(using: &random))
        case 3: return .double(double(using: &random))
        case 4, 5, 6: return .string(string(using: &random))
        case 7: return .array((0..<Int.random(in: 0...6, using: &random)).map { _ in value(depth: depth + 1, using: &random) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                members[string(using: &random)] = value(depth: depth + 1, using: &random)
            }
            return .object(members)
        }
    }

    static func integer(using random: inout SplitMix64) -> Int64 {
        switch Int.random(in: 0...4, using: &random) {
        case 0: return Int64.random(in: -100...100, using: &random)
        case 1: return [Int64.min, .max, .min + 1, .max - 1, 1 << 53, (1 << 53) + 1, -(1 << 53) - 1, 0].randomElement(using: &random)!
        default: return Int64(bitPattern: random.next()) >> Int.random(in: 0...63, using: &random)
        }
    }

    /// A finite Double that reads back as a Double: not an integer below 2^64 (those read back as integers).
    static func double(using random: inout SplitMix64) -> Double {
        while true {
            let candidate: Double
            switch Int.random(in: 0...2, using: &random) {
            case 0: candidate = Double(bitPattern: random.next())
            case 1: candidate = Double(Int.random(in: -1_000_000...1_000_000, using: &random)) / 64 + 1.0 / 128
            default: candidate = Double.random(in: -1...1, using: &random) * pow(10, Double(Int.random(in: -320...300, using: &random)))
            }
            guard candidate.isFinite else { continue }
            if candidate.rounded(.towardZero) == candidate && candidate.magnitude < 0x1p64 { continue }
            return candidate
        }
    }

    /// Scalars from every class the parser treats apart: ASCII, controls, the escapes' characters, 2-, 3- and 4-byte
    /// UTF-8, U+2028, the byte order mark, noncharacters.
    static func string(using random: inout SplitMix64) -> String {
        let classes: [ClosedRange<UInt32>] = [0x20...0x7E, 0x20...0x7E, 0x00...0x1F, 0x22...0x22, 0x5C...0x5C, 0x2F...0x2F,
                                              0x7F...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF,
                                              0x2028...0x2029, 0xFEFF...0xFEFF, 0xFDD0...0xFDEF]
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &random) {
            text.append(Unicode.Scalar(UInt32.random(in: classes.randomElement(using: &random)!, using: &random))!)
        }
        return String(text)
    }

    /// `value` as JSON text with random whitespace, escapes where none are needed, and integers spelled with a
    /// fraction or an exponent.
    static func write(_ value: JSONValue, using random: inout SplitMix64) -> [UInt8] {
        var out: [UInt8] = []
        write(value, into: &out, using: &random)
        out += space(using: &random)
        return out
    }

    private static func space(using random: inout SplitMix64) -> [UInt8] {
        Array(["", "", "", " ", "\n", "\t", "\r\n  ", " \t"].randomElement(using: &random)!.utf8)
    }

    private static func write(_ value: JSONValue, into out: inout [UInt8], using random: inout SplitMix64) {
        out += space(using: &random)
        switch value {
        case .null: out += Array("null".utf8)
        case .bool(let flag): out += Array((flag ? "true" : "false").utf8)
        case .int(let integer):
            let digits = String(integer)
            switch Int.random(in: 0...5, using: &random) {
            case 0: out += Array((digits + ".0").utf8)
            case 1: out += Array((digits + ["e0", "E+0", "e-0", ".000e0"].randomElement(using: &random)!).utf8)
            case 2 where integer.magnitude >= 10 && integer % 10 == 0: out += Array((String(integer / 10) + "e1").utf8)
            default: out += Array(digits.utf8)
            }
        case .double(let number): out += Array("\(number)".utf8)
        case .string(let text): writeString(text, into: &out, using: &random)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out += space(using: &random) + [UInt8(ascii: ",")] }
                write(element, into: &out, using: &random)
            }
            out += space(using: &random) + [UInt8(ascii: "]")]
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, (key, member)) in members.enumerated() {
                if index > 0 { out += space(using: &random) + [UInt8(ascii: ",")] }
                out += space(using: &random)
                writeString(key, into: &out, using: &random)
                out += space(using: &random) + [UInt8(ascii: ":")]
                write(member, into: &out, using: &random)
            }
            out += space(using: &random) + [UInt8(ascii: "}")]
        }
    }

    private static func writeString(_ text: String, into out: inout [UInt8], using random: inout SplitMix64) {
        func hex(_ unit: UInt32) -> [UInt8] {
            let digits = String(unit, radix: 16, uppercase: Bool.random(using: &random))
            return Array(("\\u" + String(repeating: "0", count: 4 - digits.count) + digits).utf8)
        }
        let short: [UInt32: String] = [0x22: "\\\"", 0x5C: "\\\\", 0x08: "\\b", 0x0C: "\\f", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x2F: "\\/"]
        out.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let mustEscape = value < 0x20 || value == 0x22 || value == 0x5C
            if (mustEscape || Int.random(in: 0..<5, using: &random) == 0), let escape = short[value], Bool.random(using: &random) {
                out += Array(escape.utf8)
            } else if mustEscape || Int.random(in: 0..<5, using: &random) == 0 {
                if value >= 0x10000 {
                    let offset = value - 0x10000
                    out += hex(0xD800 + (offset >> 10)) + hex(0xDC00 + (offset & 0x3FF))
                } else {
                    out += hex(value)
                }
            } else {
                out += Array(String(scalar).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `bytes` with one to three random edits: a byte replaced, inserted or deleted (often one the grammar cares
    /// about), a range duplicated or dropped, two bytes swapped, the end cut.
    static func mutate(_ bytes: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        let interesting = Array(#"{}[],:"\/0123456789-+.eEnultrfasu "#.utf8) + [0x00, 0x09, 0x0A, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xFE, 0xFF]
        var bytes = bytes
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let byte = Bool.random(using: &random) ? interesting.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            guard !bytes.isEmpty else { bytes.append(byte); continue }
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0...6, using: &random) {
            case 0: bytes[at] = byte
            case 1: bytes.insert(byte, at: at)
            case 2: bytes.remove(at: at)
            case 3:
                let end = min(bytes.count, at + Int.random(in: 1...16, using: &random))
                bytes.insert(contentsOf: bytes[at..<end], at: end)
            case 4: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &random)))
            case 5: bytes.swapAt(at, Int.random(in: 0..<bytes.count, using: &random))
            default: bytes.removeLast(Int.random(in: 0...(bytes.count - at), using: &random))
            }
        }
        return bytes
    }
}
