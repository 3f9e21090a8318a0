import Foundation
import Testing
@testable import VideoGen

@Suite("request and configuration documents")
struct RequestAndConfigurationTests {
    @Test("a full request parses")
    func fullRequest() throws {
        let request = try VideoRequest(json: JSONValue.parse(#"""
            {"model":"m","prompt":"p","negative_prompt":"n","image":"https://x/i.png","images":["/tmp/a.png","data:image/png;base64,AA=="],
             "duration":5,"size":"1280x720","width":1280,"height":720,"aspect_ratio":"16:9","resolution":"720p","fps":24,
             "seed":-3,"n":2,"watermark":true,"metadata":{"k":"v"},"extra":{"e":1}}
            """#))
        #expect(request.image == .url("https://x/i.png"))
        #expect(request.images == [.file("/tmp/a.png"), .dataURI("data:image/png;base64,AA==")])
        #expect(request.duration == 5 && request.fps == 24 && request.seed == -3 && request.n == 2)
        #expect(request.effectiveSize == "1280x720")
        #expect(request.presentFields.count == 17)
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let json: String
        let code: VideoGenError.Code
        let mentions: String
        var testDescription: String { mentions }
    }

    @Test("bad requests are refused with a message naming the problem", arguments: [
        Bad(json: #"{"prompt":"p"}"#, code: .invalidArgument, mentions: "'model'"),
        Bad(json: #"{"model":"m"}"#, code: .invalidArgument, mentions: "'prompt'"),
        Bad(json: #"{"model":"m","prompt":"   "}"#, code: .invalidArgument, mentions: "'prompt'"),
        Bad(json: #"{"model":"m","prompt":"p","colour":"red"}"#, code: .invalidArgument, mentions: "'colour'"),
        Bad(json: #"{"model":"m","prompt":"p","duration":"5"}"#, code: .invalidArgument, mentions: "'duration'"),
        Bad(json: #"{"model":"m","prompt":"p","duration":4.5}"#, code: .invalidArgument, mentions: "'duration'"),
        Bad(json: #"{"model":"m","prompt":"p","duration":0}"#, code: .invalidArgument, mentions: "'duration'"),
        Bad(json: #"{"model":"m","prompt":"p","size":"big"}"#, code: .invalidArgument, mentions: "'size'"),
        Bad(json: #"{"model":"m","prompt":"p","aspect_ratio":"wide"}"#, code: .invalidArgument, mentions: "'aspect_ratio'"),
        Bad(json: #"{"model":"m","prompt":"p","width":100}"#, code: .invalidArgument, mentions: "'height'"),
        Bad(json: #"{"model":"m","prompt":"p","size":"10x10","width":20,"height":20}"#, code: .invalidArgument, mentions: "contradicts"),
        Bad(json: #"{"model":"m","prompt":"p","images":[]}"#, code: .invalidArgument, mentions: "'images'"),
        Bad(json: #"{"model":"m","prompt":"p","images":[1]}"#, code: .invalidArgument, mentions: "'images'"),
        Bad(json: #"{"model":"m","prompt":"p","watermark":"no"}"#, code: .invalidArgument, mentions: "'watermark'"),
        Bad(json: #"["model"]"#, code: .invalidJSON, mentions: "object"),
        Bad(json: #"{"model":"m","prompt":"p""#, code: .invalidJSON, mentions: "JSON"),
    ])
    func badRequests(_ bad: Bad) {
        let error = expectError(bad.code) { _ = try VideoRequest(json: JSONValue.parse(bad.json)) }
        #expect(error?.message.contains(bad.mentions) == true, "\(error?.message ?? "")")
    }

    @Test("a configuration parses with every option")
    func fullConfiguration() throws {
        let configuration = try ClientConfiguration(json: JSONValue.parse(#"""
            {"dialect":"Unified","base_url":"https://gw.example.com/v1/","api_key_env":"VG_TEST_KEY","request_timeout":5,
             "wait_timeout":60,"stall_timeout":7,"max_response_bytes":4096,"max_download_bytes":1000000,"user_agent":"ua",
             "poll":{"interval":2,"max_interval":10,"multiplier":2,"jitter":0,"min_interval":1,"max_hint":30},
             "retry":{"max_attempts":2,"base_delay":0.1,"max_delay":1,"max_retry_after":5}}
            """#), environment: ["VG_TEST_KEY": "sk-abc"])
        #expect(configuration.dialect == .unified)
        #expect(configuration.baseURL.absoluteString == "https://gw.example.com")
        #expect(configuration.apiKey.reveal() == "sk-abc")
        #expect(configuration.requestTimeout == 5 && configuration.waitTimeout == 60 && configuration.stallTimeout == 7)
        #expect(configuration.maxResponseBytes == 4096 && configuration.maxDownloadBytes == 1_000_000)
        #expect(configuration.poll == PollPolicy(interval: 2, maxInterval: 10, multiplier: 2, jitter: 0, minInterval: 1, maxHint: 30))
        #expect(configuration.retry == RetryPolicy(maxAttempts: 2, baseDelay: 0.1, maxDelay: 1, maxRetryAfter: 5))
    }

    @Test("bad configurations are refused with a specific code", arguments: [
        Bad(json: #"{"base_url":"https://x","api_key":"k"}"#, code: .invalidArgument, mentions: "'dialect'"),
        Bad(json: #"{"dialect":"sora","base_url":"https://x","api_key":"k"}"#, code: .unsupported, mentions: "'sora'"),
        Bad(json: #"{"dialect":"openai","base_url":"/v1","api_key":"k"}"#, code: .invalidArgument, mentions: "absolute"),
        Bad(json: #"{"dialect":"openai","base_url":"ftp://x","api_key":"k"}"#, code: .invalidArgument, mentions: "http"),
        Bad(json: #"{"dialect":"openai","base_url":"http://example.com","api_key":"k"}"#, code: .insecure, mentions: "example.com"),
        Bad(json: #"{"dialect":"openai","base_url":"https://u:p@x","api_key":"k"}"#, code: .invalidArgument, mentions: "credentials"),
        Bad(json: #"{"dialect":"openai","base_url":"https://x?a=1","api_key":"k"}"#, code: .invalidArgument, mentions: "query"),
        Bad(json: #"{"dialect":"openai","base_url":"https://x"}"#, code: .auth, mentions: "api_key"),
        Bad(json: #"{"dialect":"openai","base_url":"https://x","api_key_env":"VG_UNSET_VARIABLE"}"#, code: .auth, mentions: "VG_UNSET_VARIABLE"),
        Bad(json: #"{"dialect":"openai","base_url":"https://x","api_key":"k","api_key_env":"E"}"#, code: .invalidArgument, mentions: "exclude"),
        Bad(json: #"{"dialect":"openai","base_url":"https://x","api_key":"k k"}"#, code: .invalidArgument, mentions: "printable"),
        Bad(json: #"{"dialect":"openai","base_url":"https://x","api_key":"k","timeout":3}"#, code: .invalidArgument, mentions: "'timeout'"),
        Bad(json: #"{"dialect":"openai","base_url":"https://x","api_key":"k","poll":{"every":3}}"#, code: .invalidArgument, mentions: "'every'"),
        Bad(json: #"{"dialect":"openai","base_url":"https://x","api_key":"k","request_timeout":-1}"#, code: .invalidArgument, mentions: "'request_timeout'"),
        Bad(json: #"{"dialect":"openai","base_url":"https://x","api_key":"k","poll":{"interval":5,"max_interval":1}}"#, code: .invalidArgument, mentions: "max_interval"),
    ])
    func badConfigurations(_ bad: Bad) {
        let error = expectError(bad.code) { _ = try ClientConfiguration(json: JSONValue.parse(bad.json), environment: [:]) }
        #expect(error?.message.contains(bad.mentions) == true, "\(error?.message ?? "")")
    }

    @Test("loopback http is allowed, remote http only when asked", arguments: [
        ("http://127.0.0.1:8000", false, true), ("http://localhost:1", false, true), ("http://[::1]:8", false, true),
        ("http://127.9.9.9", false, true), ("http://10.0.0.1", false, false), ("http://127.0.0.1.example.com", false, false),
        ("http://gw.example.com", true, true), ("https://gw.example.com", false, true),
    ])
    func loopback(_ url: String, _ allow: Bool, _ accepted: Bool) {
        let result = Result { try ClientConfiguration.checkedBaseURL(url, allowInsecureHTTP: allow) }
        #expect(((try? result.get()) != nil) == accepted)
    }

    @Test("the API key never prints")
    func keyRedacted() throws {
        let key = APIKey(TestConfig.key)
        #expect("\(key)" == "<redacted>")
        #expect(String(reflecting: key) == "<redacted>")
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains(TestConfig.key))
        #expect(key.redact("bad key \(TestConfig.key)!") == "bad key <redacted>!")
    }
}
