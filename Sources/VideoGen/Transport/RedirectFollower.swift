import FoundationEssentials

/// Decides each redirect of one request: the transport follows redirects itself (libcurl never does), so every
/// rule is here, pure and tested on its own.
///
/// - Only http(s) `Location`s (anything else is `.insecure`), never https to http, at most `maxHops`.
/// - Credential headers go only to the origin of the first request; once a hop leaves it they are gone for good,
///   also if a later hop comes back.
/// - `GET` and `HEAD` follow every redirect (303 included). Any other method (a submit, a cancel) follows only
///   307 and 308, re-sending the same method and body, and only within the first request's origin; a 301, 302 or
///   303 answer to it, or a 307/308 to another origin, is refused: re-sending a submit without its body, as a `GET`,
///   or to a host the key does not belong to, could lose the task or create it twice.
struct RedirectFollower: Sendable {
    /// Most redirects followed for one request.
    static let maxHops = 20

    private let origin: URL
    private var hops = 0
    private var credentialsDropped = false

    /// Follows the redirects of `request`.
    init(for request: HTTPRequest) {
        origin = request.url
    }

    /// True for the statuses that redirect (with a `Location`).
    static func isRedirect(_ status: Int) -> Bool {
        [301, 302, 303, 307, 308].contains(status)
    }

    /// The request to send after `request` was answered with the redirect `status` to `location`.
    /// - Throws: `.insecure` (scheme, downgrade, a body to another origin), `.protocolError` (an unusable
    ///   `Location`, a redirected submit), `.network` (too many hops, final).
    mutating func next(after request: HTTPRequest, status: Int, location: String) throws -> HTTPRequest {
        hops += 1
        guard let target = RedirectFollower.resolve(location, against: request.url) else {
            throw VideoGenError(.protocolError, "the service redirected (HTTP \(status)) to a Location that is not a URL", httpStatus: status)
        }
        if case .refuse(let error) = OriginPolicy.redirect(from: request.url, to: target, hops: hops, maxHops: RedirectFollower.maxHops) {
            var error = error
            error.httpStatus = error.httpStatus ?? status
            throw error
        }
        var next = request
        next.url = target
        let method = request.method.uppercased()
        if method != "GET" && method != "HEAD" {
            guard status == 307 || status == 308 else {
                var refused = VideoGenError(.protocolError, "the service answered a \(method) with a redirect (HTTP \(status)); a \(method) is re-sent only on 307 or 308, with its body", httpStatus: status)
                refused.isFinal = true
                throw refused
            }
            guard OriginPolicy.sameOrigin(target, origin) else {
                throw VideoGenError(.insecure, "refusing to re-send a \(method) to another origin (\(target.host ?? "?")) on a redirect", httpStatus: status)
            }
        }
        if credentialsDropped || !OriginPolicy.sameOrigin(target, origin) {
            credentialsDropped = true
            next.headers.removeAll { OriginPolicy.credentialHeaders.contains($0.name.lowercased()) }
        }
        return next
    }

    /// `location` resolved against `base`; nil when it is not a usable absolute URL.
    static func resolve(_ location: String, against base: URL) -> URL? {
        let trimmed = location.trimmingWhitespace()
        guard !trimmed.isEmpty, trimmed.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }),
              let url = URL(string: trimmed, relativeTo: base)?.absoluteURL, url.scheme != nil else { return nil }
        return url
    }
}
