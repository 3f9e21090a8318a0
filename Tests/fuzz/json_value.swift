// Fuzz target json_value: arbitrary bytes given to JSONValue.parse (JSONParser), as every body, request,
// configuration and record is. Refusals are thrown errors; a crash, a trap or a broken invariant is a finding:
// - a document the parser accepts is one JSONDecoder (the parser it replaced) accepted too, with the same value but
//   for the numbers the two read differently on purpose (JSONEquivalenceTests lists them);
// - its serialisation parses again to a value numerically equal to it, and a second round changes nothing;
// - bytes that are UTF-8 parse alike as Data and as String.
import Foundation
@testable import VideoGen

/// Equal, with an integer and a Double equal when they are the same number.
private func numericallyEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return Double(x) == y
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(numericallyEqual)
    case (.object(let x), .object(let y)):
        return x.count == y.count && x.allSatisfy { key, value in y[key].map { numericallyEqual(value, $0) } ?? false }
    default: return a == b
    }
}

/// The parser's value against JSONDecoder's: equal, but for an integer it kept exact where JSONDecoder made it ±2^63
/// and a fraction beyond 2^53 it kept as a Double where JSONDecoder truncated it.
private func matchesDecoder(_ new: JSONValue, _ old: JSONValue) -> Bool {
    switch (new, old) {
    case (.int(let integer), .double(let double)): return double.magnitude == 0x1p63 && Double(integer) == double
    case (.double(let double), .int(let integer)):
        return double.magnitude >= 0x1p53 && double.magnitude < 0x1p63 && (Double(integer) - double).magnitude <= double.ulp
    case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(matchesDecoder)
    case (.object(let x), .object(let y)):
        return x.count == y.count && x.allSatisfy { key, value in y[key].map { matchesDecoder(value, $0) } ?? false }
    default: return new == old
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONValue(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    let parsed = try? JSONValue.parse(bytes)
    if let text = String(validating: bytes, as: UTF8.self), (try? JSONValue.parse(text)) != parsed {
        fatalError("the same UTF-8 parses differently as Data and as String")
    }
    guard let value = parsed else { return 0 }
    guard let old = try? JSONDecoder().decode(JSONValue.self, from: bytes) else {
        fatalError("accepted a document JSONDecoder refused: \(value)")
    }
    if !matchesDecoder(value, old) { fatalError("parsed \(value), JSONDecoder \(old)") }
    let again: JSONValue
    do {
        again = try JSONValue.parse(value.serialized())
    } catch {
        fatalError("the serialisation of \(value) is refused: \(error)")
    }
    if !numericallyEqual(again, value) { fatalError("\(value) came back as \(again)") }
    if (try? JSONValue.parse(again.serialized())) != again { fatalError("a second round trip of \(again) changed it") }
    return 0
}
