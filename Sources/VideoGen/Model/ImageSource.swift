import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A reference image for image-to-video: where it comes from, before any adapter turns it into wire form.
public enum ImageSource: Sendable, Hashable {
    /// An http(s) URL the service fetches itself.
    case url(String)
    /// A local file, read and checked when the request is built.
    case file(String)
    /// A `data:image/...;base64,...` URI.
    case dataURI(String)
    /// Raw bytes with their MIME type (from C: pointer, length and type). The magic bytes decide the type that is
    /// sent; a label that is not `image/...` is refused.
    case bytes(Data, mimeType: String)

    /// Largest image accepted, checked before any byte is sent.
    public static let maxBytes = 20 * 1024 * 1024

    /// Classifies a string as a URL, a data URI or a local path (`file://` URLs are paths).
    public init(string: String) {
        let lower = string.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            self = .url(string)
        } else if lower.hasPrefix("data:") {
            self = .dataURI(string)
        } else if lower.hasPrefix("file://") {
            self = .file(URL(string: string)?.path ?? String(string.dropFirst(7)))
        } else {
            self = .file(string)
        }
    }

    /// The image's bytes and MIME type, read from the file or decoded from the data URI, checked for size and for
    /// image magic bytes. URLs have no local bytes.
    /// - Parameter field: the request field, named in errors.
    /// - Returns: nil for `.url`.
    public func load(field: String) throws -> LoadedImage? {
        switch self {
        case .url:
            return nil
        case .bytes(let data, let mimeType):
            // The bytes decide the type (a caller's label can be wrong); a label naming something other than an
            // image is a caller error worth reporting rather than sending.
            let declared = mimeType.trimmingWhitespace().lowercased()
            guard declared.isEmpty || declared.hasPrefix("image/") else {
                throw VideoGenError(.invalidArgument, "\(field): the MIME type '\(Sanitize.text(mimeType, limit: 64))' is not an image type")
            }
            return try LoadedImage(checking: data, field: field)
        case .file(let path):
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw VideoGenError(.io, "\(field): cannot read image file '\(path)'")
            }
            if info.st_size > ImageSource.maxBytes {
                throw VideoGenError(.tooLarge, "\(field): image file '\(path)' is \(info.st_size) bytes, over the \(ImageSource.maxBytes)-byte limit")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw VideoGenError(.io, "\(field): cannot read image file '\(path)'")
            }
            return try LoadedImage(checking: data, field: field)
        case .dataURI(let uri):
            guard let comma = uri.firstIndex(of: ","), uri[..<comma].lowercased().hasSuffix(";base64") else {
                throw VideoGenError(.invalidArgument, "\(field): a data URI must be base64 encoded (data:image/...;base64,...)")
            }
            let payload = uri[uri.index(after: comma)...]
            guard payload.utf8.count <= (ImageSource.maxBytes / 3 + 1) * 4 else {
                throw VideoGenError(.tooLarge, "\(field): image is over the \(ImageSource.maxBytes)-byte limit")
            }
            guard let data = Data(base64Encoded: String(payload)) else {
                throw VideoGenError(.invalidArgument, "\(field): the data URI's base64 payload does not decode")
            }
            return try LoadedImage(checking: data, field: field)
        }
    }
}

/// Image bytes that passed the size and magic-byte checks.
public struct LoadedImage: Sendable, Hashable {
    /// The bytes.
    public let data: Data
    /// The MIME type the magic bytes say (`image/png`, `image/jpeg`, `image/webp`, `image/gif`).
    public let mimeType: String

    /// Checks size and magic bytes.
    public init(checking data: Data, field: String) throws {
        guard data.count <= ImageSource.maxBytes else {
            throw VideoGenError(.tooLarge, "\(field): image is \(data.count) bytes, over the \(ImageSource.maxBytes)-byte limit")
        }
        guard let mime = LoadedImage.sniff(data) else {
            throw VideoGenError(.invalidArgument, "\(field): not a PNG, JPEG, WebP or GIF image (checked by its first bytes)")
        }
        self.data = data
        self.mimeType = mime
    }

    /// The file extension matching the MIME type.
    public var fileExtension: String {
        switch mimeType {
        case "image/png": return "png"
        case "image/jpeg": return "jpg"
        case "image/webp": return "webp"
        default: return "gif"
        }
    }

    /// The image as a `data:` URI.
    public var dataURI: String { "data:\(mimeType);base64,\(data.base64EncodedString())" }

    /// The MIME type of image bytes, from their magic numbers, or nil when they are not a supported image.
    static func sniff(_ data: Data) -> String? {
        let head = [UInt8](data.prefix(12))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: Array("GIF87a".utf8)) || head.starts(with: Array("GIF89a".utf8)) { return "image/gif" }
        if head.count >= 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) {
            return "image/webp"
        }
        return nil
    }
}
