// Fuzz target client_config: arbitrary bytes as a configuration document, read by
// ClientConfiguration(json:environment:) with a fixed environment (so that "api_key_env": "VG_FUZZ_KEY" resolves),
// as vg_client_create does. Refusals are thrown errors; crashes are findings.
import Foundation
@testable import VideoGen

private let environment = ["VG_FUZZ_KEY": "sk-fuzz-key", "EMPTY_KEY": ""]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClientConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let json = try? JSONValue.parse(Data(bytes: data, count: size)) else { return 0 }
    _ = try? ClientConfiguration(json: json, environment: environment)
    return 0
}
