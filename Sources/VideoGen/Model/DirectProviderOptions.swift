import FoundationEssentials

/// The configuration options of the direct providers beyond a key and an address: MiniMax's API version, Runway's
/// dated version, Replicate's `Prefer: wait`, and the server-side deadline fal and Replicate can enforce. (Kling's
/// secret key is not kept here: it becomes the client's authenticator.)
public struct DirectProviderOptions: Sendable, Hashable {
    /// Which MiniMax video API new tasks are created with (`minimax_api`: `v1`, the default, or `v2`). A task keeps
    /// the version it was created with in its record, so a resumed task is polled where it lives.
    public var minimaxAPI: MiniMaxAdapter.APIVersion = .v1
    /// The dated API version Runway is asked for (`runway_version`, sent as `X-Runway-Version`).
    public var runwayVersion: String = RunwayAdapter.defaultVersion
    /// Seconds Replicate holds the submit answer for a prediction that finishes quickly (`Prefer: wait=N`, 1...60);
    /// 0 sends no `Prefer` header. Default 5.
    public var preferWait: Int = 5
    /// Whether the service itself abandons the task when the configuration's `wait_timeout` has passed since the
    /// submit: Replicate's `Cancel-After` (the prediction ends `aborted` or `canceled`), fal's
    /// `X-Fal-Request-Timeout` (a request still queued then is dropped). Off by default.
    public var serverDeadline: Bool = false

    /// The defaults.
    public init() {}
}

extension ClientConfiguration {
    /// Reads `minimax_api` and `runway_version`, each refused by name for the dialects it does not apply to.
    mutating func readDirectProviderOptions(_ reader: inout FieldReader) throws {
        if let api = try reader.string("minimax_api") {
            guard dialect == .minimax else {
                throw VideoGenError(.unsupported, "configuration field 'minimax_api' applies to the minimax dialect only, not \(dialect.rawValue)")
            }
            guard let version = MiniMaxAdapter.APIVersion(rawValue: api.lowercased()) else {
                throw VideoGenError(.invalidArgument, "configuration field 'minimax_api' must be v1 or v2, not '\(Sanitize.text(api, limit: 64))'")
            }
            directProviders.minimaxAPI = version
        }
        if let version = try reader.string("runway_version") {
            guard dialect == .runway else {
                throw VideoGenError(.unsupported, "configuration field 'runway_version' applies to the runway dialect only, not \(dialect.rawValue)")
            }
            guard RunwayAdapter.isDatedVersion(version) else {
                throw VideoGenError(.invalidArgument, "configuration field 'runway_version' must be a date like 2024-11-06, not '\(Sanitize.text(version, limit: 64))'")
            }
            directProviders.runwayVersion = version
        }
    }
}
