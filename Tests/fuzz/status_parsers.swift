// Fuzz target status_parsers: arbitrary bytes as the body of a 200 answer, read by parseSubmit and parseStatus of
// every dialect adapter (Dialect.allCases), and by the list, delete and remix parsers of those that have them. Thrown errors are the expected outcome for garbage; a crash, a trap
// (overflow, out-of-range index, force unwrap) or a report with progress outside 0...100 is a finding.
import Foundation
@testable import VideoGen

private let baseURL = URL(string: "https://fuzz.example.com")!
private let adapters = Dialect.allCases.map(\.adapter)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStatusParsers(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Data(bytes: data, count: size)
    let response = HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: body)
    for adapter in adapters {
        for report in [try? adapter.parseSubmit(response, baseURL: baseURL),
                       try? adapter.parseStatus(response, taskID: "task_fuzz", baseURL: baseURL)] {
            guard let report else { continue }
            if let progress = report.progress, !(0...100).contains(progress) {
                fatalError("\(adapter.dialect): progress \(progress) outside 0...100")
            }
        }
        if let library = adapter as? any VideoLibraryAdapter {
            let listed = (try? library.parseList(response, baseURL: baseURL))?.items ?? []
            for report in listed + [try? library.parseRemix(response, baseURL: baseURL)].compactMap({ $0 }) {
                if let progress = report.progress, !(0...100).contains(progress) {
                    fatalError("\(adapter.dialect): progress \(progress) outside 0...100")
                }
            }
            try? library.parseDelete(response, taskID: "task_fuzz")
        }
    }
    return 0
}
