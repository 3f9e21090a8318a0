import Foundation
import Synchronization
@testable import VideoGen

/// Serves one body the way a file server does, in memory and deterministically: a strong ETag, `Range: bytes=N-`
/// honoured (206) unless `If-Range` names another validator (200, the whole body), 416 past the end. The first
/// answers can be cut after a number of body bytes (a dropped connection).
final class BlobTransport: HTTPTransport {
    let body: Data
    let etag: String
    private let cuts: Mutex<[Int]>
    private let sent = Mutex<[HTTPRequest]>([])

    /// - Parameter cuts: for each of the first answers, the body bytes delivered before the connection drops.
    init(body: Data, etag: String = "\"blob-v1\"", cuts: [Int] = []) {
        self.body = body
        self.etag = etag
        self.cuts = Mutex(cuts)
    }

    /// The requests received so far.
    var requests: [HTTPRequest] { sent.withLock { $0 } }

    func stream(_ request: HTTPRequest, timeout: Double, progressBytes: Int64, sink: any ResponseSink) async throws -> HTTPResponseHead {
        sent.withLock { $0.append(request) }
        var start = 0
        var headers = ["etag": etag]
        let status: Int
        if let range = request.header("Range"), range.hasPrefix("bytes="), range.hasSuffix("-"),
           let first = Int(range.dropFirst(6).dropLast()), request.header("If-Range").map({ $0 == etag }) ?? true {
            if first >= body.count {
                let head = HTTPResponseHead(status: 416, headers: ["content-range": "bytes */\(body.count)"], url: request.url)
                try sink.receive(head: head)
                return head
            }
            start = first
            status = 206
            headers["content-range"] = "bytes \(first)-\(body.count - 1)/\(body.count)"
        } else {
            status = 200
        }
        headers["content-length"] = "\(body.count - start)"
        let head = HTTPResponseHead(status: status, headers: headers, url: request.url)
        try sink.receive(head: head)
        var rest = body.dropFirst(start)
        if let cut = cuts.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            try sink.receive(data: Data(rest.prefix(cut)))
            throw VideoGenError(.network, "the connection was reset")
        }
        while !rest.isEmpty {
            try sink.receive(data: Data(rest.prefix(65536)))
            rest = rest.dropFirst(65536)
        }
        return head
    }
}
