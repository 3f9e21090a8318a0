import Foundation
import Testing
@testable import VideoGen

@Suite("JSONValue")
struct JSONValueTests {
    @Test("parses every JSON type and keeps big integers exact")
    func parsesTypes() throws {
        let value = try JSONValue.parse(#"{"a":null,"b":true,"c":9007199254740993,"d":1.5,"e":"x","f":[1,"y"],"g":{"h":false}}"#)
        #expect(value["a"] == .null)
        #expect(value["b"] == .bool(true))
        #expect(value["c"] == .int(9_007_199_254_740_993))
        #expect(value["d"] == .double(1.5))
        #expect(value["e"] == .string("x"))
        #expect(value["f"] == .array([.int(1), .string("y")]))
        #expect(value["g"]?["h"] == .bool(false))
    }

    @Test("malformed documents give invalidJSON", arguments: ["", "{", "{\"a\":}", "nul", "{\"a\" 1}", "\u{1}"])
    func malformed(_ text: String) {
        expectError(.invalidJSON) { _ = try JSONValue.parse(text) }
    }

    @Test("deep nesting is an error, not a crash")
    func deepNesting() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        expectError(.invalidJSON) { _ = try JSONValue.parse(text) }
    }

    @Test("serialises with sorted keys and round-trips")
    func roundTrip() throws {
        let value: JSONValue = ["b": 1, "a": ["x", nil, true, 2.5]]
        #expect(value.jsonText == #"{"a":["x",null,true,2.5],"b":1}"#)
        #expect(try JSONValue.parse(value.jsonText) == value)
    }

    @Test("intValue accepts integral floats only")
    func intValue() {
        #expect(JSONValue.double(4.0).intValue == 4)
        #expect(JSONValue.double(4.5).intValue == nil)
        #expect(JSONValue.double(1e300).intValue == nil)
        #expect(JSONValue.string("4").intValue == nil)
    }
}
