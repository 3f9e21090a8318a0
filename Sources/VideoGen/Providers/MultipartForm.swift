import FoundationEssentials

/// A multipart/form-data body (RFC 7578) built in memory: text fields and file parts.
///
/// The boundary is derived from the parts themselves (a SHA-256 of their names and contents): no part can contain
/// it short of a hash preimage, and the same request always encodes to the same bytes. That matters for a submit
/// sent again with its Idempotency-Key (after an unknown outcome, in a new process): services that keep the first
/// request per key (Stripe's rule, and the emulator's) refuse the key when the second body differs, and a random
/// boundary would make every copy differ.
struct MultipartForm {
    private struct Part {
        let name: String
        let filename: String?
        let mimeType: String?
        let content: Data
    }

    private var parts: [Part] = []

    /// Appends a text field.
    mutating func add(name: String, value: String) {
        parts.append(Part(name: name, filename: nil, mimeType: nil, content: Data(value.utf8)))
    }

    /// Appends a file part.
    mutating func add(name: String, filename: String, mimeType: String, data: Data) {
        parts.append(Part(name: name, filename: filename, mimeType: mimeType, content: data))
    }

    /// The finished body and its Content-Type header value.
    func encoded() -> (contentType: String, body: Data) {
        let boundary = self.boundary()
        var body = Data()
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(MultipartForm.quote(part.name))\""
            if let filename = part.filename { head += "; filename=\"\(MultipartForm.quote(filename))\"" }
            if let mimeType = part.mimeType { head += "\r\nContent-Type: \(mimeType)" }
            body.append(Data((head + "\r\n\r\n").utf8))
            body.append(part.content)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    /// "videogen-" and 32 hex digits of a SHA-256 over every part (each length-prefixed, so parts cannot be
    /// shifted into one another).
    private func boundary() -> String {
        var digest = SHA256()
        for part in parts {
            for field in [Data(part.name.utf8), Data((part.filename ?? "").utf8), Data((part.mimeType ?? "").utf8), part.content] {
                withUnsafeBytes(of: UInt64(field.count).bigEndian) { digest.update(bytes: $0) }
                field.withUnsafeBytes { digest.update(bytes: $0) }
            }
        }
        return "videogen-" + digest.hexDigest().prefix(32)
    }

    /// Escapes a name for a quoted header parameter: quotes, backslashes and line breaks cannot break out.
    private static func quote(_ text: String) -> String {
        text.replacing("\\", with: "\\\\").replacing("\"", with: "%22")
            .replacing("\r", with: "%0D").replacing("\n", with: "%0A")
    }
}
