import Foundation
import Testing
@testable import VideoGen

@Suite("response head parser")
struct ResponseHeadParserTests {
    /// Feeds `lines` (each given without its CR LF) and returns the last event.
    func feed(_ lines: [String], into parser: inout ResponseHeadParser) throws -> ResponseHeadParser.Event {
        var last = ResponseHeadParser.Event.more
        for line in lines {
            let bytes = Array((line + "\r\n").utf8)
            last = try bytes.withUnsafeBytes { try parser.feed($0) }
        }
        return last
    }

    func feed(_ lines: [String]) throws -> ResponseHeadParser.Event {
        var parser = ResponseHeadParser()
        return try feed(lines, into: &parser)
    }

    @Test("status lines: with and without a reason phrase, any case of HTTP, HTTP/2 as libcurl writes it")
    func statusLines() throws {
        #expect(try feed(["HTTP/1.1 200 OK", "Content-Type: application/json", ""]) == .complete(status: 200, headers: ["content-type": "application/json"]))
        #expect(try feed(["HTTP/1.1 200", ""]) == .complete(status: 200, headers: [:]))
        #expect(try feed(["http/1.1 404 Not Found", ""]) == .complete(status: 404, headers: [:]))
        #expect(try feed(["HTTP/2 204 ", ""]) == .complete(status: 204, headers: [:]))
        #expect(try feed(["HTTP/1.0 503 Service Unavailable", "Retry-After:  7 ", ""]) == .complete(status: 503, headers: ["retry-after": "7"]))
    }

    @Test("malformed status lines are protocol errors")
    func badStatusLines() {
        for line in ["FOO/1.1 200 OK", "HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1200 OK", "HTTP/x.1 200 OK", "HTTP/1.1 099 X", ""] {
            expectError(.protocolError) { _ = try feed([line]) }
        }
    }

    @Test("repeated fields are joined; names are lower-cased; values trimmed")
    func repeatedFields() throws {
        let event = try feed(["HTTP/1.1 200 OK", "Vary: a", "VARY:\tb ", "X-Empty:", ""])
        #expect(event == .complete(status: 200, headers: ["vary": "a, b", "x-empty": ""]))
    }

    @Test("interim heads are skipped, up to a limit; the final head follows")
    func interim() throws {
        var parser = ResponseHeadParser()
        #expect(try feed(["HTTP/1.1 100 Continue", ""], into: &parser) == .interim(status: 100))
        #expect(try feed(["HTTP/1.1 103 Early Hints", "Link: </a>", ""], into: &parser) == .interim(status: 103))
        #expect(try feed(["HTTP/1.1 201 Created", "Location: /v1/x", ""], into: &parser) == .complete(status: 201, headers: ["location": "/v1/x"]))
        var flooded = ResponseHeadParser()
        let error = expectError(.protocolError) {
            for _ in 0...ResponseHeadParser.maxInterimHeads { _ = try feed(["HTTP/1.1 100 Continue", ""], into: &flooded) }
        }
        #expect(error?.message.contains("interim") == true)
    }

    @Test("obs-fold, lines without a colon, bad field names and oversized heads are refused")
    func refused() {
        let folded = expectError(.protocolError) { _ = try feed(["HTTP/1.1 200 OK", "X-A: one", " two", ""]) }
        #expect(folded?.message.contains("obs-fold") == true)
        expectError(.protocolError) { _ = try feed(["HTTP/1.1 200 OK", "no colon here", ""]) }
        expectError(.protocolError) { _ = try feed(["HTTP/1.1 200 OK", ": empty name", ""]) }
        expectError(.protocolError) { _ = try feed(["HTTP/1.1 200 OK", "Bad Name: x", ""]) }
        let big = String(repeating: "a", count: 1000)
        let oversized = expectError(.protocolError) {
            _ = try feed(["HTTP/1.1 200 OK"] + (0..<70).map { "X-\($0): \(big)" } + [""])
        }
        #expect(oversized?.message.contains("exceeds") == true)
    }

    @Test("trailers after the head are read and ignored, within a bound")
    func trailers() throws {
        var parser = ResponseHeadParser()
        _ = try feed(["HTTP/1.1 200 OK", "Transfer-Encoding: chunked", ""], into: &parser)
        #expect(try feed(["X-Checksum: abc", ""], into: &parser) == .more)
    }
}
