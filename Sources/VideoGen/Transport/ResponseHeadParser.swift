/// Reads a response head line by line, as libcurl hands the lines over: the status line, header fields, the
/// blank line that ends the head; interim 1xx heads before the final one; trailers after a chunked body.
///
/// Pure: no I/O, so every hostile form is tested on its own. What it accepts is RFC 9112's (a status line with or
/// without a reason phrase, any case of `HTTP`, HTTP/2 and /3 status lines as libcurl writes them); what it refuses,
/// it refuses as `.protocolError`: header folding (obs-fold), a line that is neither a field nor a status line, a
/// head over `maxHeadBytes`, more than `maxInterimHeads` interim heads (a `100 Continue` flood).
struct ResponseHeadParser: Sendable {
    /// Largest head accepted (all its lines, the interim heads before it included).
    static let maxHeadBytes = 64 * 1024
    /// Most interim (1xx) heads accepted before the final one.
    static let maxInterimHeads = 8

    /// What one line meant.
    enum Event: Equatable, Sendable {
        /// The line belongs to a head still being read (or is a trailer after the body).
        case more
        /// An interim head (1xx) ended; the final head follows.
        case interim(status: Int)
        /// The final head ended.
        case complete(status: Int, headers: [String: String])
    }

    private var status: Int?
    private var fields: [String: String] = [:]
    private var headBytes = 0
    private var interimHeads = 0
    private var finished = false

    /// Reads one line (with its CR LF, as libcurl gives it).
    /// - Throws: `.protocolError` for what a head must not hold.
    mutating func feed(_ line: UnsafeRawBufferPointer) throws -> Event {
        if finished {
            // Trailers of a chunked body: bounded, otherwise ignored.
            headBytes += line.count
            if headBytes > ResponseHeadParser.maxHeadBytes * 2 {
                throw VideoGenError(.protocolError, "the answer's trailers exceed \(ResponseHeadParser.maxHeadBytes) bytes")
            }
            return .more
        }
        headBytes += line.count
        guard headBytes <= ResponseHeadParser.maxHeadBytes else {
            throw VideoGenError(.protocolError, "the answer's head exceeds \(ResponseHeadParser.maxHeadBytes) bytes")
        }
        var end = line.count
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        let text = UnsafeRawBufferPointer(rebasing: line[0..<end])
        guard let status else {
            self.status = try ResponseHeadParser.statusCode(of: text)
            return .more
        }
        if text.isEmpty {
            if (100..<200).contains(status) && status != 101 {
                interimHeads += 1
                guard interimHeads <= ResponseHeadParser.maxInterimHeads else {
                    throw VideoGenError(.protocolError, "the service sent more than \(ResponseHeadParser.maxInterimHeads) interim (1xx) answers")
                }
                self.status = nil
                fields = [:]
                return .interim(status: status)
            }
            finished = true
            return .complete(status: status, headers: fields)
        }
        if text[0] == 0x20 || text[0] == 0x09 {
            throw VideoGenError(.protocolError, "the answer folds a header line (obs-fold), which HTTP/1.1 no longer allows")
        }
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")), colon > 0,
              text[0..<colon].allSatisfy(ResponseHeadParser.isTokenByte) else {
            throw VideoGenError(.protocolError, "the answer's head holds a line that is not a header field")
        }
        let name = String(decoding: text[0..<colon], as: UTF8.self).lowercased()
        var valueStart = colon + 1
        var valueEnd = text.count
        while valueStart < valueEnd, text[valueStart] == 0x20 || text[valueStart] == 0x09 { valueStart += 1 }
        while valueEnd > valueStart, text[valueEnd - 1] == 0x20 || text[valueEnd - 1] == 0x09 { valueEnd -= 1 }
        let value = String(decoding: text[valueStart..<valueEnd], as: UTF8.self)
        if let existing = fields[name] {
            fields[name] = existing + ", " + value
        } else {
            fields[name] = value
        }
        return .more
    }

    /// The status code of a status line: `HTTP/<version> <3 digits>[ <reason>]`, any case of `HTTP`.
    static func statusCode(of line: UnsafeRawBufferPointer) throws -> Int {
        let bytes = Array(line)
        func refuse() -> VideoGenError {
            VideoGenError(.protocolError, "the answer does not start with an HTTP status line")
        }
        guard bytes.count >= 10, bytes[0...4].map({ $0 | 0x20 }) == Array("http/".utf8) else { throw refuse() }
        guard let space = bytes.firstIndex(of: 0x20), space > 5,
              bytes[5..<space].allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }) else { throw refuse() }
        let digits = bytes[(space + 1)...].prefix(3)
        guard digits.count == 3, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              bytes.count == space + 4 || bytes[space + 4] == 0x20 else { throw refuse() }
        let code = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard code >= 100 else { throw refuse() }
        return code
    }

    /// RFC 9110 token characters (field names).
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        // ! # $ % & ' * + - . ^ _ ` | ~
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
        default: return false
        }
    }
}
