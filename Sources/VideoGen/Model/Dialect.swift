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
    /// MiniMax (Hailuo): `POST /v1/video_generation`, the query, then `files/retrieve`; or v2's `content[]` tasks.
    case minimax
    /// Runway: `POST /v1/{image_to_video|text_to_video|video_to_video}`, `GET /v1/tasks/{id}`, `X-Runway-Version`.
    case runway
    /// Luma Dream Machine: `POST /dream-machine/v1/generations/video`, `GET .../generations/{id}`.
    case luma
    /// Seedance on Volcengine Ark / BytePlus ModelArk: `POST /api/v3/contents/generations/tasks` (`content[]`).
    case ark
    /// Veo on the Gemini API: `POST /v1beta/models/{model}:predictLongRunning`, `GET /v1beta/{operation}`.
    case gemini
    /// Veo on Vertex AI: `.../publishers/google/models/{model}:predictLongRunning` and `:fetchPredictOperation`.
    case vertex
    /// Wan on Alibaba Cloud Model Studio (DashScope): `POST /api/v1/services/aigc/video-generation/video-synthesis`
    /// (asynchronous), `GET /api/v1/tasks/{id}`.
    case dashscope
    /// Vidu: `POST /ent/v2/{text2video|img2video|start-end2video|reference2video}`, `GET /ent/v2/tasks/{id}/creations`.
    case vidu
    /// OpenRouter's video API: `POST /api/v1/videos`, `GET /api/v1/videos/{id}`.
    case openrouter
    /// Kling's own API (`api-singapore.klingai.com`): the `kling` wire format without the gateway's `/kling` prefix,
    /// signed with a JWT made from an access key and a secret key, plus `omni-video`.
    case klingOfficial = "kling_official"
    /// fal's queue: `POST queue.fal.run/{app}`, then the `status_url` / `response_url` / `cancel_url` it answers.
    case fal
    /// Replicate predictions: models, versions and deployments (`/v1/.../predictions`).
    case replicate
    /// Gemini's Interactions API (Gemini Omni video): `POST /v1/interactions` with `background: true`,
    /// `GET /v1/interactions/{id}`, `POST .../{id}/cancel`.
    case geminiInteractions = "gemini_interactions"

    /// The pure adapter that speaks this dialect, with its default options.
    public var adapter: any ProviderAdapter {
        switch self {
        case .openai: return OpenAIVideosAdapter()
        case .unified: return UnifiedTaskAdapter()
        case .kling: return KlingAdapter()
        case .routerone: return RouterOneAdapter()
        case .chat: return ChatCompletionsAdapter()
        case .minimax: return MiniMaxAdapter()
        case .runway: return RunwayAdapter()
        case .luma: return LumaAdapter()
        case .ark: return ArkAdapter()
        case .gemini: return GeminiVeoAdapter()
        case .vertex: return VertexVeoAdapter(project: "", location: GoogleSettings.defaultLocation)
        case .dashscope: return DashScopeAdapter()
        case .vidu: return ViduAdapter()
        case .openrouter: return OpenRouterVideosAdapter()
        case .klingOfficial: return KlingAdapter(official: true)
        case .fal: return FalQueueAdapter()
        case .replicate: return ReplicateAdapter()
        case .geminiInteractions: return GeminiInteractionsAdapter()
        }
    }
}
