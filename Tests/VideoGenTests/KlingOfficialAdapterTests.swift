import Foundation
import Testing
@testable import VideoGen

/// Kling's own API (`kling_official`): the JWT, the three families, the fields refused by name, the configuration's
/// secret key, and what the answers add (external task id, units).
@Suite("kling official adapter")
struct KlingOfficialAdapterTests {
    let adapter = KlingAdapter(official: true)
    let base = URL(string: "https://api-singapore.klingai.com")!

    func body(_ request: HTTPRequest) throws -> JSONValue { try JSONValue.parse(request.body ?? Data()) }

    @Test("the JWT matches an independent HS256 computation (PyJWT's layout: sorted claims, no padding)")
    func jwtVector() throws {
        let token = try KlingJWTAuthenticator.sign(issuer: "ak-test-access", expires: 1_700_001_800, notBefore: 1_699_999_995,
                                                   secret: Array("sk-test-secret-xyz".utf8))
        // Computed with Python's hmac/hashlib/base64 over the same header and claims.
        #expect(token == "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MDAwMDE4MDAsImlzcyI6ImFrLXRlc3QtYWNjZXNzIiwibmJmIjoxNjk5OTk5OTk1fQ.8MYoy5ScXd9f9Zebrj8Dj0oLT5ua5KybmCwFas5LLSQ")
    }

    @Test("a token lives 1800 s from 5 s before signing, is reused until 300 s before expiry, then re-signed")
    func tokenLifetime() throws {
        let key = APIKey("ak-test-access")
        let auth = try KlingJWTAuthenticator(accessKey: key, secretKey: "sk-test-secret-xyz")
        let first = try auth.token(now: 1_699_999_999.7)   // rounded down to 1_699_999_999... signing time
        let parts = first.split(separator: ".")
        let claims = try JSONValue.parse(Data(WebhookEncoding.base64URL(String(parts[1]))!))
        #expect(claims["iss"]?.stringValue == "ak-test-access")
        #expect(claims["exp"]?.intValue == 1_699_999_999 + 1800 && claims["nbf"]?.intValue == 1_699_999_999 - 5)
        #expect(try auth.token(now: 1_699_999_999 + 1499) == first)
        let second = try auth.token(now: 1_699_999_999 + 1500)
        #expect(second != first)
        #expect(try auth.headers(now: 1_699_999_999 + 1501)?.first?.value == "Bearer " + second)
        // A clock set back before the token's nbf gets a fresh token rather than one Kling calls not yet valid (1003).
        #expect(try auth.token(now: 1_699_999_999 + 1400) != second)
        // The secret and the tokens are scrubbed like the key, and the secret outlives any number of tokens.
        for step in 0..<(APIKey.maxOthers * 2) { _ = try auth.token(now: 1_800_000_000 + Double(step) * 1600) }
        #expect(key.redact("x sk-test-secret-xyz y") == "x <redacted> y")
        #expect(key.occurs(in: try auth.token(now: 1_900_000_000)))
    }

    @Test("the three families, at the root of the API, chosen by model and images")
    func families() throws {
        var text = VideoRequest(model: "kling-v2-master", prompt: "a fox")
        text.duration = 10; text.mode = "pro"; text.negativePrompt = "blur"; text.externalTaskID = "mine-1"
        let textSubmit = try adapter.submitRequest(text, baseURL: base)
        #expect(textSubmit.url.absoluteString == "https://api-singapore.klingai.com/v1/videos/text2video")
        #expect(try body(textSubmit) == ["model_name": "kling-v2-master", "prompt": "a fox", "duration": "10", "mode": "pro",
                                         "negative_prompt": "blur", "external_task_id": "mine-1"])
        var image = VideoRequest(model: "kling-v1", prompt: "a fox")
        image.image = .url("https://img.example/a.png")
        #expect(try adapter.submitRequest(image, baseURL: base).url.path == "/v1/videos/image2video")
        var omni = VideoRequest(model: "kling-video-o1", prompt: "<<<image_1>>> runs")
        omni.image = .url("https://img.example/a.png"); omni.imageTail = .url("https://img.example/z.png")
        omni.images = [.url("https://img.example/r.png")]; omni.aspectRatio = "9:16"
        let omniSubmit = try adapter.submitRequest(omni, baseURL: base)
        #expect(omniSubmit.url.path == "/v1/videos/omni-video")
        #expect(try body(omniSubmit)["image_list"] == [
            ["image_url": "https://img.example/a.png", "type": "first_frame"],
            ["image_url": "https://img.example/z.png", "type": "end_frame"],
            ["image_url": "https://img.example/r.png"],
        ])
        #expect(adapter.route(of: omniSubmit) == "omni-video")
        #expect(adapter.statusRequest(taskID: "42", route: "omni-video", baseURL: base)?.url.absoluteString
                == "https://api-singapore.klingai.com/v1/videos/omni-video/42")
        var several = VideoRequest(model: "kling-v2-master", prompt: "p")
        several.images = [.url("https://img.example/r.png")]
        #expect(try adapter.submitRequest(several, baseURL: base).url.path == "/v1/videos/omni-video")
        // The gateway adapter keeps its prefix and never polls omni-video.
        #expect(KlingAdapter().statusRequest(taskID: "42", route: "omni-video", baseURL: base)?.url.path == "/kling/v1/videos/text2video/42")
    }

    @Test("fields Kling's own API does not take are refused by name", arguments: [
        ("kling-v1", "width"), ("kling-v1", "seed"), ("kling-v1", "n"), ("kling-v1", "metadata"), ("kling-v1", "resolution"),
        ("kling-video-o1", "negative_prompt"), ("kling-video-o1", "cfg_scale"), ("kling-video-o1", "camera_control"),
    ])
    func refused(_ model: String, _ field: String) throws {
        var request = VideoRequest(model: model, prompt: "p")
        switch field {
        case "width": request.width = 1280; request.height = 720
        case "seed": request.seed = 1
        case "n": request.n = 2
        case "metadata": request.metadata = ["a": "b"]
        case "resolution": request.resolution = "1080p"
        case "negative_prompt": request.negativePrompt = "x"
        case "cfg_scale": request.cfgScale = 0.5
        default: request.cameraControl = try CameraControl(type: "down_back", config: nil)
        }
        let error = expectError(.unsupported) { _ = try adapter.submitRequest(request, baseURL: base) }
        #expect(error?.message.contains("'\(field)'") == true && error?.message.contains("kling_official") == true)
    }

    @Test("an omni end frame without a first frame is refused before sending")
    func omniEndFrameAlone() {
        var request = VideoRequest(model: "kling-video-o1", prompt: "p")
        request.imageTail = .url("https://img.example/z.png")
        expectError(.invalidArgument) { _ = try adapter.submitRequest(request, baseURL: base) }
    }

    @Test("the answer's external task id is kept in the links and its units as usage; gateway answers stay as read")
    func answerDetails() throws {
        let body = #"{"code":0,"message":"SUCCEED","request_id":"r","data":{"task_id":"7","task_status":"succeed","task_info":{"external_task_id":"mine-1"},"task_result":{"videos":[{"url":"https://cdn.klingai.com/v.mp4"}]},"final_unit_deduction":"2.5"}}"#
        let report = try adapter.parseStatus(.json(200, body), taskID: "mine-1", baseURL: base)
        #expect(report.id == "7" && report.videoURL == "https://cdn.klingai.com/v.mp4")
        #expect(report.links == ["external_task_id": "mine-1"])
        #expect(report.usage == ["final_unit_deduction": "2.5"])
        let gateway = try KlingAdapter().parseStatus(.json(200, body), taskID: "7", baseURL: base)
        #expect(gateway.links == nil && gateway.usage == nil)
    }

    @Test("business codes map as on the gateways", arguments: [
        (401, 1004, VideoGenError.Code.auth), (429, 1102, .quota), (400, 1301, .contentPolicy), (429, 1303, .rateLimited),
    ])
    func businessCodes(_ status: Int, _ code: Int, _ expected: VideoGenError.Code) {
        let error = adapter.error(from: .json(status, #"{"code":\#(code),"message":"m","request_id":"r"}"#))
        #expect(error.code == expected && error.providerCode == String(code))
    }

    static let configuration = #"{"provider":"kling","api_key":"ak-test-access","secret_key":"sk-test-secret-xyz"}"#

    @Test("the preset, the secret key from the configuration or the environment, and its refusals")
    func configuration() throws {
        let parsed = try ClientConfiguration(json: JSONValue.parse(Data(Self.configuration.utf8)))
        #expect(parsed.dialect == .klingOfficial && parsed.baseURL.absoluteString == "https://api-singapore.klingai.com")
        #expect(parsed.authenticator is KlingJWTAuthenticator)
        let fromEnvironment = try ClientConfiguration(json: JSONValue.parse(Data(#"{"provider":"kling","api_key":"ak-test-access","secret_key_env":"KLING_SK"}"#.utf8)),
                                                      environment: ["KLING_SK": "sk-env-secret-123"])
        #expect(fromEnvironment.apiKey.occurs(in: "sk-env-secret-123"))
        let cases: [(String, VideoGenError.Code, String)] = [
            (#"{"provider":"kling","api_key":"ak"}"#, .auth, "secret key"),
            (#"{"provider":"kling","api_key":"ak","secret_key_env":"UNSET_VARIABLE_KFR"}"#, .auth, "UNSET_VARIABLE_KFR"),
            (#"{"provider":"kling","api_key":"ak","secret_key":"a","secret_key_env":"B"}"#, .invalidArgument, "exclude"),
            (#"{"dialect":"kling","base_url":"https://gw.example","api_key":"k","secret_key":"s"}"#, .unsupported, "'secret_key'"),
            (#"{"provider":"kling","api_key":"ak","secret_key":"s","prefer_wait":3}"#, .unsupported, "'prefer_wait'"),
            (#"{"provider":"kling","api_key":"ak","secret_key":"s","server_deadline":true}"#, .unsupported, "'server_deadline'"),
        ]
        for (text, code, mention) in cases {
            let error = expectError(code) { _ = try ClientConfiguration(json: JSONValue.parse(Data(text.utf8)), environment: [:]) }
            #expect(error?.message.contains(mention) == true, "\(text): \(error?.message ?? "")")
        }
    }

    @Test("requests carry a fresh JWT; an answer echoing it or the secret is scrubbed; no secret key fails as auth")
    func signedRequests() async throws {
        var configuration = try ClientConfiguration(json: JSONValue.parse(Data(Self.configuration.utf8)))
        configuration.baseURL = URL(string: "http://127.0.0.1:9")!
        configuration.retry = TestConfig.fastRetry
        let transport = FakeTransport([.respond(.json(400, #"{"code":1201,"message":"bad token ECHO sk-test-secret-xyz","request_id":"r"}"#))])
        let client = VideoGenClient(configuration: configuration, transport: transport, random: { 0 }, scheduler: nil)
        let error = await expectError(.badRequest) { _ = try await client.submit(VideoRequest(model: "kling-v1", prompt: "p")) }
        let header = try #require(transport.requests.first?.header("Authorization"))
        #expect(header.hasPrefix("Bearer ey") && header.split(separator: ".").count == 3)
        #expect(error?.message == "bad token ECHO <redacted>")
        #expect(configuration.apiKey.occurs(in: String(header.dropFirst(7))))

        let bare = try ClientConfiguration(preset: ProviderPreset.named("kling"), baseURL: "http://127.0.0.1:9", apiKey: APIKey("ak-test-access"))
        let unsent = FakeTransport([])
        let refused = await expectError(.auth) {
            _ = try await VideoGenClient(configuration: bare, transport: unsent, random: { 0 }, scheduler: nil)
                .submit(VideoRequest(model: "kling-v1", prompt: "p"))
        }
        #expect(unsent.requests.isEmpty && refused?.message.contains("secret key") == true)
    }
}
