import FoundationEssentials

/// Kling's own API (`kling_official`): which family a request goes to, the bodies of each, and what the answers
/// carry beyond the gateway's shape.
extension KlingAdapter {
    /// What text2video and image2video take on Kling's own API: the gateway's list without the gateway fields
    /// (`width`, `height`, `fps`, `seed`, `n`) and without `metadata` (Kling has no metadata object; provider fields
    /// go through `extra`).
    static let officialFields: Set<String> = [
        "model", "prompt", "negative_prompt", "image", "image_tail", "duration", "aspect_ratio", "mode", "cfg_scale",
        "camera_control", "watermark", "callback_url", "external_task_id", "extra",
    ]

    /// What omni-video takes: frames and reference images (`image_list`), no negative prompt, cfg_scale or camera.
    static let omniFields: Set<String> = [
        "model", "prompt", "image", "image_tail", "images", "duration", "aspect_ratio", "mode", "watermark",
        "callback_url", "external_task_id", "extra",
    ]

    /// Whether `model` is one of Kling's omni models (`kling-video-o1`, `kling-v3-omni`, ...), which only the
    /// omni-video family serves.
    static func isOmniModel(_ model: String) -> Bool {
        let lower = model.lowercased()
        return lower.hasPrefix("kling-video-o") || lower.contains("omni")
    }

    /// The family of `request` on Kling's own API: omni-video for omni models or several reference images, else
    /// as on the gateways.
    static func officialRoute(for request: VideoRequest) -> Route {
        if isOmniModel(request.model) || request.images != nil { return .omniVideo }
        return route(for: request)
    }

    /// The submit of `request` to Kling's own API.
    func officialSubmitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest {
        let route = KlingAdapter.officialRoute(for: request)
        var body = commonBody(request)
        if route == .omniVideo {
            try refuseUnsupported(request, supported: KlingAdapter.omniFields)
            if request.imageTail != nil && request.image == nil {
                throw VideoGenError(.invalidArgument, "Kling's omni-video takes an end frame ('image_tail') only with a first frame ('image')")
            }
            var list: [JSONValue] = []
            if let image = request.image {
                list.append(["image_url": .string(try wireImage(image, field: "image")), "type": "first_frame"])
            }
            if let tail = request.imageTail {
                list.append(["image_url": .string(try wireImage(tail, field: "image_tail")), "type": "end_frame"])
            }
            for (index, image) in (request.images ?? []).enumerated() {
                list.append(["image_url": .string(try wireImage(image, field: "images[\(index)]"))])
            }
            if !list.isEmpty { body["image_list"] = .array(list) }
        } else {
            try refuseUnsupported(request, supported: KlingAdapter.officialFields)
            if let image = request.image { body["image"] = .string(try wireImage(image, field: "image")) }
            if let tail = request.imageTail { body["image_tail"] = .string(try wireImage(tail, field: "image_tail")) }
        }
        try mergeVerbatim(request.extra, into: &body, source: "extra")
        return jsonPost(baseURL, "/v1/videos/\(route.rawValue)", body)
    }

    /// `report` with what Kling's own answers add: the task's `external_task_id` (kept in its links, so that a
    /// task resumed by that id knows it) and `final_unit_deduction` (its usage). Gateway answers are left as read.
    func officialDetails(_ report: StatusReport, _ body: JSONValue) -> StatusReport {
        guard official else { return report }
        var report = report
        let data = body["data"]?.objectValue != nil ? body["data"] : body
        if let external = data?["task_info"]?["external_task_id"]?.textValue, !external.isEmpty {
            report.links = ["external_task_id": external]
        }
        if let units = data?["final_unit_deduction"], !units.isNull {
            report.usage = .object(["final_unit_deduction": units])
        }
        return report
    }
}

/// The credentials of a `kling_official` client configured without a secret key: every request fails with `.auth`
/// (a bare access key cannot sign Kling's JWT).
struct MissingKlingSecret: Authenticator {
    func headers(now: Double) throws -> [(name: String, value: String)]? {
        throw VideoGenError(.auth, "Kling's API needs a secret key beside the access key: set 'secret_key' or 'secret_key_env' (or give the configuration a KlingJWTAuthenticator)")
    }
}
