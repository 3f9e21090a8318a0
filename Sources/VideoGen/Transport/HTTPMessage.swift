import FoundationEssentials

/// An HTTP request as adapters build it: no credentials in it; the client adds them for the configured origin only.
public struct HTTPRequest: Sendable, Hashable {
    /// `GET`, `POST`, ...
    public var method: String
    /// The absolute URL.
    public var url: URL
    /// Header fields, in order.
    public var headers: [(name: String, value: String)]
    /// The body, if any.
    public var body: Data?
    /// The proxy to send it through (`http://`, `https://`, `socks5h://` ...), or nil for the environment's
    /// (`http_proxy`, `HTTPS_PROXY`, `NO_PROXY`, ...). Set by the client from its `proxy` setting.
    public var proxy: String?
    /// A PEM file of CA certificates that verifies the server instead of the system's store (the client's
    /// `ca_file` setting), or nil.
    public var caFile: String?

    /// Creates a request.
    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The value of the first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.map { "\($0.name):\($0.value)" } == rhs.headers.map { "\($0.name):\($0.value)" }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(url)
        hasher.combine(body)
    }
}

/// A buffered HTTP response (control-plane answers; downloads stream instead).
public struct HTTPResponse: Sendable, Hashable {
    /// The status code.
    public var status: Int
    /// Header fields with lower-cased names.
    public var headers: [String: String]
    /// The body.
    public var body: Data

    /// Creates a response.
    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }

    /// True for 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body parsed as JSON.
    /// - Throws: `.protocolError` naming the HTTP status when the body is not JSON.
    public func json() throws -> JSONValue {
        do {
            return try JSONValue.parse(body)
        } catch {
            throw VideoGenError(.protocolError, "the service answered HTTP \(status) with a body that is not JSON", httpStatus: status)
        }
    }
}
