import FoundationEssentials

/// The `/v1/videos` operations beyond one task's life, as openai-python (3.54) sends and reads them and gateways
/// copying the shape serve them: `GET /v1/videos?after=&limit=&order=` answered by the cursor page
/// `{object: "list", data: [Video], first_id, last_id, has_more}`; `DELETE /v1/videos/{id}` answered by
/// `{id, object: "video.deleted", deleted: true}`; `POST /v1/videos/{id}/remix` with JSON `{prompt}` answered by a
/// new Video whose `remixed_from_video_id` names the source; `GET /v1/videos/{id}/content?variant=thumbnail|
/// spritesheet` for the stills (the video itself has no query, as before).
extension OpenAIVideosAdapter: VideoLibraryAdapter {
    public func listRequest(_ query: VideoListQuery, baseURL: URL) -> HTTPRequest {
        var parameters: [(String, String)] = []
        if let after = query.after { parameters.append(("after", after)) }
        if let limit = query.limit { parameters.append(("limit", String(limit))) }
        if let order = query.order { parameters.append(("order", order.rawValue)) }
        let search = parameters.isEmpty ? ""
            : "?" + parameters.map { "\($0.0)=\(QueryText.encode($0.1))" }.joined(separator: "&")
        return jsonGet(baseURL, "/v1/videos" + search)
    }

    public func parseList(_ response: HTTPResponse, baseURL: URL) throws -> VideoListReport {
        let body = try response.json()
        guard body.objectValue != nil else {
            throw VideoGenError(.protocolError, "the list answer is not a JSON object", httpStatus: response.status)
        }
        if let object = body["object"], !object.isNull, object.stringValue != "list" {
            throw VideoGenError(.protocolError, "the list answer's 'object' is not \"list\"", httpStatus: response.status)
        }
        guard let data = body["data"]?.arrayValue else {
            throw VideoGenError(.protocolError, "the list answer has no 'data' array", httpStatus: response.status)
        }
        let items = try data.enumerated().map { index, element -> StatusReport in
            let report: StatusReport
            do {
                report = try parseVideoObject(element, status: response.status, baseURL: baseURL)
            } catch let error as VideoGenError {
                throw VideoGenError(.protocolError, "the list answer's data[\(index)]: \(error.message)", httpStatus: response.status)
            }
            guard let id = report.id, !id.isEmpty else {
                throw VideoGenError(.protocolError, "the list answer's data[\(index)] has no 'id'", httpStatus: response.status)
            }
            return report
        }
        let hasMore: Bool
        switch body["has_more"] {
        case nil, .null?: hasMore = false
        case .bool(let flag)?: hasMore = flag
        default: throw VideoGenError(.protocolError, "the list answer's 'has_more' is not a boolean", httpStatus: response.status)
        }
        // A gateway that leaves the cursors out still pages: they are the first and last ids of `data`.
        let firstID = body["first_id"]?.stringValue ?? items.first?.id
        let lastID = body["last_id"]?.stringValue ?? items.last?.id
        if hasMore && (lastID ?? "").isEmpty {
            throw VideoGenError(.protocolError, "the list answer says more videos follow but names no 'last_id' to continue from", httpStatus: response.status)
        }
        return VideoListReport(items: items, firstID: firstID, lastID: lastID, hasMore: hasMore)
    }

    public func deleteRequest(taskID: String, baseURL: URL) -> HTTPRequest {
        HTTPRequest(method: "DELETE", url: endpoint(baseURL, "/v1/videos/\(PathSegment.encode(taskID))"),
                    headers: [("Accept", "application/json")])
    }

    public func parseDelete(_ response: HTTPResponse, taskID: String) throws {
        let body = try response.json()
        guard body.objectValue != nil else {
            throw VideoGenError(.protocolError, "the delete answer is not a JSON object", httpStatus: response.status)
        }
        guard body["deleted"]?.boolValue == true else {
            throw VideoGenError(.protocolError, "the delete answer does not say the video was deleted ('deleted' is not true)", httpStatus: response.status)
        }
        if let id = body["id"]?.stringValue, id != taskID {
            throw VideoGenError(.protocolError, "the delete answer is about another video ('\(Sanitize.text(id, limit: 64))')", httpStatus: response.status)
        }
    }

    public func remixRequest(taskID: String, _ remix: RemixRequest, baseURL: URL) throws -> HTTPRequest {
        try remix.validate()
        var body: [String: JSONValue] = ["prompt": .string(remix.prompt)]
        try mergeVerbatim(remix.extra, into: &body, source: "extra")
        return jsonPost(baseURL, "/v1/videos/\(PathSegment.encode(taskID))/remix", body)
    }

    public func parseRemix(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport {
        try submitReport(response) { try parseVideoObject($0, status: $1, baseURL: baseURL) }
    }

    public func contentURL(taskID: String, variant: ContentVariant, baseURL: URL) -> URL {
        let path = "/v1/videos/\(PathSegment.encode(taskID))/content"
        return endpoint(baseURL, variant == .video ? path : path + "?variant=\(variant.rawValue)")
    }
}

/// Percent-encoding of query values: everything but RFC 3986's unreserved characters.
enum QueryText {
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }
}
