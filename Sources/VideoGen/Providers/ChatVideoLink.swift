import FoundationEssentials

/// Finds the video link in an assistant message of a chat-completions reply, in the forms gateways use: a
/// structured content part (`{"type": "video_url", "video_url": {"url": ...}}` and its variants), an HTML
/// `<video src>` tag, a markdown link or embed (`[download](https://...)`), or a plain URL.
///
/// A link counts as the video when it comes from a structured video part or a `<video>` / `<source>` tag, when its
/// path ends in a video file extension, when it is a markdown link whose label names a video, or when it is the
/// whole reply. Any other link (a help page, an echoed reference image) is not taken for the video: such a reply is
/// a failure carrying its text, never a download of something that is not a video.
enum ChatVideoLink {
    /// File extensions that mark a link as a video.
    static let videoExtensions: Set<String> = ["mp4", "webm", "mov", "m4v", "mkv"]
    /// Words in a markdown link's label that mark it as the video.
    static let videoLabels = ["video", "mp4", "download", "watch", "视频", "下载", "播放"]

    /// Where a candidate link was found.
    enum Kind: Sendable { case videoTag, markdown, bare }

    /// A link found in text.
    struct Candidate: Sendable, Equatable {
        let url: String
        let label: String?
        let kind: Kind
        /// The whole matched text (`[label](url)` for markdown).
        let match: String
    }

    /// The video link in a message's text, or nil.
    static func find(inText text: String) -> String? {
        let found = candidates(in: text)
        if let tagged = found.first(where: { $0.kind == .videoTag }) { return tagged.url }
        if let file = found.first(where: { hasVideoExtension($0.url) }) { return file.url }
        if let labelled = found.first(where: { $0.kind == .markdown && namesVideo($0.label) }) { return labelled.url }
        let whole = text.trimmingWhitespaceAndNewlines()
        if let only = found.first(where: { whole == $0.url || whole == "<\($0.url)>" || whole == $0.match }) {
            return only.url
        }
        return nil
    }

    /// The video link in structured content parts (or a message's `videos` list), or nil.
    static func find(inParts parts: [JSONValue]) -> String? {
        for part in parts {
            let type = part["type"]?.stringValue?.lowercased() ?? ""
            var values: [JSONValue?] = []
            if type.contains("video") {
                values = [part[type]?["url"], part[type], part["url"], part["video_url"]?["url"], part["video_url"],
                          part["video"]?["url"], part["video"], part["file"]?["url"]]
            } else if type.contains("file") {
                let file = part["file"] ?? part
                let mime = (file["mime_type"] ?? file["content_type"] ?? file["mimeType"])?.stringValue?.lowercased() ?? ""
                if let url = file["url"]?.stringValue, mime.hasPrefix("video/") || hasVideoExtension(url) {
                    values = [file["url"]]
                }
            }
            for value in values {
                if let url = value?.stringValue, VideoRequest.isHTTPURL(url) { return url }
            }
        }
        return nil
    }

    /// The text of content parts (`text` / `output_text` parts), joined by newlines.
    static func text(ofParts parts: [JSONValue]) -> String {
        parts.compactMap { part -> String? in
            let type = part["type"]?.stringValue?.lowercased() ?? ""
            guard type.isEmpty || type.contains("text") else { return nil }
            return part["text"]?.stringValue ?? part.stringValue
        }.joined(separator: "\n")
    }

    /// Every http(s) link in `text`: `<video>`/`<source>` tags first, then markdown links, then bare URLs, each in
    /// order of appearance.
    static func candidates(in text: String) -> [Candidate] {
        var found: [Candidate] = []
        let tag = /<(?:video|source)\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']/.ignoresCase()
        for match in text.matches(of: tag) {
            let url = String(match.output.1).trimmingWhitespace()
            if VideoRequest.isHTTPURL(url) { found.append(Candidate(url: url, label: nil, kind: .videoTag, match: String(match.output.0))) }
        }
        let markdown = /!?\[([^\]\n]*)\]\(\s*<?(https?:\/\/[^\s)>]+)>?(?:\s+"[^"\n]*")?\s*\)/.ignoresCase()
        for match in text.matches(of: markdown) {
            let url = String(match.output.2)
            if VideoRequest.isHTTPURL(url) {
                found.append(Candidate(url: url, label: String(match.output.1), kind: .markdown, match: String(match.output.0)))
            }
        }
        let bare = /https?:\/\/[^\s<>"'()\[\]{}]+/.ignoresCase()
        for match in text.matches(of: bare) {
            let url = trimTrailingPunctuation(String(match.output))
            if VideoRequest.isHTTPURL(url) { found.append(Candidate(url: url, label: nil, kind: .bare, match: url)) }
        }
        return found
    }

    /// True when the link's path ends in a video file extension (the query is ignored).
    static func hasVideoExtension(_ url: String) -> Bool {
        guard let path = URL(string: url)?.path.lowercased(), let dot = path.lastIndex(of: ".") else { return false }
        return videoExtensions.contains(String(path[path.index(after: dot)...]))
    }

    private static func namesVideo(_ label: String?) -> Bool {
        guard let label = label?.lowercased() else { return false }
        return videoLabels.contains { label.contains($0) }
    }

    private static func trimTrailingPunctuation(_ url: String) -> String {
        var url = url
        while let last = url.last, ".,;:!?。，；：！？…".contains(last) { url.removeLast() }
        return url
    }
}
