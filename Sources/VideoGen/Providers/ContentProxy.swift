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
              PathSegment.decode(id) == taskID else { return nil }
        let query = components.percentEncodedQuery.map { "?" + $0 } ?? ""
        return route(id: taskID, baseURL: baseURL).flatMap { URL(string: $0 + query) }
    }
}
