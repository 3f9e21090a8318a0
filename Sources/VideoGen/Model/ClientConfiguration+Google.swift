import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Where Vertex AI requests go: the Google Cloud project and location (`project`, `location` in a configuration).
public struct GoogleSettings: Sendable, Hashable {
    /// The location used when a configuration names none.
    public static let defaultLocation = "us-central1"
    /// The project id.
    public var project: String
    /// The location (`us-central1`, `europe-west4`, `global`).
    public var location: String

    /// Creates the settings.
    public init(project: String, location: String = GoogleSettings.defaultLocation) {
        self.project = project
        self.location = location
    }

    /// The Vertex AI endpoint of `location`: `https://{location}-aiplatform.googleapis.com`
    /// (`https://aiplatform.googleapis.com` for `global`).
    public var endpoint: String {
        location == "global" ? "https://aiplatform.googleapis.com" : "https://\(location)-aiplatform.googleapis.com"
    }
}

/// The Google fields of a configuration, read before the key (Vertex AI has no API key: its credential is an OAuth
/// access token or a service account).
struct GoogleConfigurationFields {
    /// What the client holds as its key: the access token, or for a service account a random name that occurs
    /// nowhere (the minted tokens are remembered as they come); nil when the access token is given as `api_key` or
    /// `api_key_env`.
    var key: String?
    var account: GoogleServiceAccount?
    var settings: GoogleSettings
}

extension ClientConfiguration {
    /// The Vertex AI fields (`project`, `location`, `access_token`, `access_token_env`, `service_account_file`),
    /// read from `reader`: nil when the dialect is not `vertex` (any of them present is then refused by name).
    /// - Throws: `.unsupported` for a Vertex field on another dialect; `.invalidArgument` for a malformed project,
    ///   a malformed location, several credentials or an unreadable service account file; `.auth` for an unset
    ///   `access_token_env`.
    static func googleCredential(_ reader: inout FieldReader, dialect: Dialect?, insecure: Bool,
                                 environment: [String: String]?) throws -> GoogleConfigurationFields? {
        let project = try reader.string("project")
        let location = try reader.string("location")
        let token = try reader.string("access_token")
        let tokenVariable = try reader.string("access_token_env")
        let accountFile = try reader.string("service_account_file")
        guard dialect == .vertex else {
            let given = [("project", project), ("location", location), ("access_token", token),
                         ("access_token_env", tokenVariable), ("service_account_file", accountFile)]
                .filter { $0.1 != nil }.map(\.0)
            if let first = given.first {
                throw VideoGenError(.unsupported, "configuration field '\(first)' applies to the vertex dialect only, not \(dialect?.rawValue ?? "this configuration")")
            }
            return nil
        }
        // A project is needed to submit (the adapter refuses a submit without one), not to follow a task: its
        // operation name holds the project, so a record resumes with a configuration that names none.
        if let project, project.isEmpty || PathSegment.problem(project) != nil || project.contains("/") || project.contains("?") {
            throw VideoGenError(.invalidArgument, "configuration field 'project' must be a Google Cloud project id, not '\(Sanitize.text(project, limit: 64))'")
        }
        let place = location ?? GoogleSettings.defaultLocation
        guard !place.isEmpty, place.count <= 64,
              place.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
            throw VideoGenError(.invalidArgument, "configuration field 'location' must be a Vertex AI location such as us-central1, not '\(Sanitize.text(place, limit: 64))'")
        }
        let settings = GoogleSettings(project: project ?? "", location: place)
        let sources = [token, tokenVariable, accountFile].compactMap { $0 }
        guard sources.count <= 1 else {
            throw VideoGenError(.invalidArgument, "configuration fields 'access_token', 'access_token_env' and 'service_account_file' exclude each other")
        }
        if let token {
            return GoogleConfigurationFields(key: token, account: nil, settings: settings)
        }
        if let tokenVariable {
            let found = environment.map { $0[tokenVariable] } ?? getenv(tokenVariable).map { String(cString: $0) }
            guard let value = found, !value.isEmpty else {
                throw VideoGenError(.auth, "the environment variable '\(tokenVariable)' named by 'access_token_env' is not set")
            }
            return GoogleConfigurationFields(key: value, account: nil, settings: settings)
        }
        if let accountFile {
            let account = try readServiceAccount(accountFile, insecure: insecure)
            let name = "service-account-" + UUID().uuidString.lowercased()
            return GoogleConfigurationFields(key: name, account: account, settings: settings)
        }
        return GoogleConfigurationFields(key: nil, account: nil, settings: settings)
    }

    /// The error of a Vertex configuration with no credential at all.
    static let noGoogleCredential = VideoGenError(.auth, "the vertex dialect needs a credential: 'access_token', 'access_token_env' or 'service_account_file' (or an access token in 'api_key' / 'api_key_env')")

    /// Reads a service account key file (at most 64 KiB, a regular file).
    static func readServiceAccount(_ path: String, insecure: Bool) throws -> GoogleServiceAccount {
        var info = stat()
        guard !path.isEmpty, stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size <= 65536,
              let data = FileManager.default.contents(atPath: path) else {
            throw VideoGenError(.invalidArgument, "configuration field 'service_account_file' must name a readable service account key file (JSON, at most 64 KiB), not '\(Sanitize.text(path, limit: 200))'")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(data)
        } catch {
            throw VideoGenError(.invalidArgument, "the service account file '\(Sanitize.text(path, limit: 200))' is not JSON")
        }
        return try GoogleServiceAccount(json: json, allowInsecureHTTP: insecure)
    }

    /// Applies the Vertex AI fields after the configuration is made: the project and location, the endpoint of the
    /// location when the `vertex` preset is used without `base_url`, the service account's authenticator, and a
    /// 64 MiB answer limit (a finished operation carries its videos inline unless `storageUri` is given).
    /// - Throws: `.invalidArgument` for an `api_key` given to Vertex beside another credential (Vertex takes an OAuth
    ///   access token, which `api_key` / `api_key_env` may hold).
    mutating func applyGoogle(_ fields: GoogleConfigurationFields?, _ reader: inout FieldReader,
                              baseURLGiven: Bool, keyGiven: Bool) throws {
        guard let fields else { return }
        if keyGiven && fields.key != nil {
            throw VideoGenError(.invalidArgument, "configuration fields 'api_key' / 'api_key_env' and 'access_token', 'access_token_env' or 'service_account_file' exclude each other (for Vertex AI the API key is an OAuth access token)")
        }
        google = fields.settings
        if provider == "vertex" && !baseURLGiven {
            baseURL = try ClientConfiguration.checkedBaseURL(fields.settings.endpoint, allowInsecureHTTP: false)
        }
        if let account = fields.account {
            authenticator = GoogleServiceAccountAuthenticator(account: account, secrets: apiKey)
        }
        maxResponseBytes = max(maxResponseBytes, 64 * 1024 * 1024)
    }
}
