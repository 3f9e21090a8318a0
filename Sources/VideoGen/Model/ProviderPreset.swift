/// A named service: the dialects it speaks, where it lives and the defaults its documentation asks for, so that a
/// configuration can say `{"provider": "routerone", "api_key_env": "..."}` instead of a dialect and a base URL.
///
/// A preset is data, not code. A service that serves several dialects (a new-api deployment serves `unified`,
/// `openai` and `kling` routes) lists them all; the first is used unless the configuration's `dialect` picks
/// another, and a `dialect` the service does not speak is refused. `base_url` overrides the preset's URL (a mirror,
/// a proxy); a preset without a URL (a self-hosted deployment) requires one.
public struct ProviderPreset: Sendable, Hashable {
    /// The name used in configurations (`provider`).
    public let name: String
    /// The dialects the service speaks; the first is the default.
    public let dialects: [Dialect]
    /// The service's root URL, or nil when every deployment has its own (then `base_url` is required).
    public let baseURL: String?
    /// Poll schedules the service's documentation asks for, by dialect; dialects not listed use their adapter's.
    public let poll: [Dialect: PollPolicy]
    /// One line about the service.
    public let summary: String

    /// Creates a preset.
    public init(name: String, dialects: [Dialect], baseURL: String?, poll: [Dialect: PollPolicy] = [:], summary: String) {
        self.name = name
        self.dialects = dialects
        self.baseURL = baseURL
        self.poll = poll
        self.summary = summary
    }

    /// The default dialect.
    public var defaultDialect: Dialect { dialects[0] }

    /// Every known preset, in the order they are listed in errors and documentation.
    public static let all: [ProviderPreset] = [
        ProviderPreset(name: "openai", dialects: [.openai], baseURL: "https://api.openai.com",
                       summary: "OpenAI's Videos API (Sora 2)"),
        ProviderPreset(name: "applerouter", dialects: [.unified, .openai, .kling], baseURL: "https://api.applerouter.ai",
                       poll: [.unified: PollPolicy(interval: 10, maxInterval: 30, multiplier: 1.5, jitter: 0.1, minInterval: 10)],
                       summary: "applerouter.ai, a new-api deployment: /v1/video/generations (polled every 10-30 s, as its docs ask), /v1/videos (Veo, Sora), /kling/v1/videos"),
        ProviderPreset(name: "routerone", dialects: [.routerone], baseURL: "https://api.router.one",
                       summary: "Router One: /v1/videos/generations, polled no faster than every 3 s"),
        ProviderPreset(name: "newapi", dialects: [.unified, .openai, .kling, .chat], baseURL: nil,
                       summary: "a self-hosted new-api deployment (base_url required): /v1/video/generations, /v1/videos, /kling/v1/videos, /v1/chat/completions"),
        ProviderPreset(name: "dashscope", dialects: [.dashscope], baseURL: "https://dashscope-intl.aliyuncs.com",
                       summary: "Wan on Alibaba Cloud Model Studio, international (Singapore): /api/v1/services/aigc/video-generation/video-synthesis"),
        ProviderPreset(name: "dashscope-us", dialects: [.dashscope], baseURL: "https://dashscope-us.aliyuncs.com",
                       summary: "Wan on Alibaba Cloud Model Studio, US (Virginia)"),
        ProviderPreset(name: "dashscope-cn", dialects: [.dashscope], baseURL: "https://dashscope.aliyuncs.com",
                       summary: "Wan on Alibaba Cloud Model Studio, China (Beijing)"),
        ProviderPreset(name: "vidu", dialects: [.vidu], baseURL: "https://api.vidu.com",
                       summary: "Vidu: /ent/v2/text2video, img2video, start-end2video, reference2video; Authorization: Token"),
        ProviderPreset(name: "openrouter", dialects: [.openrouter], baseURL: "https://openrouter.ai",
                       summary: "OpenRouter's video API: /api/v1/videos, polled every 10-30 s as its docs recommend"),
        ProviderPreset(name: "minimax", dialects: [.minimax], baseURL: "https://api.minimax.io",
                       summary: "MiniMax (Hailuo), international: /v1/video_generation, its query and files/retrieve (or v2)"),
        ProviderPreset(name: "minimaxi", dialects: [.minimax], baseURL: "https://api.minimaxi.com",
                       summary: "MiniMax (Hailuo), China: /v1/video_generation, its query and files/retrieve (or v2)"),
        ProviderPreset(name: "runway", dialects: [.runway], baseURL: "https://api.dev.runwayml.com",
                       summary: "Runway's API: /v1/image_to_video, text_to_video, video_to_video and /v1/tasks/{id}"),
        ProviderPreset(name: "luma", dialects: [.luma], baseURL: "https://api.lumalabs.ai",
                       summary: "Luma Dream Machine: /dream-machine/v1/generations/video and .../generations/{id}"),
        ProviderPreset(name: "ark", dialects: [.ark], baseURL: "https://ark.cn-beijing.volces.com",
                       summary: "Seedance on Volcengine Ark (Beijing): /api/v3/contents/generations/tasks"),
        ProviderPreset(name: "byteplus", dialects: [.ark], baseURL: "https://ark.ap-southeast.bytepluses.com",
                       summary: "Seedance on BytePlus ModelArk (Southeast Asia): /api/v3/contents/generations/tasks"),
        ProviderPreset(name: "gemini", dialects: [.gemini, .geminiInteractions], baseURL: "https://generativelanguage.googleapis.com",
                       summary: "Google's Gemini API (x-goog-api-key): Veo at /v1beta/models/{model}:predictLongRunning; Gemini Omni at /v1/interactions (dialect gemini_interactions)"),
        ProviderPreset(name: "vertex", dialects: [.vertex], baseURL: "https://us-central1-aiplatform.googleapis.com",
                       summary: "Veo on Google Cloud Vertex AI (https://{location}-aiplatform.googleapis.com): OAuth access token or service account, project and location"),
        ProviderPreset(name: "kling", dialects: [.klingOfficial], baseURL: "https://api-singapore.klingai.com",
                       summary: "Kling's own API (access key + secret key, JWT): /v1/videos/text2video, image2video, omni-video"),
        ProviderPreset(name: "fal", dialects: [.fal], baseURL: "https://queue.fal.run",
                       summary: "fal's queue (Authorization: Key): POST /{app}, then the status, response and cancel URLs it answers"),
        ProviderPreset(name: "replicate", dialects: [.replicate], baseURL: "https://api.replicate.com",
                       summary: "Replicate predictions: /v1/models/{owner}/{name}/predictions, /v1/predictions (version), /v1/deployments/{owner}/{name}/predictions"),
    ]

    /// The names of every preset, comma-separated.
    public static var knownNames: String { all.map(\.name).joined(separator: ", ") }

    /// The preset called `name` (case-insensitive).
    /// - Throws: `.unsupported` naming the unknown preset and listing the known ones.
    public static func named(_ name: String) throws -> ProviderPreset {
        guard let preset = all.first(where: { $0.name == name.lowercased() }) else {
            throw VideoGenError(.unsupported, "unknown provider '\(Sanitize.text(name, limit: 64))' (known: \(knownNames))")
        }
        return preset
    }

    /// The dialect a configuration asks for: `requested` when the service speaks it, else the default.
    /// - Throws: `.invalidArgument` when `requested` is a dialect this service does not speak.
    public func dialect(_ requested: Dialect?) throws -> Dialect {
        guard let requested else { return defaultDialect }
        guard dialects.contains(requested) else {
            throw VideoGenError(.invalidArgument, "configuration field 'dialect' ('\(requested.rawValue)') contradicts 'provider' ('\(name)'), which speaks \(dialects.map(\.rawValue).joined(separator: ", "))")
        }
        return requested
    }
}
