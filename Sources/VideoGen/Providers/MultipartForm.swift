import Foundation

/// A multipart/form-data body (RFC 7578) built in memory: text fields and file parts.
struct MultipartForm {
    /// The boundary, random per form so no field value can contain it.
    let boundary: String
    private var body = Data()

    init(boundary: String = "videogen-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()) {
        self.boundary = boundary
    }

    /// The Content-Type header value.
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// Appends a text field.
    mutating func add(name: String, value: String) {
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(MultipartForm.quote(name))\"\r\n\r\n".utf8))
        body.append(Data(value.utf8))
        body.append(Data("\r\n".utf8))
    }

    /// Appends a file part.
    mutating func add(name: String, filename: String, mimeType: String, data: Data) {
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(MultipartForm.quote(name))\"; filename=\"\(MultipartForm.quote(filename))\"\r\nContent-Type: \(mimeType)\r\n\r\n".utf8))
        body.append(data)
        body.append(Data("\r\n".utf8))
    }

    /// The finished body.
    func encoded() -> Data {
        body + Data("--\(boundary)--\r\n".utf8)
    }

    /// Escapes a name for a quoted header parameter: quotes, backslashes and line breaks cannot break out.
    private static func quote(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "%22")
            .replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }
}
