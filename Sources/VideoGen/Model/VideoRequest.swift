import FoundationEssentials

/// One generation request in videogen's unified vocabulary; each provider adapter turns it into its own wire form
/// and refuses, by name, the fields its dialect cannot carry.
public struct VideoRequest: Sendable, Hashable {
    /// The provider's model name.
    public var model: String
    /// What to generate.
    public var prompt: String
    /// What to avoid.
    public var negativePrompt: String?
    /// A reference image (first frame / image-to-video input).
    public var image: ImageSource?
    /// Several reference images.
    public var images: [ImageSource]?
    /// The reference image under the OpenAI name `input_reference` (new-api and Router One carry it beside
    /// `image`; in the `openai` dialect it is the same field as `image`).
    public var inputReference: ImageSource?
    /// The last frame for image-to-video (Kling's `image_tail`).
    public var imageTail: ImageSource?
    /// Length of the video in whole seconds.
    public var duration: Int?
    /// Output size as `WIDTHxHEIGHT` (or a provider's own form such as `16x9`).
    public var size: String?
    /// Output width in pixels.
    public var width: Int?
    /// Output height in pixels.
    public var height: Int?
    /// Aspect ratio as `W:H`, e.g. `16:9`.
    public var aspectRatio: String?
    /// A resolution class such as `720p`.
    public var resolution: String?
    /// Frames per second.
    public var fps: Int?
    /// Random seed.
    public var seed: Int64?
    /// Number of videos.
    public var n: Int?
    /// Whether to watermark the output.
    public var watermark: Bool?
    /// A generation mode, e.g. Kling's `std` or `pro`.
    public var mode: String?
    /// How closely to follow the prompt, 0...1 (Kling's `cfg_scale`).
    public var cfgScale: Double?
    /// A camera movement (Kling's `camera_control`); excludes `imageTail`.
    public var cameraControl: CameraControl?
    /// An http(s) URL the service calls when the task changes state: `callback_url` of Kling, OpenRouter, Vidu, Luma,
    /// Ark and MiniMax (`metadata.callback_url` for new-api); refused by name where the service takes none.
    public var callbackURL: String?
    /// Your own id for the task, unique per account (Kling's `external_task_id`).
    public var externalTaskID: String?
    /// Provider metadata, sent verbatim where the dialect has a metadata object.
    public var metadata: [String: JSONValue]?
    /// Extra provider fields, sent verbatim at the top level of the provider's request.
    public var extra: [String: JSONValue]?
    /// The Idempotency-Key to send with the submit, when the caller manages it (to re-send a submit whose outcome
    /// is unknown without risking a duplicate task); a fresh one is made otherwise. Not a provider field.
    public var idempotencyKey: String?

    /// Creates a request; `model` and `prompt` are required, everything else optional.
    public init(model: String, prompt: String) {
        self.model = model
        self.prompt = prompt
    }

    /// The unified field names that are set, in the JSON schema's spelling.
    public var presentFields: [String] {
        var fields = ["model", "prompt"]
        if negativePrompt != nil { fields.append("negative_prompt") }
        if image != nil { fields.append("image") }
        if images != nil { fields.append("images") }
        if inputReference != nil { fields.append("input_reference") }
        if imageTail != nil { fields.append("image_tail") }
        if duration != nil { fields.append("duration") }
        if size != nil { fields.append("size") }
        if width != nil { fields.append("width") }
        if height != nil { fields.append("height") }
        if aspectRatio != nil { fields.append("aspect_ratio") }
        if resolution != nil { fields.append("resolution") }
        if fps != nil { fields.append("fps") }
        if seed != nil { fields.append("seed") }
        if n != nil { fields.append("n") }
        if watermark != nil { fields.append("watermark") }
        if mode != nil { fields.append("mode") }
        if cfgScale != nil { fields.append("cfg_scale") }
        if cameraControl != nil { fields.append("camera_control") }
        if callbackURL != nil { fields.append("callback_url") }
        if externalTaskID != nil { fields.append("external_task_id") }
        if metadata != nil { fields.append("metadata") }
        if extra != nil { fields.append("extra") }
        return fields
    }

    /// The output size as `WxH`: `size` if given, else built from `width` and `height`.
    public var effectiveSize: String? {
        if let size { return size }
        if let width, let height { return "\(width)x\(height)" }
        return nil
    }

    /// Parses and validates the request JSON document (schema in README.md).
    /// - Throws: `.invalidJSON` for a non-object, `.invalidArgument` naming the field for unknown fields, wrong
    ///   types, out-of-range values or a missing model or prompt.
    public init(json: JSONValue) throws {
        var reader = try FieldReader(json, context: "request")
        self.init(model: try reader.requiredString("model"), prompt: try reader.requiredString("prompt"))
        negativePrompt = try reader.string("negative_prompt")
        image = try reader.string("image").map(ImageSource.init(string:))
        images = try reader.stringArray("images").map { $0.map(ImageSource.init(string:)) }
        inputReference = try reader.string("input_reference").map(ImageSource.init(string:))
        imageTail = try reader.string("image_tail").map(ImageSource.init(string:))
        duration = try reader.int("duration", in: 1...3600).map { Int($0) }
        size = try reader.string("size")
        width = try reader.int("width", in: 1...16384).map { Int($0) }
        height = try reader.int("height", in: 1...16384).map { Int($0) }
        aspectRatio = try reader.string("aspect_ratio")
        resolution = try reader.string("resolution")
        fps = try reader.int("fps", in: 1...240).map { Int($0) }
        seed = try reader.int("seed", in: Int64.min...Int64.max)
        n = try reader.int("n", in: 1...16).map { Int($0) }
        watermark = try reader.bool("watermark")
        mode = try reader.string("mode")
        cfgScale = try reader.double("cfg_scale", in: 0...1)
        if var camera = try reader.nested("camera_control") {
            cameraControl = try CameraControl(reading: &camera)
        }
        callbackURL = try reader.string("callback_url")
        externalTaskID = try reader.string("external_task_id")
        idempotencyKey = try reader.string("idempotency_key")
        if let key = idempotencyKey, key.isEmpty || key.count > 255
            || !key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) {
            throw VideoGenError(.invalidArgument, "request field 'idempotency_key' must be 1 to 255 printable ASCII characters without spaces")
        }
        metadata = try reader.object("metadata")
        extra = try reader.object("extra")
        try reader.finish()
        try validate()
    }

    /// Checks the cross-field rules: size and aspect-ratio forms, width and height together and consistent, a
    /// non-empty mode and task id, an http(s) callback URL, a cfg_scale in 0...1, and no camera movement together
    /// with a last frame (Kling refuses the pair).
    public func validate() throws {
        if let size, !VideoRequest.isDimensionPair(size, separator: "x") {
            throw VideoGenError(.invalidArgument, "request field 'size' must look like 1280x720, not '\(size)'")
        }
        if let aspectRatio, !VideoRequest.isDimensionPair(aspectRatio, separator: ":") {
            throw VideoGenError(.invalidArgument, "request field 'aspect_ratio' must look like 16:9, not '\(aspectRatio)'")
        }
        if (width == nil) != (height == nil) {
            throw VideoGenError(.invalidArgument, "request fields 'width' and 'height' go together: give both or neither")
        }
        if let size, let width, let height, size != "\(width)x\(height)" {
            throw VideoGenError(.invalidArgument, "request field 'size' (\(size)) contradicts 'width' and 'height' (\(width)x\(height))")
        }
        if let images, images.isEmpty {
            throw VideoGenError(.invalidArgument, "request field 'images' must not be empty")
        }
        for (name, value) in [("mode", mode), ("external_task_id", externalTaskID)] {
            if let value, value.trimmingWhitespaceAndNewlines().isEmpty {
                throw VideoGenError(.invalidArgument, "request field '\(name)' must not be empty")
            }
        }
        if let cfgScale, !(cfgScale.isFinite && (0...1).contains(cfgScale)) {
            throw VideoGenError(.invalidArgument, "request field 'cfg_scale' must be between 0 and 1, not \(cfgScale)")
        }
        if let callbackURL, !VideoRequest.isHTTPURL(callbackURL) {
            throw VideoGenError(.invalidArgument, "request field 'callback_url' must be an http(s) URL, not '\(Sanitize.text(callbackURL, limit: 200))'")
        }
        if cameraControl != nil && imageTail != nil {
            throw VideoGenError(.invalidArgument, "request fields 'camera_control' and 'image_tail' exclude each other")
        }
    }

    /// True for an absolute http(s) URL with a host.
    static func isHTTPURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return (lower.hasPrefix("https://") || lower.hasPrefix("http://")) && URL(string: text)?.host?.isEmpty == false
    }

    static func isDimensionPair(_ text: String, separator: Character) -> Bool {
        let parts = text.split(separator: separator, omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 5 && part.allSatisfy { $0.isASCII && $0.isNumber }
        }
    }
}
