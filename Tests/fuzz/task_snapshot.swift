// Fuzz target task_snapshot: arbitrary bytes as a task record, read by TaskSnapshot(json:), as vg_client_resume
// does. A record that is accepted must survive a round trip: its own `json` must be accepted again (a record the
// library writes is one it can resume).
import Foundation
@testable import VideoGen

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTaskSnapshot(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let json = try? JSONValue.parse(Data(bytes: data, count: size)),
          let snapshot = try? TaskSnapshot(json: json) else { return 0 }
    let written = snapshot.json
    do {
        _ = try TaskSnapshot(json: written)
        _ = try TaskSnapshot(json: try JSONValue.parse(written.serialized()))
    } catch {
        fatalError("a record read from \(json.jsonText) wrote \(written.jsonText), which is refused: \(error)")
    }
    return 0
}
