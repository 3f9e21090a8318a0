import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

extension ClientConfiguration {
    /// The fal and Replicate adapters with this configuration's options.
    var directAdapter: any ProviderAdapter {
        let deadline = directProviders.serverDeadline ? waitTimeout : nil
        switch dialect {
        case .fal: return FalQueueAdapter(serverDeadline: deadline)
        case .replicate: return ReplicateAdapter(preferWait: directProviders.preferWait, cancelAfter: deadline)
        default: return dialect.adapter
        }
    }

    /// Reads `secret_key` / `secret_key_env` (Kling), `prefer_wait` (Replicate) and `server_deadline` (fal,
    /// Replicate), refusing each by name for dialects it does not apply to; sets Kling's JWT authenticator.
    mutating func readDirectProviderFields(_ reader: inout FieldReader, environment: [String: String]?) throws {
        let literal = try reader.string("secret_key")
        let variable = try reader.string("secret_key_env")
        let wait = try reader.int("prefer_wait", in: 0...60)
        let deadline = try reader.bool("server_deadline")
        func refuse(_ field: String, _ dialects: String) throws {
            throw VideoGenError(.unsupported, "configuration field '\(field)' applies to the \(dialects) dialect\(dialects.contains(" and ") ? "s" : "") only, not \(dialect.rawValue)")
        }
        if dialect != .klingOfficial {
            if literal != nil { try refuse("secret_key", "kling_official") }
            if variable != nil { try refuse("secret_key_env", "kling_official") }
        }
        if dialect != .replicate, wait != nil { try refuse("prefer_wait", "replicate") }
        if dialect != .replicate && dialect != .fal, deadline != nil { try refuse("server_deadline", "fal and replicate") }
        if let wait {
            guard wait == 0 || Double(wait) + 5 <= requestTimeout else {
                throw VideoGenError(.invalidArgument, "configuration field 'prefer_wait' (\(wait) s) must leave 5 s of 'request_timeout' (\(requestTimeout) s): the submit's answer is held that long")
            }
            directProviders.preferWait = Int(wait)
        } else if dialect == .replicate, Double(directProviders.preferWait) + 5 > requestTimeout {
            directProviders.preferWait = 0   // a short request_timeout: no held answer rather than a timed-out submit
        }
        directProviders.serverDeadline = deadline ?? false
        guard dialect == .klingOfficial else { return }
        let secret: String
        switch (literal, variable) {
        case (.some, .some):
            throw VideoGenError(.invalidArgument, "configuration fields 'secret_key' and 'secret_key_env' exclude each other")
        case (.some(let value), nil):
            secret = value
        case (nil, .some(let name)):
            let found = environment.map { $0[name] } ?? getenv(name).map { String(cString: $0) }
            guard let value = found, !value.isEmpty else {
                throw VideoGenError(.auth, "the environment variable '\(Sanitize.text(name, limit: 64))' named by 'secret_key_env' is not set")
            }
            secret = value
        case (nil, nil):
            throw VideoGenError(.auth, "Kling's API needs a secret key beside the access key ('api_key'): set 'secret_key' or 'secret_key_env'")
        }
        guard secret.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7F }), secret.utf8.count <= 4096 else {
            throw VideoGenError(.invalidArgument, "the secret key must be non-empty printable ASCII without spaces")
        }
        authenticator = try KlingJWTAuthenticator(accessKey: apiKey, secretKey: secret)
    }
}
