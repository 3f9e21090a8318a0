/// A camera movement for the generated video, in Kling's terms: a preset movement, or `simple` with exactly one
/// non-zero axis.
///
/// Kling documents the types `simple`, `down_back`, `forward_up`, `right_turn_forward` and `left_turn_forward`;
/// only `simple` takes a `config`, whose axes (`horizontal`, `vertical`, `pan`, `tilt`, `roll`, `zoom`) lie in
/// -10...10 with exactly one of them non-zero.
public struct CameraControl: Sendable, Hashable {
    /// The movement types Kling documents.
    public static let types: [String] = ["simple", "down_back", "forward_up", "right_turn_forward", "left_turn_forward"]
    /// The axes of a `simple` movement's configuration.
    public static let axes: [String] = ["horizontal", "vertical", "pan", "tilt", "roll", "zoom"]

    /// The movement type, one of `types`.
    public let type: String
    /// The axis values of a `simple` movement; nil for the preset movements.
    public let config: [String: Double]?

    /// Creates a checked camera movement.
    /// - Throws: `.invalidArgument` naming the problem: an unknown type or axis, a value outside -10...10, a
    ///   `simple` movement without exactly one non-zero axis, or a configuration on a preset movement.
    public init(type: String, config: [String: Double]? = nil) throws {
        let context = "request field 'camera_control'"
        guard CameraControl.types.contains(type) else {
            throw VideoGenError(.invalidArgument, "\(context): type must be one of \(CameraControl.types.joined(separator: ", ")), not '\(Sanitize.text(type, limit: 64))'")
        }
        if type == "simple" {
            guard let config else {
                throw VideoGenError(.invalidArgument, "\(context): type 'simple' needs a 'config' with one non-zero axis")
            }
            for (axis, value) in config {
                guard CameraControl.axes.contains(axis) else {
                    throw VideoGenError(.invalidArgument, "\(context): unknown config axis '\(Sanitize.text(axis, limit: 64))' (known: \(CameraControl.axes.joined(separator: ", ")))")
                }
                guard value.isFinite, (-10...10).contains(value) else {
                    throw VideoGenError(.invalidArgument, "\(context): config '\(axis)' must be between -10 and 10")
                }
            }
            guard config.values.filter({ $0 != 0 }).count == 1 else {
                throw VideoGenError(.invalidArgument, "\(context): a 'simple' movement has exactly one non-zero config axis")
            }
        } else if config != nil {
            throw VideoGenError(.invalidArgument, "\(context): only type 'simple' takes a 'config'")
        }
        self.type = type
        self.config = config
    }

    /// Reads `{"type": ..., "config": {...}}` strictly (unknown members are refused by name).
    init(reading reader: inout FieldReader) throws {
        let type = try reader.requiredString("type")
        var config: [String: Double]?
        if var axes = try reader.nested("config") {
            var values: [String: Double] = [:]
            for axis in axes.presentKeys {
                if let value = try axes.double(axis, in: -1e9...1e9) { values[axis] = value }
            }
            try axes.finish()
            config = values
        }
        try reader.finish()
        try self.init(type: type, config: config)
    }

    /// The movement in Kling's JSON form; whole axis values are written as integers.
    public var json: JSONValue {
        var members: [String: JSONValue] = ["type": .string(type)]
        if let config {
            members["config"] = .object(config.mapValues { JSONValue.number($0) })
        }
        return .object(members)
    }
}

extension JSONValue {
    /// A number as JSON: an integer when it has no fractional part (so `5` stays `5` on the wire), else a float.
    static func number(_ value: Double) -> JSONValue {
        if value.isFinite, value.rounded() == value, abs(value) < 9e15 { return .int(Int64(value)) }
        return .double(value)
    }
}
