/// A wire dialect: one family of provider APIs that share request, status and error shapes.
public enum Dialect: String, Sendable, Hashable, CaseIterable {
    /// The OpenAI-compatible Videos API: `POST /v1/videos` (multipart), `GET /v1/videos/{id}`, `.../content`.
    case openai
    /// The unified video-task API of new-api style gateways: `POST /v1/video/generations` (JSON) and its polls.
    case unified

    /// The pure adapter that speaks this dialect.
    public var adapter: any ProviderAdapter {
        switch self {
        case .openai: return OpenAIVideosAdapter()
        case .unified: return UnifiedTaskAdapter()
        }
    }
}
