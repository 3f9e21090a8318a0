import FoundationEssentials

/// The shapes of Gemini's Interactions API for video (Gemini Omni), as google-genai 3.6.1's generated types
/// (`google/genai/_gaos/types/interactions`) define them: `CreateModelInteraction` (`model`, `input`, `background`,
/// `response_format`, `generation_config`), `Interaction` (`id`, `status`, `steps`, `output_video`, `errors`,
/// `usage`), `ModelOutputStep` (`content[]`, `error`), `VideoContent` (`data` base64 or `uri`, `mime_type`),
/// `VideoResponseFormat` (`type: "video"`, `aspect_ratio`, `resolution`, `duration`, `delivery`, `gcs_uri`) and
/// `VideoConfig.task`.
enum GeminiInteractionsWire {
    /// The request fields the dialect takes.
    static let supportedFields: Set<String> = [
        "model", "prompt", "image", "images", "duration", "aspect_ratio", "resolution", "seed", "extra",
    ]

    /// The `POST /v1/interactions` body of `request`: `model`, `input` (the prompt as a string, or a list of
    /// content blocks when images go with it: `{"type": "text"}` then `{"type": "image", "data", "mime_type"}`),
    /// `background: true`, `response_format` (`{"type": "video"}` with `aspect_ratio`, `resolution`, `duration`),
    /// `generation_config` (`seed`; `video_config.task` `image_to_video` for a first frame, `reference_to_video`
    /// for reference images). `extra` members are added to the body verbatim; an object member the body already
    /// has (`response_format`, `generation_config`) is merged into it member by member, refusing collisions.
    static func body(_ request: VideoRequest) throws -> [String: JSONValue] {
        guard !(request.image != nil && request.images != nil) else {
            throw VideoGenError(.invalidArgument, "request fields 'image' (the first frame) and 'images' (references) exclude each other in the gemini_interactions dialect: an interaction has one video task")
        }
        var content: [JSONValue] = []
        if let image = request.image { content.append(try wireImage(image, field: "image")) }
        for (index, image) in (request.images ?? []).enumerated() {
            content.append(try wireImage(image, field: "images[\(index)]"))
        }
        var body: [String: JSONValue] = ["model": .string(try modelID(request.model)), "background": .bool(true)]
        if content.isEmpty {
            body["input"] = .string(request.prompt)
        } else {
            body["input"] = .array([.object(["type": .string("text"), "text": .string(request.prompt)])] + content)
        }
        var format: [String: JSONValue] = ["type": .string("video")]
        if let ratio = request.aspectRatio { format["aspect_ratio"] = .string(ratio) }
        if let resolution = request.resolution { format["resolution"] = .string(resolution) }
        if let duration = request.duration {
            guard duration > 0 else {
                throw VideoGenError(.invalidArgument, "request field 'duration' must be a positive number of seconds")
            }
            format["duration"] = .string("\(duration)s")
        }
        body["response_format"] = .object(format)
        var generation: [String: JSONValue] = [:]
        if let seed = request.seed { generation["seed"] = .int(seed) }
        if request.image != nil { generation["video_config"] = .object(["task": .string("image_to_video")]) }
        if request.images != nil { generation["video_config"] = .object(["task": .string("reference_to_video")]) }
        if !generation.isEmpty { body["generation_config"] = .object(generation) }
        try merge(request.extra ?? [:], into: &body)
        return body
    }

    /// `extra` into the body: new members verbatim; an object member of an object already sent, member by member.
    static func merge(_ extra: [String: JSONValue], into body: inout [String: JSONValue]) throws {
        for (key, value) in extra.sorted(by: { $0.key < $1.key }) {
            guard let present = body[key] else {
                body[key] = value
                continue
            }
            guard var members = present.objectValue, let added = value.objectValue else {
                throw VideoGenError(.invalidArgument, "request 'extra' field '\(key)' collides with a field videogen already sends")
            }
            for (name, member) in added {
                guard members[name] == nil else {
                    throw VideoGenError(.invalidArgument, "request 'extra' field '\(key).\(name)' collides with a field videogen already sends")
                }
                members[name] = member
            }
            body[key] = .object(members)
        }
    }

    /// An image as an `ImageContent` block: `{"type": "image", "data": base64, "mime_type"}`. An http(s) URL is
    /// refused: whether the service fetches one (`uri`) could not be confirmed.
    static func wireImage(_ image: ImageSource, field: String) throws -> JSONValue {
        switch try image.wire(field: field) {
        case .url:
            throw VideoGenError(.unsupported, "request field '\(field)': the gemini_interactions dialect sends images as bytes; give a file or a data: URI, not an http(s) URL")
        case .local(let loaded):
            return .object(["type": .string("image"), "data": .string(loaded.data.base64EncodedString()),
                            "mime_type": .string(loaded.mimeType)])
        }
    }

    /// The model id (`gemini-omni-flash-preview`; `models/...` accepted): non-empty, one segment, no spaces.
    static func modelID(_ model: String) throws -> String {
        let id = model.hasPrefix("models/") ? String(model.dropFirst("models/".count)) : model
        guard !id.isEmpty, id.count <= 128, !id.contains("/"), PathSegment.problem(id) == nil,
              !id.unicodeScalars.contains(where: { $0 == " " }) else {
            throw VideoGenError(.invalidArgument, "request field 'model' must name one model (e.g. gemini-omni-flash-preview), not '\(Sanitize.text(model, limit: 64))'")
        }
        return id
    }

    /// The video content blocks of an interaction, in google-genai's order for `output_video`: the `model_output`
    /// steps after the last `user_input` step, their `content[]` blocks of `type` `video`, the last first; or the
    /// interaction's own `output_video` when it has no steps holding one.
    static func videos(_ body: JSONValue) -> [JSONValue] {
        var found: [JSONValue] = []
        for step in (body["steps"]?.arrayValue ?? []).reversed() {
            let type = step["type"]?.stringValue
            if type == "user_input" { break }
            guard type == "model_output" else { continue }
            for item in (step["content"]?.arrayValue ?? []).reversed() where item["type"]?.stringValue == "video" {
                found.append(item)
            }
        }
        if found.isEmpty, let single = body["output_video"], single.objectValue != nil { found.append(single) }
        return found
    }

    /// The `video_url` prefix of a video the interaction carries inline (`data`).
    static let inlinePrefix = "inline:interaction/videos/"

    /// Where each video is: its `uri`, or `inline:interaction/videos/{index}` for base64 `data`.
    static func locations(_ body: JSONValue) throws -> [String] {
        try videos(body).enumerated().map { index, video in
            if let uri = video["uri"]?.stringValue, !uri.isEmpty { return uri }
            if let data = video["data"]?.stringValue, !data.isEmpty { return inlinePrefix + String(index) }
            throw VideoGenError(.protocolError, "the interaction's video \(index) has neither 'uri' nor 'data'")
        }
    }

    /// The first error the interaction reports: `errors[0]` (`code` a string, `message`), else a `model_output`
    /// step's `error` (`google.rpc.Status`: numeric `code`, `message`).
    static func failure(_ body: JSONValue) -> (code: String?, message: String?)? {
        if let first = body["errors"]?.arrayValue?.first(where: { $0.objectValue != nil }) {
            return (first["code"]?.stringValue ?? first["code"]?.intValue.map(String.init), first["message"]?.stringValue)
        }
        for step in (body["steps"]?.arrayValue ?? []).reversed() {
            if let error = step["error"], error.objectValue != nil {
                let number = error["code"]?.intValue
                return (number.flatMap { GoogleVeoWire.statusNames[$0] } ?? number.map(String.init), error["message"]?.stringValue)
            }
        }
        return nil
    }
}
