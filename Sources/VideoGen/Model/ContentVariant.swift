import FoundationEssentials

/// Which asset of a finished video to download: the video itself, or one of the stills the `/v1/videos` shape
/// serves beside it (`GET /v1/videos/{id}/content?variant=...`).
public enum ContentVariant: String, Sendable, Hashable, CaseIterable {
    /// The video (MP4): what `download` fetches.
    case video
    /// A still image of the video (JPEG on the services that serve it).
    case thumbnail
    /// A grid of frames of the video in one image (JPEG on the services that serve it).
    case spritesheet

    /// The variant named `name` (`video`, `thumbnail`, `spritesheet`).
    /// - Throws: `.invalidArgument` naming the known variants.
    public init(name: String) throws {
        guard let variant = ContentVariant(rawValue: name) else {
            let known = ContentVariant.allCases.map(\.rawValue).joined(separator: ", ")
            throw VideoGenError(.invalidArgument, "unknown content variant '\(Sanitize.text(name, limit: 64))'; known: \(known)")
        }
        self = variant
    }
}
