import FoundationEssentials

/// One page request of a service's list of videos (`GET /v1/videos?after=&limit=&order=` in the `openai` dialect).
/// Every member is optional: the service's defaults apply to those left out (OpenAI's: the 20 newest).
public struct VideoListQuery: Sendable, Hashable {
    /// Sort order by creation time.
    public enum Order: String, Sendable, Hashable, CaseIterable {
        /// Oldest first.
        case asc
        /// Newest first.
        case desc
    }

    /// The page limits videogen accepts (the service may cap lower).
    public static let limitRange: ClosedRange<Int> = 1...100

    /// The id of the last video of the previous page (`VideoPage.lastID`): the page starts after it.
    public var after: String?
    /// How many videos the page holds at most, within `limitRange`.
    public var limit: Int?
    /// The order, or the service's default (newest first on OpenAI's shape).
    public var order: Order?

    /// Creates a query; `validate()` checks it.
    public init(after: String? = nil, limit: Int? = nil, order: Order? = nil) {
        self.after = after
        self.limit = limit
        self.order = order
    }

    /// Reads the query document `{"after": "video_...", "limit": 20, "order": "asc" | "desc"}` (each member
    /// optional, `null` as absent).
    /// - Throws: `.invalidJSON` for a non-object, `.invalidArgument` naming an unknown member, a wrong type or a
    ///   bad value.
    public init(json: JSONValue) throws {
        var reader = try FieldReader(json, context: "list query")
        after = try reader.string("after")
        limit = try reader.int("limit", in: Int64(VideoListQuery.limitRange.lowerBound)...Int64(VideoListQuery.limitRange.upperBound)).map { Int($0) }
        if let word = try reader.string("order") {
            guard let parsed = Order(rawValue: word) else {
                throw VideoGenError(.invalidArgument, "list query field 'order' must be \"asc\" or \"desc\", not '\(Sanitize.text(word, limit: 32))'")
            }
            order = parsed
        }
        try reader.finish()
        try validate()
    }

    /// Checks the members: `limit` within `limitRange`, `after` a non-empty id without control characters.
    public func validate() throws {
        if let limit, !VideoListQuery.limitRange.contains(limit) {
            throw VideoGenError(.invalidArgument, "list query field 'limit' must be between \(VideoListQuery.limitRange.lowerBound) and \(VideoListQuery.limitRange.upperBound), not \(limit)")
        }
        if let after, after.isEmpty || after.count > 512 || after.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw VideoGenError(.invalidArgument, "list query field 'after' must be a video id (1 to 512 characters, no control characters)")
        }
    }
}
