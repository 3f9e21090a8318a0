import FoundationEssentials

/// What one list answer says, before its videos become snapshots of the listing client.
public struct VideoListReport: Sendable, Hashable {
    /// The page's videos, each as a status report that carries its id.
    public var items: [StatusReport]
    /// The id of the page's first video, when the service says.
    public var firstID: String?
    /// The id of the page's last video (the cursor of the next page).
    public var lastID: String?
    /// True when more videos follow.
    public var hasMore: Bool

    /// Creates a report.
    public init(items: [StatusReport], firstID: String?, lastID: String?, hasMore: Bool) {
        self.items = items
        self.firstID = firstID
        self.lastID = lastID
        self.hasMore = hasMore
    }
}

/// The operations a dialect may offer on the videos a service keeps, beyond following one task: listing them,
/// deleting one, remixing one into a new task, and downloading the other assets of a finished video (thumbnail,
/// spritesheet). Pure, like every adapter: requests out, parsed answers in. Dialects without these operations do
/// not conform, and `VideoGenClient` refuses the operations for them with `.unsupported`.
public protocol VideoLibraryAdapter: ProviderAdapter {
    /// The request for one page of the list.
    func listRequest(_ query: VideoListQuery, baseURL: URL) -> HTTPRequest
    /// Reads a list answer.
    /// - Throws: `.protocolError` for an answer that is not a page of videos.
    func parseList(_ response: HTTPResponse, baseURL: URL) throws -> VideoListReport
    /// The request that deletes the video `taskID` on the service.
    func deleteRequest(taskID: String, baseURL: URL) -> HTTPRequest
    /// Checks a delete answer: it must confirm the deletion of `taskID`.
    /// - Throws: `.protocolError` when the answer does not say the video was deleted.
    func parseDelete(_ response: HTTPResponse, taskID: String) throws
    /// The request that remakes the video `taskID` with `remix`.
    /// - Throws: `.invalidArgument` for a bad remix request.
    func remixRequest(taskID: String, _ remix: RemixRequest, baseURL: URL) throws -> HTTPRequest
    /// Reads a remix answer: the new task.
    /// - Throws: `.protocolError` when it names no task.
    func parseRemix(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport
    /// Where the asset `variant` of the finished video `taskID` is served.
    func contentURL(taskID: String, variant: ContentVariant, baseURL: URL) -> URL
}
