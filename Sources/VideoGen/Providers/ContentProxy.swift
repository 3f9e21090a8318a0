import FoundationEssentials

/// The route where a new-api gateway serves a task's video itself: `GET /v1/videos/{task_id}/content`
/// (controller/video_proxy.go), with the caller's key. new-api hands this route out as a task's `result_url` when the
/// upstream gave no fetchable URL (service/task_polling.go), built from the operator's configured server address
/// (`taskcommon.BuildProxyURL`, default `http://localhost:3000`), which is often not the address the client uses.
enum ContentProxy {
    /// The content route of task `id` on the service at `baseURL`.
    static func route(id: String, baseURL: URL) -> String? {
        PathSegment.url(baseURL, "/v1/videos/", id, "/content")?.absoluteString
    }

    /// `url` moved onto `baseURL` when it is the content route of task `taskID` (its path ends in
    /// `/v1/videos/{taskID}/content`) on another origin: the gateway's own route, named by an address the client does
    /// not use, is fetched from the configured one, where the key may go. Nil for every other URL, which stays as it
    /// is (and keyless, when foreign).
    static func relocated(_ url: URL, taskID: String, baseURL: URL) -> URL? {
        guard !taskID.isEmpty, !OriginPolicy.sameOrigin(url, baseURL),
              let components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return nil }
        let segments = components.percentEncodedPath.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count >= 5 else { return nil }
        let tail = segments.suffix(4)
        let id = tail[tail.startIndex + 2]
        guard tail[tail.startIndex] == "v1", tail[tail.startIndex + 1] == "videos", tail.last == "content",
              percentDecoded(id) == taskID else { return nil }
        let query = components.percentEncodedQuery.map { "?" + $0 } ?? ""
        return route(id: taskID, baseURL: baseURL).flatMap { URL(string: $0 + query) }
    }

    /// A percent-encoded path segment decoded (UTF-8), or nil when it is not valid percent-encoding of UTF-8.
    static func percentDecoded(_ segment: Substring) -> String? {
        var bytes: [UInt8] = []
        var utf8 = segment.utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = utf8.next().flatMap(hexValue), let low = utf8.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
