import FoundationEssentials

/// Which hosts count as loopback, when two URLs share an origin, and which headers carry credentials.
public enum OriginPolicy {
    /// Header names whose values are credentials; they never leave the configured origin.
    public static let credentialHeaders: Set<String> = [
        "authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie",
    ]

    /// True for `localhost`, 127.0.0.0/8 and ::1.
    public static func isLoopback(host: String) -> Bool {
        var lower = Substring(host.lowercased())
        while lower.first == "[" { lower.removeFirst() }
        while lower.last == "]" { lower.removeLast() }
        if lower == "localhost" || lower.hasSuffix(".localhost") || lower == "::1" { return true }
        let octets = lower.split(separator: ".")
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The (scheme, host, port) triple, with default ports filled in.
    public static func origin(of url: URL) -> String? {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
        let port = url.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : -1)
        return "\(scheme)://\(host):\(port)"
    }

    /// True when both URLs have the same scheme, host and port.
    public static func sameOrigin(_ lhs: URL, _ rhs: URL) -> Bool {
        guard let left = origin(of: lhs) else { return false }
        return left == origin(of: rhs)
    }

    /// Refuses URLs the library will not fetch: non-http(s) schemes, and plain http to a non-loopback host unless
    /// allowed.
    public static func check(_ url: URL, allowInsecureHTTP: Bool, purpose: String) throws {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", let host = url.host else {
            throw VideoGenError(.insecure, "\(purpose): refusing a URL that is not http(s)")
        }
        if scheme == "http" && !allowInsecureHTTP && !isLoopback(host: host) {
            throw VideoGenError(.insecure, "\(purpose): refusing plain http to '\(host)'; set allow_insecure_http to permit it")
        }
    }

    /// What to do with a redirect.
    public enum RedirectDecision: Sendable, Equatable {
        /// Follow it; strip every credential header first when `stripCredentials`.
        case follow(stripCredentials: Bool)
        /// Do not follow it; fail with this error.
        case refuse(VideoGenError)
    }

    /// The rule for a redirect from `source` to `target` after `hops` redirects (this one included): refuse
    /// non-http(s) targets, https→http downgrades and more than `maxHops`; strip credentials whenever the scheme,
    /// host or port changes (curl CVE-2018-1000007 and CVE-2022-27776).
    public static func redirect(from source: URL, to target: URL, hops: Int, maxHops: Int) -> RedirectDecision {
        if hops > maxHops {
            var loop = VideoGenError(.network, "more than \(maxHops) redirects")
            loop.isFinal = true
            return .refuse(loop)
        }
        let fromScheme = source.scheme?.lowercased()
        let toScheme = target.scheme?.lowercased()
        guard toScheme == "http" || toScheme == "https", target.host != nil else {
            return .refuse(VideoGenError(.insecure, "refusing a redirect to a non-http(s) URL"))
        }
        if fromScheme == "https" && toScheme == "http" {
            return .refuse(VideoGenError(.insecure, "refusing a redirect from https to plain http (\(target.host ?? "?"))"))
        }
        return .follow(stripCredentials: !sameOrigin(source, target))
    }
}
