/// The error codes particular to one dialect's services, refining what the HTTP status says (see
/// `ErrorMapping.error(from:now:refinements:)`). Keys are lower-case.
enum ProviderErrorCodes {
    /// Kling's business codes (its official table). Kling answers a depleted resource pack (1102) and arrears
    /// (1101) with HTTP 429, which would otherwise read as a rate limit; 1303 (concurrency over the resource pack's
    /// limit) is a rate limit that heals as running tasks finish.
    static let kling: [String: VideoGenError.Code] = [
        "1000": .auth, "1001": .auth, "1002": .auth, "1003": .auth, "1004": .auth,
        "1100": .permission, "1101": .quota, "1102": .quota, "1103": .permission,
        "1200": .badRequest, "1201": .badRequest, "1202": .badRequest, "1203": .notFound,
        "1300": .contentPolicy, "1301": .contentPolicy,
        "1302": .rateLimited, "1303": .rateLimited, "1304": .permission,
        "5000": .server, "5001": .server, "5002": .server,
    ]

    /// Router One's error codes beyond the common ones (`invalid_api_key`, `insufficient_balance`,
    /// `task_not_found` are in the common table).
    static let routerOne: [String: VideoGenError.Code] = [
        "reference_image_invalid": .badRequest,
        "upstream_error": .server,
        "invalid_task_id": .notFound,
    ]
}
