// Fuzz target video_request: arbitrary bytes as a request document, read by VideoRequest(json:), as
// vg_client_submit does (JSONValue.parse, then the reader). Refusals are thrown errors; crashes are findings.
import Foundation
@testable import VideoGen

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVideoRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let json = try? JSONValue.parse(Data(bytes: data, count: size)) else { return 0 }
    _ = try? VideoRequest(json: json)
    return 0
}
