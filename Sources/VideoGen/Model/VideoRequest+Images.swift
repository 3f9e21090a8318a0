import FoundationEssentials

extension VideoRequest {
    /// The request fields that take a reference image.
    public static let imageFields = ["image", "images", "image_tail", "input_reference"]

    /// Puts an image into the image field named `field` (for images given outside the JSON document, such as raw
    /// bytes from C): `images` appends in order, the other fields take one image and refuse a second.
    /// - Throws: `.invalidArgument` for a field that takes no image, or one that already holds an image.
    public mutating func attach(_ image: ImageSource, to field: String) throws {
        func single(_ current: ImageSource?) throws -> ImageSource {
            guard current == nil else {
                throw VideoGenError(.invalidArgument, "request field '\(field)' is given twice (in the JSON and as bytes, or as bytes twice)")
            }
            return image
        }
        switch field {
        case "image": self.image = try single(self.image)
        case "image_tail": imageTail = try single(imageTail)
        case "input_reference": inputReference = try single(inputReference)
        case "images": images = (images ?? []) + [image]
        default:
            throw VideoGenError(.invalidArgument, "'\(Sanitize.text(field, limit: 64))' is not an image field (use one of: \(VideoRequest.imageFields.joined(separator: ", ")))")
        }
    }
}
