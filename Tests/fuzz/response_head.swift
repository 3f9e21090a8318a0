// Fuzz target response_head: arbitrary bytes, split into lines at LF, fed to the transport's ResponseHeadParser as
// libcurl would hand them over. Never a crash; a completed head has a status of three digits (100-999) and
// lower-case field names; the bytes accepted stay within the head limit.
import Foundation
@testable import VideoGen

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponseHead(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var parser = ResponseHeadParser()
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var start = 0
    var fed = 0
    while start < size {
        let end = (bytes[start...].firstIndex(of: 0x0A) ?? (size - 1)) + 1
        fed += end - start
        let event: ResponseHeadParser.Event
        do {
            event = try parser.feed(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<end])))
        } catch let error as VideoGenError {
            precondition(error.code == .protocolError, "unexpected code \(error.code)")
            return 0
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
        if case .complete(let status, let headers) = event {
            precondition((100...999).contains(status), "status \(status)")
            precondition(headers.keys.allSatisfy { $0 == $0.lowercased() && !$0.isEmpty }, "field names \(headers.keys)")
            precondition(fed <= ResponseHeadParser.maxHeadBytes, "accepted \(fed) bytes")
        }
        start = end
    }
    return 0
}
