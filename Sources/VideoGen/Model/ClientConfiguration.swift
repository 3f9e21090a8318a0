import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// How a client talks to one service: dialect, where, with which key, and its timing rules.
public struct ClientConfiguration: Sendable {
    /// The wire dialect.
    public var dialect: Dialect
    /// The provider preset the configuration named (`provider`), if any.
    public var provider: String?
    /// Vertex AI's project and location (`project`, `location`); nil for other dialects.
    public var google: GoogleSettings?
    /// Which fetch route the `unified` dialect polls (`status_route`).
    public var statusRoute: UnifiedTaskAdapter.StatusRoute = .generations
    /// Options of the direct providers (`minimax_api`, `runway_version`, `prefer_wait`, `server_deadline`).
    public var directProviders = DirectProviderOptions()
    /// The service's root URL (a trailing `/v1` is removed: adapters add their own paths).
    public var baseURL: URL
    /// The API key, and with it every other secret of the service the client learns (`APIKey.remember`).
    public var apiKey: APIKey
    /// How requests prove who sends them, when not the dialect's way of sending `apiKey` (a signing secret, a
    /// service account); nil for the dialect's.
    public var authenticator: (any Authenticator)?
    /// Allow plain http to hosts other than loopback. Off by default: the key would cross the network in clear.
    public var allowInsecureHTTP: Bool = false
    /// Seconds for one whole control request (submit, poll, cancel), redirects included.
    public var requestTimeout: Double = 30
    /// Default deadline of a wait, in seconds.
    public var waitTimeout: Double = 900
    /// A download that receives no byte for this many seconds fails with `.timeout`.
    public var stallTimeout: Double = 30
    /// A download slower than this many bytes per second over `stallTimeout` fails with `.timeout` (and resumes).
    public var minDownloadRate: Int64 = 2048
    /// Deadline of one whole download (all its attempts, waits and URL refreshes), in seconds; nil for none. Past
    /// it the download fails with `.timeout`, and its part file stays to be continued.
    public var downloadTimeout: Double?
    /// Largest control-plane (JSON) response accepted, in bytes.
    public var maxResponseBytes: Int = 8 * 1024 * 1024
    /// Largest download accepted, in bytes; nil for no limit.
    public var maxDownloadBytes: Int64?
    /// The poll schedule.
    public var poll: PollPolicy
    /// The retry rules for failed requests.
    public var retry: RetryPolicy = RetryPolicy()
    /// The User-Agent header.
    public var userAgent: String = "videogen/\(VideoGenVersion.string)"
    /// The proxy every request goes through (`http://`, `https://`, `socks5h://`, ... URL); `""` for none even when
    /// the environment names one; nil (the default) for the environment's (`http_proxy`, `HTTPS_PROXY`,
    /// `NO_PROXY`, ...).
    public var proxy: String?
    /// A PEM file of CA certificates to verify servers with instead of the system's store (a gateway behind a
    /// private CA); nil for the system's. Verification itself is never off.
    public var caFile: String?

    /// Creates a configuration after checking the base URL's safety.
    public init(dialect: Dialect, baseURL: String, apiKey: APIKey, allowInsecureHTTP: Bool = false) throws {
        self.dialect = dialect
        self.allowInsecureHTTP = allowInsecureHTTP
        self.baseURL = try ClientConfiguration.checkedBaseURL(baseURL, allowInsecureHTTP: allowInsecureHTTP)
        self.apiKey = apiKey
        self.poll = dialect.adapter.defaultPollPolicy
        self.requestTimeout = dialect.adapter.defaultRequestTimeout
    }

    /// Creates a configuration from a provider preset: its dialect (or `dialect`, when the service speaks it), its
    /// address (or `baseURL`, which a preset without an address requires) and its defaults.
    /// - Throws: `.invalidArgument` for a dialect the service does not speak or a missing required base URL, and
    ///   the base URL checks of `init(dialect:baseURL:apiKey:allowInsecureHTTP:)`.
    public init(preset: ProviderPreset, dialect: Dialect? = nil, baseURL: String? = nil, apiKey: APIKey,
                allowInsecureHTTP: Bool = false) throws {
        let chosen = try preset.dialect(dialect)
        guard let address = baseURL ?? preset.baseURL else {
            throw VideoGenError(.invalidArgument, "provider '\(preset.name)' has no fixed address: configuration field 'base_url' is required")
        }
        try self.init(dialect: chosen, baseURL: address, apiKey: apiKey, allowInsecureHTTP: allowInsecureHTTP)
        provider = preset.name
        if let presetPoll = preset.poll[chosen] { poll = presetPoll }
    }

    /// The adapter of this configuration's dialect, with its options (`statusRoute`).
    public var adapter: any ProviderAdapter {
        switch dialect {
        case .unified: return UnifiedTaskAdapter(statusRoute: statusRoute)
        case .minimax: return MiniMaxAdapter(api: directProviders.minimaxAPI)
        case .runway: return RunwayAdapter(version: directProviders.runwayVersion)
        case .vertex: return VertexVeoAdapter(project: google?.project ?? "", location: google?.location ?? GoogleSettings.defaultLocation)
        case .fal, .replicate: return directAdapter
        default: return dialect.adapter
        }
    }

    /// Parses the configuration JSON document (schema in README.md).
    /// - Parameter environment: where `api_key_env` is looked up; nil (the default) for the process environment,
    ///   read with `getenv` (only the one variable, not a copy of the whole environment).
    public init(json: JSONValue, environment: [String: String]? = nil) throws {
        var reader = try FieldReader(json, context: "configuration")
        let known = Dialect.allCases.map(\.rawValue).joined(separator: ", ")
        let preset = try reader.string("provider").map(ProviderPreset.named)
        let requested = try reader.string("dialect").map { name in
            guard let dialect = Dialect(rawValue: name.lowercased()) else {
                throw VideoGenError(.unsupported, "unknown dialect '\(Sanitize.text(name, limit: 64))' (known: \(known))")
            }
            return dialect
        }
        if preset == nil && requested == nil {
            throw VideoGenError(.invalidArgument, "configuration field 'dialect' is required (one of: \(known)), or 'provider' (one of: \(ProviderPreset.knownNames))")
        }
        let baseURL = try reader.string("base_url")
        if let preset {
            // Contradictions and a missing address are reported before any key problem.
            _ = try preset.dialect(requested)
            if preset.baseURL == nil && baseURL == nil {
                throw VideoGenError(.invalidArgument, "provider '\(preset.name)' has no fixed address: configuration field 'base_url' is required")
            }
        } else if baseURL == nil {
            throw VideoGenError(.invalidArgument, "configuration field 'base_url' is required and must be a non-empty string")
        }
        let insecure = try reader.bool("allow_insecure_http") ?? false
        let googleCredential = try ClientConfiguration.googleCredential(&reader, dialect: try preset?.dialect(requested) ?? requested, insecure: insecure, environment: environment)
        let literalKey = try reader.string("api_key")
        let keyVariable = try reader.string("api_key_env")
        let key: String
        switch (literalKey, keyVariable) {
        case (.some, .some):
            throw VideoGenError(.invalidArgument, "configuration fields 'api_key' and 'api_key_env' exclude each other")
        case (.some(let literal), nil):
            key = literal
        case (nil, .some(let variable)):
            let found = environment.map { $0[variable] } ?? getenv(variable).map { String(cString: $0) }
            guard let value = found, !value.isEmpty else {
                throw VideoGenError(.auth, "the environment variable '\(variable)' named by 'api_key_env' is not set")
            }
            key = value
        case (nil, nil):
            guard let googleCredential else {
                throw VideoGenError(.auth, "no API key: set 'api_key' or 'api_key_env' in the configuration")
            }
            guard let googleKey = googleCredential.key else { throw ClientConfiguration.noGoogleCredential }
            key = googleKey
        }
        guard !key.isEmpty, key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7F }) else {
            throw VideoGenError(.invalidArgument, "the API key must be non-empty printable ASCII without spaces")
        }
        if let preset {
            try self.init(preset: preset, dialect: requested, baseURL: baseURL, apiKey: APIKey(key), allowInsecureHTTP: insecure)
        } else if let requested, let baseURL {
            try self.init(dialect: requested, baseURL: baseURL, apiKey: APIKey(key), allowInsecureHTTP: insecure)
        } else {
            throw VideoGenError(.internal, "configuration: no dialect")   // unreachable: checked above
        }
        try applyGoogle(googleCredential, &reader, baseURLGiven: baseURL != nil, keyGiven: literalKey != nil || keyVariable != nil)
        if let route = try reader.string("status_route") {
            guard dialect == .unified else {
                throw VideoGenError(.unsupported, "configuration field 'status_route' applies to the unified dialect only, not \(dialect.rawValue)")
            }
            guard let parsed = UnifiedTaskAdapter.StatusRoute(rawValue: route.lowercased()) else {
                throw VideoGenError(.invalidArgument, "configuration field 'status_route' must be one of \(UnifiedTaskAdapter.StatusRoute.allCases.map(\.rawValue).joined(separator: ", ")), not '\(Sanitize.text(route, limit: 64))'")
            }
            statusRoute = parsed
        }
        try readDirectProviderOptions(&reader)
        applyGeminiInteractions()
        requestTimeout = try reader.double("request_timeout", in: 0.1...3600) ?? requestTimeout
        waitTimeout = try reader.double("wait_timeout", in: 0.1...(30 * 86400)) ?? waitTimeout
        stallTimeout = try reader.double("stall_timeout", in: 0.1...3600) ?? stallTimeout
        minDownloadRate = try reader.int("min_download_rate", in: 0...(1 << 40)) ?? minDownloadRate
        downloadTimeout = try reader.double("download_timeout", in: 0.1...(30 * 86400))
        maxResponseBytes = Int(try reader.int("max_response_bytes", in: 1024...(1 << 30)) ?? Int64(maxResponseBytes))
        maxDownloadBytes = try reader.int("max_download_bytes", in: 1...Int64.max)
        userAgent = try reader.string("user_agent") ?? userAgent
        guard !userAgent.isEmpty, userAgent.count <= 256,
              userAgent.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else {
            throw VideoGenError(.invalidArgument, "configuration field 'user_agent' must be 1 to 256 printable ASCII characters")
        }
        if let proxy = try reader.string("proxy") {
            self.proxy = try ClientConfiguration.checkedProxy(proxy)
        }
        if let caFile = try reader.string("ca_file") {
            guard !caFile.isEmpty, access(caFile, R_OK) == 0 else {
                throw VideoGenError(.invalidArgument, "configuration field 'ca_file' must name a readable PEM file, not '\(Sanitize.text(caFile, limit: 200))'")
            }
            self.caFile = caFile
        }
        if var pollReader = try reader.nested("poll") {
            poll = try PollPolicy(reading: &pollReader, defaults: poll)
            try pollReader.finish()
        }
        if var retryReader = try reader.nested("retry") {
            retry = try RetryPolicy(reading: &retryReader, defaults: retry)
            try retryReader.finish()
        }
        try readDirectProviderFields(&reader, environment: environment)
        try reader.finish()
    }

    /// Checks and normalises a base URL: absolute http(s), a host, no credentials, query or fragment, and plain
    /// http only to loopback unless allowed.
    static func checkedBaseURL(_ text: String, allowInsecureHTTP: Bool) throws -> URL {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw VideoGenError(.invalidArgument, "base_url '\(text)' is not an absolute URL")
        }
        guard scheme == "http" || scheme == "https" else {
            throw VideoGenError(.invalidArgument, "base_url must be http or https, not '\(scheme)'")
        }
        guard let host = components.host, !host.isEmpty else {
            throw VideoGenError(.invalidArgument, "base_url '\(text)' has no host")
        }
        guard components.user == nil, components.password == nil else {
            throw VideoGenError(.invalidArgument, "base_url must not carry credentials; use api_key or api_key_env")
        }
        guard components.query == nil, components.fragment == nil else {
            throw VideoGenError(.invalidArgument, "base_url must not have a query or a fragment")
        }
        if scheme == "http" && !allowInsecureHTTP && !OriginPolicy.isLoopback(host: host) {
            throw VideoGenError(.insecure, "plain http to '\(host)' would send the API key in clear; use https or set allow_insecure_http")
        }
        var normalized = components
        normalized.scheme = scheme
        var path = normalized.path
        while path.hasSuffix("/") { path.removeLast() }
        if path.hasSuffix("/v1") { path.removeLast(3) }
        normalized.path = path
        guard let url = normalized.url else {
            throw VideoGenError(.invalidArgument, "base_url '\(text)' is not a valid URL")
        }
        return url
    }
}

extension ClientConfiguration {
    /// Schemes a `proxy` may have.
    static let proxySchemes: Set<String> = ["http", "https", "socks4", "socks4a", "socks5", "socks5h"]

    /// Checks a `proxy` setting: empty (no proxy), or an absolute URL of a proxy scheme with a host and nothing
    /// after the port.
    static func checkedProxy(_ text: String) throws -> String {
        if text.isEmpty { return text }
        guard text.count <= 2048, text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }),
              let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              proxySchemes.contains(scheme), let host = components.host, !host.isEmpty,
              components.path.isEmpty || components.path == "/", components.query == nil, components.fragment == nil else {
            throw VideoGenError(.invalidArgument, "configuration field 'proxy' must be a proxy URL (\(proxySchemes.sorted().joined(separator: ", ")) with a host), or \"\" for none")
        }
        return text
    }
}

/// The library's version.
public enum VideoGenVersion {
    /// Major version.
    public static let major = 0
    /// Minor version.
    public static let minor = 4
    /// Patch version.
    public static let patch = 0
    /// The version as text.
    public static let string = "\(major).\(minor).\(patch)"
    /// The ABI number of the C contract.
    public static let abi = 1
}
