import FoundationEssentials

/// One page of a service's list of videos: each video as a task snapshot of the listing client (a record that
/// `VideoGenClient.resume(record:)` turns into a live task), and the cursor to the next page.
public struct VideoPage: Sendable, Hashable {
    /// The videos of the page, in the order the service gave them.
    public var tasks: [TaskSnapshot]
    /// The id of the page's first video, when the service says (nil for an empty page).
    public var firstID: String?
    /// The id of the page's last video: give it as `VideoListQuery.after` for the next page.
    public var lastID: String?
    /// True when more videos follow this page.
    public var hasMore: Bool

    /// Creates a page.
    public init(tasks: [TaskSnapshot], firstID: String?, lastID: String?, hasMore: Bool) {
        self.tasks = tasks
        self.firstID = firstID
        self.lastID = lastID
        self.hasMore = hasMore
    }

    /// The page as its JSON document: `{"data": [record, ...], "first_id", "last_id", "has_more"}`.
    public var json: JSONValue {
        [
            "data": .array(tasks.map(\.json)),
            "first_id": firstID.map(JSONValue.string) ?? .null,
            "last_id": lastID.map(JSONValue.string) ?? .null,
            "has_more": .bool(hasMore),
        ]
    }
}
