import Foundation
import Synchronization
import Testing
@testable import VideoGen

/// A one-shot HTTP/1.1 server on loopback that sends `size` bytes as fast as the socket takes them and counts
/// what its writes handed to the kernel.
final class BlobServer: @unchecked Sendable {
    // Unchecked: `listener`, `port` and `size` are set in init; `sent` is atomic.
    let size: Int
    let sent = Atomic<Int>(0)
    let done = Atomic<Bool>(false)
    private let listener: Int32
    let port: UInt16

    var url: URL { URL(string: "http://127.0.0.1:\(port)/blob")! }

    init(size: Int) throws {
        self.size = size
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw VideoGenError(.internal, "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        guard bound == 0, listen(listener, 1) == 0 else {
            close(listener)
            throw VideoGenError(.internal, "bind/listen failed")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    deinit {
        close(listener)
    }

    private func serve() {
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return }
        defer {
            close(connection)
            done.store(true, ordering: .sequentiallyConsistent)
        }
        var request = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.suffix(4).elementsEqual([13, 10, 13, 10]) {
            let count = read(connection, &buffer, buffer.count)
            if count <= 0 { return }
            request += buffer[0..<count]
        }
        let head = Array("HTTP/1.1 200 OK\r\nContent-Length: \(size)\r\nContent-Type: video/mp4\r\nConnection: close\r\n\r\n".utf8)
        guard write(connection, head, head.count) == head.count else { return }
        let piece = [UInt8](repeating: 0x5A, count: 256 << 10)
        var remaining = size
        while remaining > 0 {
            let count = piece.withUnsafeBytes { write(connection, $0.baseAddress!, min(remaining, piece.count)) }
            if count <= 0 { return }
            remaining -= count
            sent.add(count, ordering: .sequentiallyConsistent)
        }
    }
}

/// A bulk sink that consumes slowly and records how far ahead of it the server got.
final class SlowBulkSink: ResponseSink, @unchecked Sendable {
    // Unchecked: the transport calls a sink one call at a time; the counters are read after the request ended.
    let server: BlobServer
    var received = 0
    var maxLag = 0
    var sinceSleep = 0
    let bulk: Bool

    init(server: BlobServer, bulk: Bool = true) {
        self.server = server
        self.bulk = bulk
    }

    var isBulk: Bool { bulk }

    func receive(head: HTTPResponseHead) throws {}

    func receive(data: Data) throws {
        received += data.count
        maxLag = max(maxLag, server.sent.load(ordering: .sequentiallyConsistent) - received)
        sinceSleep += data.count
        if sinceSleep >= 1 << 20 {
            sinceSleep = 0
            usleep(8000)  // about 120 MB/s: far slower than loopback
        }
    }
}

@Suite("download transport: flow control")
struct TransportFlowControlTests {
    @Test("a slow download sink holds the server back: it never gets more than the socket buffers ahead (bounded memory)")
    func boundedLag() async throws {
        let size = 192 << 20
        let server = try BlobServer(size: size)
        let sink = SlowBulkSink(server: server)
        let head = try await CurlTransport.shared.stream(HTTPRequest(method: "GET", url: server.url), timeout: 30,
                                                               progressBytes: 1, sink: sink)
        #expect(head.status == 200)
        #expect(sink.received == size)
        // Kernel socket buffers on loopback (send up to 4 MiB, receive autotuned up to 32 MiB here) plus libcurl's
        // 512 KiB buffer bound the lag; without flow control the server is done long before the sink (lag ≈ size).
        #expect(sink.maxLag < 96 << 20, "the server ran \(sink.maxLag >> 20) MiB ahead of the sink")
    }
}
