import FoundationEssentials

/// A task id as exactly one URL path segment: the one helper every adapter uses to put an id into a path.
///
/// Ids come from the services, so they are hostile input. Per kind of id:
/// - refused (`problem(_:)` says why; the client refuses such an answer with `.protocolError` and such a record
///   with `.invalidArgument`, before anything is requested): the empty id (`/v1/videos/` is another resource),
///   `.` and `..` (dot segments: URL resolvers and libcurl collapse `/v1/videos/../content` to `/v1/content`,
///   and servers decode `%2E%2E` back to `..` before routing, so no encoding of them is safe), control characters
///   (C0, DEL, C1, U+2028, U+2029: they have no place in an id and would reach logs), and ids over `maxBytes`;
/// - percent-encoded as UTF-8: every character outside RFC 3986's `pchar` (unreserved, sub-delims, `:`, `@`), so
///   `/` is `%2F`, `?` `%3F`, `#` `%23`, `%` `%25`, a space `%20`; the service gets its id back byte for byte.
///
/// The URL built is checked once more as a string: its path must be the base path, the prefix, the encoded
/// segment and the suffix, exactly, and decode back to the id (Foundation's `URL` does not resolve dot segments,
/// but a check on the final string holds whatever parses it).
enum PathSegment {
    /// The longest id accepted, in UTF-8 bytes.
    static let maxBytes = 1024

    /// Characters kept as they are: RFC 3986 `pchar` without `%` (unreserved, sub-delims, `:`, `@`), as a table
    /// indexed by byte (a set would hash every byte of every id of every poll).
    private static let kept: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@".utf8 {
            table[Int(byte)] = true
        }
        return table
    }()

    /// Why `id` cannot be one path segment, or nil when it can.
    static func problem(_ id: String) -> String? {
        if id.isEmpty { return "is empty" }
        if id == "." || id == ".." { return "is a dot segment ('\(id)'), which would name another path" }
        if id.utf8.count > maxBytes { return "is longer than \(maxBytes) bytes" }
        if id.unicodeScalars.contains(where: isControl) { return "contains control characters" }
        return nil
    }

    /// `id` percent-encoded for use as one path segment (see the type's rules). Dot segments are encoded too
    /// (`%2E`), but only `url` builds paths, and it refuses them.
    static func encode(_ id: String) -> String {
        if id == "." || id == ".." { return String(repeating: "%2E", count: id.count) }
        let table = kept
        // The usual id (letters, digits, `-`, `_`) needs no escape at all.
        if id.utf8.allSatisfy({ table[Int($0)] }) { return id }
        var encoded: [UInt8] = []
        encoded.reserveCapacity(id.utf8.count * 3)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in id.utf8 {
            if table[Int(byte)] {
                encoded.append(byte)
            } else {
                encoded.append(UInt8(ascii: "%"))
                encoded.append(hex[Int(byte >> 4)])
                encoded.append(hex[Int(byte & 0xF)])
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// `baseURL` + `prefix` + the encoded `id` + `suffix` (`prefix` starts and ends with "/", `suffix` is empty or
    /// starts with "/"), or nil when the id is refused (`problem`) or the URL built does not hold it as exactly one
    /// segment at that place.
    ///
    /// The segment is one by construction: the encoding leaves only `pchar` (no `/`, `?`, `#`, nor a bare `%`),
    /// dot segments are refused, and a base URL has neither query nor fragment (`ClientConfiguration`); the URL
    /// must parse back to exactly the text built, and the segment decode back to the id. (This runs for every
    /// poll: an earlier version re-parsed the path with `URLComponents` twice, a fifth of a poll's instructions.)
    static func url(_ baseURL: URL, _ prefix: String, _ id: String, _ suffix: String = "") -> URL? {
        guard problem(id) == nil else { return nil }
        let segment = encode(id)
        let base = baseURL.absoluteString
        guard !base.contains("?"), !base.contains("#"),
              prefix.hasPrefix("/"), prefix.hasSuffix("/"), suffix.isEmpty || suffix.hasPrefix("/") else { return nil }
        let text = base + prefix + segment + suffix
        guard let url = URL(string: text), url.absoluteString == text, segment == id || decode(segment) == id else { return nil }
        return url
    }

    /// `segment` with its percent-escapes decoded, or nil when one is malformed or the bytes are not UTF-8.
    static func decode(_ segment: some StringProtocol) -> String? {
        var bytes: [UInt8] = []
        var iterator = segment.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0) || scalar.value == 0x2028
            || scalar.value == 0x2029
    }
}

extension ProviderAdapter {
    /// A JSON GET of `prefix` + the task id as one path segment + `suffix` (see `PathSegment.url`); nil when the id
    /// cannot be one segment.
    func jsonGet(_ baseURL: URL, _ prefix: String, id: String, _ suffix: String = "") -> HTTPRequest? {
        PathSegment.url(baseURL, prefix, id, suffix).map { HTTPRequest(method: "GET", url: $0, headers: [("Accept", "application/json")]) }
    }
}
