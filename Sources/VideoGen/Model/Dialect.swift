/// A wire dialect: one family of provider APIs that share request, status and error shapes.
public enum Dialect: String, Sendable, Hashable, CaseIterable {
    /// The OpenAI-compatible Videos API: `POST /v1/videos` (multipart), `GET /v1/videos/{id}`, `.../content`;
    /// also the gateways' Veo models on that route.
    case openai
    /// The unified video-task API of new-api style gateways: `POST /v1/video/generations` (JSON) and its polls.
    case unified
    /// Kling's native API as gateways pass it through: `POST /kling/v1/videos/{text2video|image2video}`.
    case kling
    /// Router One: `POST /v1/videos/generations` (202), `GET /v1/videos/generations/{id}`.
    case routerone
    /// Video through Chat Completions: `POST /v1/chat/completions`, the video link in the assistant message.
    case chat
    /// Wan on Alibaba Cloud Model Studio (DashScope): `POST /api/v1/services/aigc/video-generation/video-synthesis`
    /// (asynchronous), `GET /api/v1/tasks/{id}`.
    case dashscope
    /// Vidu: `POST /ent/v2/{text2video|img2video|start-end2video|reference2video}`, `GET /ent/v2/tasks/{id}/creations`.
    case vidu
    /// OpenRouter's video API: `POST /api/v1/videos`, `GET /api/v1/videos/{id}`.
    case openrouter

    /// The pure adapter that speaks this dialect, with its default options.
    public var adapter: any ProviderAdapter {
        switch self {
        case .openai: return OpenAIVideosAdapter()
        case .unified: return UnifiedTaskAdapter()
        case .kling: return KlingAdapter()
        case .routerone: return RouterOneAdapter()
        case .chat: return ChatCompletionsAdapter()
        case .dashscope: return DashScopeAdapter()
        case .vidu: return ViduAdapter()
        case .openrouter: return OpenRouterVideosAdapter()
        }
    }
}
