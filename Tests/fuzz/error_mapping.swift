// Fuzz target error_mapping: an arbitrary non-2xx answer (first two bytes: the HTTP status, big-endian; the rest:
// the body) given to ErrorMapping.error(from:) and to the error(from:) of every dialect adapter. It must always
// give an error, never crash.
import Foundation
@testable import VideoGen

private let adapters = Dialect.allCases.map(\.adapter)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzErrorMapping(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let status = Int(data[0]) << 8 | Int(data[1])
    let body = Data(bytes: data + 2, count: size - 2)
    let response = HTTPResponse(status: status, headers: [:], body: body)
    _ = ErrorMapping.error(from: response, now: Date(timeIntervalSince1970: 1_700_000_000))
    if let json = try? JSONValue.parse(body) { _ = ErrorMapping.extract(json) }
    for adapter in adapters {
        _ = adapter.error(from: response)
    }
    return 0
}
