// Fuzz target content_range: arbitrary text for ContentRange.init. A parsed range must be well formed:
// first and last both set or both nil, first <= last, last < total when the total is known, nothing negative,
// and the unsatisfied form (no first/last) always carries a total.
import Foundation
@testable import VideoGen

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzContentRange(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let range = ContentRange(text) else { return 0 }
    switch (range.first, range.last) {
    case let (first?, last?):
        precondition(first >= 0 && first <= last, "bad bounds \(first)-\(last) from \(text.debugDescription)")
        if let total = range.total { precondition(last < total, "last \(last) >= total \(total) from \(text.debugDescription)") }
    case (nil, nil):
        precondition(range.total != nil, "unsatisfied form without a total from \(text.debugDescription)")
    default:
        preconditionFailure("only one bound set from \(text.debugDescription)")
    }
    if let total = range.total { precondition(total >= 0, "negative total from \(text.debugDescription)") }
    return 0
}
