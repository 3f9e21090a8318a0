import Foundation

/// A provider dialect as a pure transformation: requests out, parsed answers in, no I/O.
///
/// Every function is deterministic given its inputs (file reads of local reference images aside), so each adapter
/// is tested from recorded bodies without a network. Answers with a non-2xx status go to `error(from:)`; the
/// parse functions receive 2xx answers only.
public protocol ProviderAdapter: Sendable {
    /// The dialect this adapter speaks.
    var dialect: Dialect { get }
    /// The poll schedule this dialect's services ask for.
    var defaultPollPolicy: PollPolicy { get }
    /// The request that submits `request`.
    /// - Throws: `.unsupported` naming each field the dialect cannot carry; image errors.
    func submitRequest(_ request: VideoRequest, baseURL: URL) throws -> HTTPRequest
    /// Reads the submit answer; the report carries the new task's id.
    func parseSubmit(_ response: HTTPResponse, baseURL: URL) throws -> StatusReport
    /// The request that reads the task's status.
    func statusRequest(taskID: String, baseURL: URL) -> HTTPRequest
    /// Reads a status answer.
    func parseStatus(_ response: HTTPResponse, taskID: String, baseURL: URL) throws -> StatusReport
    /// The request that cancels the task on the service, or nil when the dialect has none.
    func cancelRequest(taskID: String, baseURL: URL) -> HTTPRequest?
    /// The error a non-2xx answer means.
    func error(from response: HTTPResponse) -> VideoGenError
}

extension ProviderAdapter {
    /// The common error shapes; adapters whose services answer otherwise provide their own.
    public func error(from response: HTTPResponse) -> VideoGenError {
        ErrorMapping.error(from: response)
    }

    /// A submit answer read by `parse` (body, HTTP status), refused when it names no task.
    func submitReport(_ response: HTTPResponse, parse: (JSONValue, Int) throws -> StatusReport) throws -> StatusReport {
        let report = try parse(try response.json(), response.status)
        guard let id = report.id, !id.isEmpty else {
            throw VideoGenError(.protocolError, "the submit answer carries no task id", httpStatus: response.status)
        }
        return report
    }

    /// A status answer read by `parse` (body, HTTP status); a body without an id is about `taskID`.
    func statusReport(_ response: HTTPResponse, taskID: String, parse: (JSONValue, Int) throws -> StatusReport) throws -> StatusReport {
        var report = try parse(try response.json(), response.status)
        if report.id == nil { report.id = taskID }
        return report
    }

    /// `base` + `path`, where `path` starts with "/" and its dynamic parts are already percent-encoded.
    func endpoint(_ baseURL: URL, _ path: String) -> URL {
        URL(string: baseURL.absoluteString + path) ?? baseURL
    }

    /// Percent-encodes a task id for use as one path segment.
    func pathSegment(_ id: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return id.addingPercentEncoding(withAllowedCharacters: allowed) ?? id
    }

    /// Refuses the request fields outside `supported`, naming them.
    func refuseUnsupported(_ request: VideoRequest, supported: Set<String>) throws {
        let refused = request.presentFields.filter { !supported.contains($0) }
        guard !refused.isEmpty else { return }
        let names = refused.map { "'\($0)'" }.joined(separator: ", ")
        throw VideoGenError(.unsupported, "the \(dialect.rawValue) dialect does not support request field\(refused.count > 1 ? "s" : "") \(names); provider-specific fields can be sent through 'extra'")
    }
}
