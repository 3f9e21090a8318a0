import Foundation
import Testing
@testable import VideoGen

@Suite("provider presets and dialect configuration")
struct ProviderPresetTests {
    func configuration(_ json: String) throws -> ClientConfiguration {
        try ClientConfiguration(json: JSONValue.parse(json), environment: ["VG_KEY": "sk-test"])
    }

    @Test("a preset fills dialect, base URL and defaults", arguments: [
        ("openai", Dialect.openai, "https://api.openai.com"),
        ("routerone", .routerone, "https://api.router.one"),
        ("applerouter", .unified, "https://api.applerouter.ai"),
        ("AppleRouter", .unified, "https://api.applerouter.ai"),
    ])
    func presets(_ name: String, _ dialect: Dialect, _ url: String) throws {
        let configuration = try configuration(#"{"provider":"\#(name)","api_key_env":"VG_KEY"}"#)
        #expect(configuration.dialect == dialect)
        #expect(configuration.baseURL.absoluteString == url)
        #expect(configuration.provider == name.lowercased())
        #expect(configuration.apiKey.reveal() == "sk-test")
    }

    @Test("Router One's poll floor is the default; user poll settings still win")
    func routerOnePoll() throws {
        let preset = try configuration(#"{"provider":"routerone","api_key_env":"VG_KEY"}"#)
        #expect(preset.poll.minInterval == 3 && preset.poll.interval == 3)
        let plain = try configuration(#"{"dialect":"routerone","base_url":"https://api.router.one","api_key":"k"}"#)
        #expect(plain.poll == preset.poll, "the floor belongs to the dialect, preset or not")
        let tuned = try configuration(#"{"provider":"routerone","api_key":"k","poll":{"interval":5}}"#)
        #expect(tuned.poll.interval == 5 && tuned.poll.minInterval == 3)
    }

    @Test("applerouter serves all its routes: the dialect picks one; its unified route polls every 10-30 s")
    func applerouterRoutes() throws {
        let unified = try configuration(#"{"provider":"applerouter","api_key":"k"}"#)
        #expect(unified.poll.interval == 10 && unified.poll.maxInterval == 30)
        #expect(unified.poll.minInterval == 10, "adaptive placement and hints must not poll sooner than its docs ask")
        for dialect in ["openai", "kling", "unified"] {
            let picked = try configuration(#"{"provider":"applerouter","dialect":"\#(dialect)","api_key":"k"}"#)
            #expect(picked.dialect.rawValue == dialect)
            #expect(picked.baseURL.absoluteString == "https://api.applerouter.ai")
        }
        let kling = try configuration(#"{"provider":"applerouter","dialect":"kling","api_key":"k"}"#)
        #expect(kling.poll == KlingAdapter().defaultPollPolicy)
    }

    @Test("newapi needs a base URL; base_url overrides a preset's")
    func baseURLs() throws {
        let error = expectError(.invalidArgument) { _ = try configuration(#"{"provider":"newapi","api_key":"k"}"#) }
        #expect(error?.message.contains("'base_url' is required") == true)
        let selfHosted = try configuration(#"{"provider":"newapi","base_url":"https://ai.example.org/v1","dialect":"chat","api_key":"k"}"#)
        #expect(selfHosted.baseURL.absoluteString == "https://ai.example.org" && selfHosted.dialect == .chat)
        let mirror = try configuration(#"{"provider":"routerone","base_url":"http://127.0.0.1:8000","api_key":"k"}"#)
        #expect(mirror.baseURL.absoluteString == "http://127.0.0.1:8000" && mirror.dialect == .routerone)
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let json: String
        let code: VideoGenError.Code
        let mentions: String
        var testDescription: String { mentions }
    }

    @Test("bad preset configurations are refused by name", arguments: [
        Bad(json: #"{"provider":"sora-cloud","api_key":"k"}"#, code: .unsupported, mentions: "'sora-cloud' (known: openai, applerouter, routerone, newapi"),
        Bad(json: #"{"provider":"routerone","dialect":"openai","api_key":"k"}"#, code: .invalidArgument, mentions: "contradicts 'provider' ('routerone')"),
        Bad(json: #"{"provider":"openai","dialect":"kling","api_key":"k"}"#, code: .invalidArgument, mentions: "contradicts"),
        Bad(json: #"{"provider":"applerouter","dialect":"nonesuch","api_key":"k"}"#, code: .unsupported, mentions: "'nonesuch'"),
        Bad(json: #"{"provider":"applerouter","dialect":"fal","api_key":"k"}"#, code: .invalidArgument, mentions: "contradicts"),
        Bad(json: #"{"provider":5,"api_key":"k"}"#, code: .invalidArgument, mentions: "'provider'"),
        Bad(json: #"{"api_key":"k"}"#, code: .invalidArgument, mentions: "'provider'"),
        Bad(json: #"{"provider":"routerone","api_key":"k","status_route":"videos"}"#, code: .unsupported, mentions: "'status_route'"),
        Bad(json: #"{"dialect":"unified","base_url":"https://x","api_key":"k","status_route":"tasks"}"#, code: .invalidArgument, mentions: "generations, videos"),
        Bad(json: #"{"dialect":"kling","api_key":"k"}"#, code: .invalidArgument, mentions: "'base_url'"),
    ])
    func badConfigurations(_ bad: Bad) {
        let error = expectError(bad.code) { _ = try ClientConfiguration(json: JSONValue.parse(bad.json), environment: [:]) }
        #expect(error?.message.contains(bad.mentions) == true, "\(error?.message ?? "")")
    }

    @Test("status_route chooses the unified fetch route")
    func statusRoute() throws {
        let configuration = try configuration(#"{"provider":"newapi","base_url":"https://gw.example.com","api_key":"k","status_route":"videos"}"#)
        let adapter = try #require(configuration.adapter as? UnifiedTaskAdapter)
        #expect(adapter.statusRoute == .videos)
        let client = VideoGenClient(configuration: configuration)
        #expect((client.adapter as? UnifiedTaskAdapter)?.statusRoute == .videos)
    }

    @Test("the chat dialect waits longer for an answer by default; request_timeout still wins")
    func chatTimeout() throws {
        #expect(try configuration(#"{"provider":"newapi","base_url":"https://gw","dialect":"chat","api_key":"k"}"#).requestTimeout == 600)
        #expect(try configuration(#"{"dialect":"chat","base_url":"https://gw","api_key":"k","request_timeout":90}"#).requestTimeout == 90)
        #expect(try configuration(#"{"dialect":"kling","base_url":"https://gw","api_key":"k"}"#).requestTimeout == 30)
    }

    @Test("Swift callers get the same presets without JSON")
    func swiftPreset() throws {
        let configuration = try ClientConfiguration(preset: ProviderPreset.named("applerouter"), dialect: .kling, apiKey: APIKey("k"))
        #expect(configuration.dialect == .kling && configuration.provider == "applerouter")
        #expect(configuration.baseURL.absoluteString == "https://api.applerouter.ai")
        let newapi = try ProviderPreset.named("newapi")
        expectError(.invalidArgument) { _ = try ClientConfiguration(preset: newapi, apiKey: APIKey("k")) }
        expectError(.invalidArgument) { _ = try ClientConfiguration(preset: try ProviderPreset.named("openai"), dialect: .chat, apiKey: APIKey("k")) }
        let error = expectError(.invalidArgument) { _ = try ClientConfiguration(json: JSONValue.parse(#"{"provider":"newapi"}"#), environment: [:]) }
        #expect(error?.message.contains("'base_url'") == true, "the address problem comes before the missing key")
    }

    @Test("every preset is consistent: a known default dialect and an https URL")
    func presetTable() throws {
        #expect(Set(ProviderPreset.all.map(\.name)).count == ProviderPreset.all.count)
        for preset in ProviderPreset.all {
            #expect(!preset.dialects.isEmpty)
            #expect(preset.baseURL.map { $0.hasPrefix("https://") } ?? true)
            #expect(preset.poll.keys.allSatisfy(preset.dialects.contains))
        }
    }
}
