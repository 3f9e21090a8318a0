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
    /// Kling's own API (`api-singapore.klingai.com`): the `kling` wire format without the gateway's `/kling` prefix,
    /// signed with a JWT made from an access key and a secret key, plus `omni-video`.
    case klingOfficial = "kling_official"
    /// fal's queue: `POST queue.fal.run/{app}`, then the `status_url` / `response_url` / `cancel_url` it answers.
    case fal
    /// Replicate predictions: models, versions and deployments (`/v1/.../predictions`).
    case replicate

    /// The pure adapter that speaks this dialect, with its default options.
    public var adapter: any ProviderAdapter {
        switch self {
        case .openai: return OpenAIVideosAdapter()
        case .unified: return UnifiedTaskAdapter()
        case .kling: return KlingAdapter()
        case .routerone: return RouterOneAdapter()
        case .chat: return ChatCompletionsAdapter()
        case .klingOfficial: return KlingAdapter(official: true)
        case .fal: return FalQueueAdapter()
        case .replicate: return ReplicateAdapter()
        }
    }
}
