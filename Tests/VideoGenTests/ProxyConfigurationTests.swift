import Foundation
import Testing
@testable import VideoGen

@Suite("proxy setting")
struct ProxyConfigurationTests {
    func configuration(_ proxy: String) throws -> ClientConfiguration {
        try ClientConfiguration(json: JSONValue.parse(#"{"dialect":"openai","base_url":"http://127.0.0.1:9","api_key":"k","proxy":\#(proxy)}"#))
    }

    @Test("proxy URLs of the usual schemes are kept, and requests carry them to the transport")
    func accepted() async throws {
        for proxy in ["http://proxy.internal:3128", "https://proxy.example.com", "socks5h://127.0.0.1:1080", ""] {
            let configured = try configuration("\"\(proxy)\"")
            #expect(configured.proxy == proxy)
        }
        let transport = FakeTransport([.respond(.json(200, #"{"id":"video_1","object":"video","status":"queued"}"#))])
        let client = VideoGenClient(configuration: try configuration("\"socks5h://127.0.0.1:1080\""), transport: transport)
        _ = try await client.refresh(TaskSnapshot(id: "video_1", dialect: "openai", baseURL: "http://127.0.0.1:9"))
        #expect(transport.requests.first?.proxy == "socks5h://127.0.0.1:1080")
    }

    @Test("the environment's proxies apply when the setting is absent")
    func absent() throws {
        let configured = try ClientConfiguration(json: JSONValue.parse(#"{"dialect":"openai","base_url":"http://127.0.0.1:9","api_key":"k"}"#))
        #expect(configured.proxy == nil)
    }

    @Test("other schemes, paths, queries and non-strings are refused by name")
    func refused() {
        for proxy in ["\"ftp://proxy:21\"", "\"file:///tmp/sock\"", "\"http://proxy:3128/path\"", "\"http://proxy:3128?x=1\"",
                      "\"not a url\"", "\"http://\"", "42"] {
            let error = expectError(.invalidArgument) { _ = try configuration(proxy) }
            #expect(error?.message.contains("proxy") == true, "\(proxy): \(error?.message ?? "")")
        }
    }
}
