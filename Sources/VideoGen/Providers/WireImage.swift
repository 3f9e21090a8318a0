import FoundationEssentials

/// A reference image resolved for the wire: a URL the service fetches itself, or checked local bytes that the
/// dialect encodes in its own way (a multipart upload, a `data:` URI, bare base64).
enum WireImage {
    /// An http(s) URL, sent as given.
    case url(String)
    /// Local bytes (from a file, a data URI or the caller's memory) that passed the size and magic-byte checks.
    case local(LoadedImage)
}

extension ImageSource {
    /// True for `.url`: an image the service fetches itself, with no local bytes to check.
    var isRemote: Bool {
        if case .url = self { return true }
        return false
    }

    /// The image resolved for the wire; local images are read and checked (20 MiB, PNG/JPEG/WebP/GIF magic bytes)
    /// before anything is sent.
    /// - Parameter field: the request field, named in errors.
    func wire(field: String) throws -> WireImage {
        if case .url(let url) = self { return .url(url) }
        guard let loaded = try load(field: field) else {
            throw VideoGenError(.invalidArgument, "\(field): no image data")
        }
        return .local(loaded)
    }

    /// The image as new-api and chat completions take it: a URL as given, local bytes as a `data:` URI.
    func urlOrDataURI(field: String) throws -> String {
        switch try wire(field: field) {
        case .url(let url): return url
        case .local(let image): return image.dataURI
        }
    }

    /// The image as a URL; a local image is refused by name for dialects that only take URLs.
    /// - Throws: `.unsupported` naming the field and the dialect.
    func urlOnly(field: String, dialect: Dialect) throws -> String {
        guard case .url(let url) = self else {
            throw VideoGenError(.unsupported, "the \(dialect.rawValue) dialect takes image URLs only, and '\(field)' is a local image; upload it and pass its http(s) URL")
        }
        return url
    }
}
