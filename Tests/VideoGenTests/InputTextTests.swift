import Foundation
import Testing
@testable import VideoGen

/// Issue 11, point 9 (and the path half of point 7): text handed over as bytes (the C API's `char *`) is taken
/// only as valid UTF-8, never repaired with U+FFFD; a JSON document names the field that holds the bad bytes.
@Suite("input text that is not UTF-8")
struct InputTextTests {
    /// `prefix` (with each "§" standing for the noncharacter U+FDD0, which a literal cannot hold), then `bad`, then
    /// `suffix`, as bytes.
    func bytes(_ prefix: String, _ bad: [UInt8], _ suffix: String) -> Data {
        let noncharacter = String(Unicode.Scalar(0xFDD0 as UInt32)!)
        return Data(prefix.replacingOccurrences(of: "§", with: noncharacter).utf8) + Data(bad) + Data(suffix.utf8)
    }

    @Test("a request's prompt, model or nested field with bytes that are not UTF-8 is refused naming the field",
          arguments: [
            (#"{"model":"sora-2","prompt":"a fox"#, [0xFF], #""}"#, "request field 'prompt'"),
            (#"{"model":"sora"#, [0xC3], #"","prompt":"p"}"#, "request field 'model'"),
            (#"{"model":"m","prompt":"p","metadata":{"note":["ok","x"#, [0xE2, 0x82], #""]}}"#, "request field 'metadata.note[1]'"),
            // A noncharacter in the input, literal or escaped (the marker's first choices), does not confuse the naming.
            (#"{"model":"m§\ufdd1","prompt":"p"#, [0xFF], #""}"#, "request field 'prompt'"),
          ] as [(String, [UInt8], String, String)])
    func requestFieldNamed(_ prefix: String, _ bad: [UInt8], _ suffix: String, _ expected: String) throws {
        let error = expectError(.invalidArgument) { _ = try InputText.json(bytes(prefix, bad, suffix), document: "request") }
        #expect(error?.message.hasPrefix(expected + " is not valid UTF-8") == true, "\(error?.message ?? "")")
    }

    @Test("a member name, or bytes outside any string, are refused too; valid text (U+FFFD written as such included) passes unchanged")
    func otherPlaces() throws {
        let name = expectError(.invalidArgument) {
            _ = try InputText.json(bytes(#"{"model":"m","metadata":{"k"#, [0xFF], #"":1}}"#), document: "request")
        }
        #expect(name?.message.hasPrefix("request field 'metadata' has a member name that is not valid UTF-8") == true, "\(name?.message ?? "")")
        let outside = expectError(.invalidArgument) {
            _ = try InputText.json(bytes(#"{"model":"m"}"#, [0xFF], ""), document: "configuration")
        }
        #expect(outside?.message.hasPrefix("the configuration is not valid UTF-8 (byte 13)") == true, "\(outside?.message ?? "")")
        let valid = try InputText.json(Data(#"{"prompt":"a \#u{FFFD} fox, 狐"}"#.utf8), document: "request")
        #expect(valid["prompt"]?.stringValue == "a \u{FFFD} fox, 狐")
        // An escaped lone surrogate is not text either: refused as JSON, not substituted.
        expectError(.invalidJSON) { _ = try InputText.json(Data(#"{"prompt":"a\ud800b"}"#.utf8), document: "request") }
    }

    @Test("a path or a name that is not UTF-8 is refused with its name and the offset of the first bad byte")
    func plainText() throws {
        let bad = Array("/tmp/v".utf8) + [0xFF] + Array(".mp4".utf8)
        let error = expectError(.invalidArgument) {
            _ = try bad.withUnsafeBytes { try InputText.decode($0, name: "path") }
        }
        #expect(error?.message.hasPrefix("path is not valid UTF-8 (byte 6)") == true, "\(error?.message ?? "")")
        let good = Array("/tmp/vidéo.mp4".utf8)
        #expect(try good.withUnsafeBytes { try InputText.decode($0, name: "path") } == "/tmp/vidéo.mp4")
        // Overlong and surrogate encodings are not UTF-8 either.
        for sequence: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]] {
            #expect(sequence.withUnsafeBytes { InputText.firstInvalidOffset($0) } == 0)
        }
    }
}
