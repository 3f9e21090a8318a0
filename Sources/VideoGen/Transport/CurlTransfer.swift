import CVideoGenNative
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// One hop of one request on a `CurlLoop`: the easy handle's configuration, the head as it is parsed, the body
/// handed to the sink with every bound applied as the bytes arrive, and the result.
///
/// Everything but `finish` runs on the loop's thread (libcurl's callbacks, start, completion, expiry); `finish` is
/// also called by the caller's thread when the request is cancelled before it started. Unchecked Sendable: the
/// loop-confined fields are touched by that one thread only, the rest is immutable or behind `completion`.
final class CurlTransfer: DeadlineHeapEntry, @unchecked Sendable {
    /// How a hop ended, when it did not fail.
    enum Outcome: Sendable {
        /// The final answer; its body went to the sink.
        case response(HTTPResponseHead)
        /// A redirect, with its `Location`; its body was discarded.
        case redirect(HTTPResponseHead, location: String)
    }

    /// Bytes of an error answer's body (non-2xx) given to the sink; the transfer is cut there.
    static let errorBodyLimit = 64 * 1024
    /// Bytes of a redirect's body read (and discarded) before the transfer is cut.
    static let redirectBodyLimit = 16 * 1024

    let request: HTTPRequest
    let sink: any ResponseSink
    /// Downloads: `timeout` is an idle time (with `progressBytes`), not the whole request's.
    let isBulk: Bool
    let timeout: Double
    let progressBytes: Int64

    /// Scheme, host and port (and proxy): the transfers the loop counts together against a connection limit.
    let origin: String

    // Loop-confined.
    var easy: UnsafeMutableRawPointer?
    /// Queued behind other transfers to the same origin, not started yet.
    var isWaiting = false
    /// Its place in the loop's deadline heap (control requests), nil when not in it.
    var heapIndex: Int?
    /// When the loop fails the hop with a timeout (monotonic ns): fixed for control requests, moved on by progress
    /// for downloads.
    var deadline: UInt64
    var cancelledBeforeStart: VideoGenError?
    private var parser = ResponseHeadParser()
    private var head: HTTPResponseHead?
    private var redirect: (head: HTTPResponseHead, location: String)?
    private var bodyBytes = 0
    private var bytesSinceProgress: Int64 = 0
    private var cutOnPurpose = false
    private var abortReason: VideoGenError?
    private var body: UnsafeMutableRawBufferPointer?

    private struct Completion {
        var handler: (@Sendable (Result<Outcome, VideoGenError>) -> Void)?
        var finished = false
    }
    private let completion = Mutex(Completion())

    /// - Parameter deadline: the whole request's deadline (monotonic ns) for control requests.
    init(request: HTTPRequest, sink: any ResponseSink, timeout: Double, progressBytes: Int64, deadline: UInt64) {
        self.request = request
        self.sink = sink
        self.isBulk = sink.isBulk
        self.timeout = timeout
        self.progressBytes = max(1, progressBytes)
        self.origin = (OriginPolicy.origin(of: request.url) ?? request.url.absoluteString) + " " + (request.proxy ?? "")
        self.deadline = isBulk ? MonotonicTime.now &+ MonotonicTime.nanoseconds(timeout) : deadline
    }

    deinit {
        body?.deallocate()
    }

    /// Installs what runs when the hop ends (on the loop thread, or the cancelling thread for a hop cancelled
    /// before it started); false when the hop already finished (then nothing was installed).
    func install(_ handler: @escaping @Sendable (Result<Outcome, VideoGenError>) -> Void) -> Bool {
        completion.withLock { state in
            guard !state.finished else { return false }
            state.handler = handler
            return true
        }
    }

    /// Ends the hop, once: later calls do nothing.
    func finish(_ result: Result<Outcome, VideoGenError>) {
        let handler = completion.withLock { state -> (@Sendable (Result<Outcome, VideoGenError>) -> Void)? in
            guard !state.finished else { return nil }
            state.finished = true
            defer { state.handler = nil }
            return state.handler
        }
        handler?(result)
    }

    /// Configures `easy` for this hop.
    /// - Throws: `.invalidArgument` for a header that would break the request apart, `.internal` when libcurl
    ///   refuses an option.
    func prepare(_ easy: UnsafeMutableRawPointer) throws {
        var lines: [String] = []
        lines.reserveCapacity(request.headers.count)
        for header in request.headers {
            let unsafe: (Unicode.Scalar) -> Bool = { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }
            guard !header.name.isEmpty, !header.name.unicodeScalars.contains(where: { unsafe($0) || $0 == ":" || $0 == " " }),
                  !header.value.unicodeScalars.contains(where: unsafe) else {
                throw VideoGenError(.invalidArgument, "the request header '\(Sanitize.text(header.name, limit: 64))' holds a line break or control character")
            }
            // libcurl removes a header given as "Name:"; "Name;" sends it empty.
            lines.append(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }
        if let data = request.body, !data.isEmpty {
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 1)
            data.copyBytes(to: copy)
            body = copy
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        let code = withCStrings(lines) { headerPointers in
            request.url.absoluteString.withCString { url in
                request.method.uppercased().withCString { method in
                    withOptionalCString(request.proxy) { proxy in
                      withOptionalCString(request.caFile) { caFile in
                        var spec = videogen_curl_request()
                        spec.url = url
                        spec.method = method
                        spec.body = body.map { UnsafePointer($0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
                        spec.body_length = body?.count ?? 0
                        spec.headers = headerPointers.baseAddress
                        spec.header_count = headerPointers.count
                        spec.decode_content = isBulk ? 0 : 1
                        spec.fresh_connection = CurlTransport.isIdempotent(request.method) ? 0 : 1
                        spec.proxy = proxy
                        spec.ca_file = caFile
                        spec.connect_timeout_ms = 0
                        spec.on_header = curlHeaderCallback
                        spec.on_body = curlBodyCallback
                        spec.context = context
                        return videogen_curl_easy_prepare(easy, &spec)
                      }
                    }
                }
            }
        }
        guard code == 0 else {
            throw VideoGenError(.internal, "libcurl refused the request (\(String(cString: videogen_curl_strerror(code))))")
        }
        self.easy = easy
    }

    /// Counts body bytes toward a download's progress (its idle deadline moves on per `progressBytes`).
    private func noteProgress(bytes: Int) {
        guard isBulk else { return }
        if bytes == 0 {
            deadline = MonotonicTime.now &+ MonotonicTime.nanoseconds(timeout)
            return
        }
        bytesSinceProgress += Int64(bytes)
        if bytesSinceProgress >= progressBytes {
            bytesSinceProgress = 0
            deadline = MonotonicTime.now &+ MonotonicTime.nanoseconds(timeout)
        }
    }

    /// A header line from libcurl; returns `count` to go on, 0 to abort.
    fileprivate func receiveHeader(_ bytes: UnsafePointer<CChar>?, _ count: Int) -> Int {
        do {
            let event = try parser.feed(UnsafeRawBufferPointer(start: bytes, count: count))
            guard case .complete(let status, let headers) = event else {
                if case .interim = event { noteProgress(bytes: 0) }
                return count
            }
            noteProgress(bytes: 0)
            let head = HTTPResponseHead(status: status, lowercasedHeaders: headers, url: request.url)
            if RedirectFollower.isRedirect(status), let location = head.headers["location"] {
                redirect = (head, location)
                return count
            }
            self.head = head
            try sink.receive(head: head)
            return count
        } catch {
            abortReason = VideoGenError.wrap(error)
            return 0
        }
    }

    /// Body bytes from libcurl (decoded, for control requests); returns `count` to go on, anything else aborts.
    fileprivate func receiveBody(_ bytes: UnsafePointer<CChar>?, _ count: Int) -> Int {
        guard count > 0, let bytes else { return count }
        noteProgress(bytes: count)
        if redirect != nil {
            bodyBytes += count
            if bodyBytes > CurlTransfer.redirectBodyLimit {
                cutOnPurpose = true
                return 0
            }
            return count
        }
        guard let head else {
            abortReason = VideoGenError(.protocolError, "the service sent a body before its head")
            return 0
        }
        var take = count
        if !(200..<300).contains(head.status) {
            take = min(count, CurlTransfer.errorBodyLimit - bodyBytes)
        }
        do {
            if take > 0 { try sink.receive(bytes: UnsafeRawBufferPointer(start: bytes, count: take)) }
        } catch {
            abortReason = VideoGenError.wrap(error)
            return 0
        }
        bodyBytes += take
        if take < count {
            // An error answer's body past the limit: what was read is enough to tell the error.
            cutOnPurpose = true
            return 0
        }
        return count
    }

    /// The result of a transfer libcurl reports done with `code` (a CURLcode).
    func outcome(code: Int32, info: videogen_curl_info) -> Result<Outcome, VideoGenError> {
        if let abortReason { return .failure(abortReason) }
        if code == 0 || cutOnPurpose {
            if let redirect { return .success(.redirect(redirect.head, location: redirect.location)) }
            if let head { return .success(.response(head)) }
        }
        if code == 0 {
            return .failure(VideoGenError(.network, "the connection to \(host) ended before a complete answer"))
        }
        return .failure(CurlTransport.error(code: code, host: host, nothingSent: info.request_size == 0 && head == nil))
    }

    /// The timeout error of this hop.
    var timeoutError: VideoGenError {
        if isBulk {
            return VideoGenError(.timeout, progressBytes > 1
                ? "the transfer from \(host) went slower than \(progressBytes) bytes in \(CurlTransfer.seconds(timeout)) s"
                : "no answer from \(host) for \(CurlTransfer.seconds(timeout)) s")
        }
        return VideoGenError(.timeout, "no complete answer from \(host) within \(CurlTransfer.seconds(timeout)) s")
    }

    private var host: String { request.url.host ?? "the service" }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() && value < 1e9 ? String(Int(value)) : String(value)
    }
}

/// libcurl's header callback for every transfer (the context is the unretained `CurlTransfer`).
private let curlHeaderCallback: videogen_curl_data_fn = { bytes, count, context in
    Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue().receiveHeader(bytes, count)
}

/// libcurl's body callback for every transfer.
private let curlBodyCallback: videogen_curl_data_fn = { bytes, count, context in
    Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue().receiveBody(bytes, count)
}

/// Calls `body` with C strings of `strings`, valid during the call.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) }
    return pointers.withUnsafeBufferPointer(body)
}

/// Calls `body` with a C string of `string`, or nil.
private func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
