import Foundation
import Testing
@testable import VideoGen

@Suite("redirect follower")
struct RedirectFollowerTests {
    let origin = URL(string: "https://api.example.com/v1/videos/abc/content")!

    func get(_ url: URL? = nil) -> HTTPRequest {
        HTTPRequest(method: "GET", url: url ?? origin, headers: [("Authorization", "Bearer k"), ("X-Goog-Api-Key", "k"), ("Accept", "*/*")])
    }

    func post() -> HTTPRequest {
        HTTPRequest(method: "POST", url: URL(string: "https://api.example.com/v1/videos")!,
                    headers: [("Authorization", "Bearer k"), ("Content-Type", "application/json")], body: Data("{\"prompt\":\"x\"}".utf8))
    }

    @Test("a relative Location stays on the origin with the credentials")
    func relative() throws {
        var follower = RedirectFollower(for: get())
        let next = try follower.next(after: get(), status: 302, location: "/files/abc.mp4")
        #expect(next.url.absoluteString == "https://api.example.com/files/abc.mp4")
        #expect(next.header("Authorization") == "Bearer k")
    }

    @Test("another origin loses every credential header, and a later hop back does not get them again")
    func crossOrigin() throws {
        var follower = RedirectFollower(for: get())
        let away = try follower.next(after: get(), status: 302, location: "https://storage.example.net/signed?sig=1")
        #expect(away.header("Authorization") == nil && away.header("X-Goog-Api-Key") == nil)
        #expect(away.header("Accept") == "*/*")
        let back = try follower.next(after: away, status: 302, location: "https://api.example.com/again")
        #expect(back.header("Authorization") == nil, "credentials stay dropped once dropped")
        let port = try RedirectFollower(for: get()).copyNext(after: get(), status: 307, location: "https://api.example.com:8443/x")
        #expect(port.header("Authorization") == nil, "another port is another origin")
    }

    @Test("an upper-case scheme is an http(s) scheme")
    func upperCaseScheme() throws {
        var follower = RedirectFollower(for: get())
        let next = try follower.next(after: get(), status: 301, location: "HTTPS://api.example.com/x")
        #expect(next.header("Authorization") == "Bearer k")
    }

    @Test("file:, ftp:, data: and schemeless junk are refused; https to http is refused")
    func refusedTargets() {
        for location in ["file:///etc/passwd", "ftp://example.com/x", "data:text/plain,hi", "gopher://x/"] {
            var follower = RedirectFollower(for: get())
            let error = expectError(.insecure) { _ = try follower.next(after: get(), status: 302, location: location) }
            #expect(error?.httpStatus == 302)
        }
        var follower = RedirectFollower(for: get())
        expectError(.insecure) { _ = try follower.next(after: get(), status: 301, location: "http://api.example.com/x") }
        var junk = RedirectFollower(for: get())
        expectError(.protocolError) { _ = try junk.next(after: get(), status: 302, location: "") }
        expectError(.protocolError) { _ = try junk.next(after: get(), status: 302, location: "/a b") }
    }

    @Test("more than maxHops redirects is a final network error")
    func hopLimit() throws {
        var follower = RedirectFollower(for: get())
        var request = get()
        for hop in 0..<RedirectFollower.maxHops {
            request = try follower.next(after: request, status: 302, location: "/hop/\(hop)")
        }
        let error = expectError(.network) { _ = try follower.next(after: request, status: 302, location: "/one-more") }
        #expect(error?.isFinal == true)
    }

    @Test("a submit is re-sent with its body on 307/308 to its own origin, refused otherwise")
    func submits() throws {
        for status in [307, 308] {
            var follower = RedirectFollower(for: post())
            let next = try follower.next(after: post(), status: status, location: "/v1/videos/")
            #expect(next.method == "POST" && next.body == post().body && next.header("Authorization") == "Bearer k")
            var away = RedirectFollower(for: post())
            expectError(.insecure) { _ = try away.next(after: post(), status: status, location: "https://elsewhere.example.org/v1/videos") }
        }
        for status in [301, 302, 303] {
            var follower = RedirectFollower(for: post())
            let error = expectError(.protocolError) { _ = try follower.next(after: post(), status: status, location: "/v1/videos/") }
            #expect(error?.isFinal == true)
        }
    }
}

extension RedirectFollower {
    /// `next` on a copy (for one-off checks).
    func copyNext(after request: HTTPRequest, status: Int, location: String) throws -> HTTPRequest {
        var copy = self
        return try copy.next(after: request, status: status, location: location)
    }
}
