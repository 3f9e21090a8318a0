import Foundation
import Testing
@testable import VideoGen

/// The service-account authenticator on a manual clock: the JWT it signs (checked with openssl against the public
/// half), when it renews, what it refuses, and that every secret it learns is scrubbed like the key.
@Suite("google service account")
struct GoogleServiceAccountTests {
    /// A fresh key pair (openssl genpkey, at run time: no key is committed) and an authenticator over it.
    static func make(in directory: String, tokenURI: String = "https://oauth2.googleapis.com/token")
        throws -> (GoogleServiceAccountAuthenticator, APIKey, publicKeyPath: String) {
        let privatePath = directory + "/key.pem", publicPath = directory + "/pub.pem"
        for arguments in [["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", privatePath],
                          ["pkey", "-in", privatePath, "-pubout", "-out", publicPath]] {
            let result = try CProgram.run("/usr/bin/env", ["openssl"] + arguments, timeout: 60)
            #expect(result.status == 0, "\(result.output)")
        }
        let json: JSONValue = ["type": "service_account", "client_email": "sa@p.iam.gserviceaccount.com", "private_key_id": "kid-9",
                               "private_key": .string(try String(contentsOfFile: privatePath, encoding: .utf8)),
                               "token_uri": .string(tokenURI)]
        let secrets = APIKey("service-account-" + UUID().uuidString)
        let account = try GoogleServiceAccount(json: json, allowInsecureHTTP: false)
        return (GoogleServiceAccountAuthenticator(account: account, secrets: secrets), secrets, publicPath)
    }

    static func base64URLDecode(_ text: Substring) -> Data? {
        var text = text.replacing("-", with: "+").replacing("_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: String(text))
    }

    @Test("the token request: jwt-bearer grant, an RS256 JWT with Google's claims whose signature openssl verifies")
    func assertion() async throws {
        try await withTemporaryDirectory { directory in
            let (authenticator, secrets, publicPath) = try Self.make(in: directory)
            #expect(try authenticator.headers(now: 1000) == nil, "no token yet")
            var dumped = ""
            dump(authenticator, to: &dumped)
            dump(authenticator.account, to: &dumped)
            dumped += "\(authenticator) \(authenticator.account) \(String(reflecting: authenticator.account))"
            #expect(!dumped.contains("PRIVATE KEY") && dumped.contains("sa@p.iam.gserviceaccount.com"), "\(dumped)")
            let request = try #require(try authenticator.tokenRequest(now: 1_700_000_000.7))
            #expect(request.method == "POST" && request.url.absoluteString == "https://oauth2.googleapis.com/token")
            #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
            let form = String(decoding: request.body ?? Data(), as: UTF8.self)
            let prefix = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="
            #expect(form.hasPrefix(prefix))
            let jwt = String(form.dropFirst(prefix.count))
            #expect(secrets.occurs(in: "x" + jwt), "the JWT is scrubbed like a key")
            let parts = jwt.split(separator: ".")
            #expect(parts.count == 3)
            let header = try JSONValue.parse(try #require(Self.base64URLDecode(parts[0])))
            let claims = try JSONValue.parse(try #require(Self.base64URLDecode(parts[1])))
            #expect(header == ["alg": "RS256", "typ": "JWT", "kid": "kid-9"])
            #expect(claims == ["iss": "sa@p.iam.gserviceaccount.com", "scope": "https://www.googleapis.com/auth/cloud-platform",
                               "aud": "https://oauth2.googleapis.com/token", "iat": 1_700_000_000, "exp": 1_700_003_600])
            let signature = try #require(Self.base64URLDecode(parts[2]))
            #expect(signature.count == 256)
            try Data("\(parts[0]).\(parts[1])".utf8).write(to: URL(fileURLWithPath: directory + "/data"))
            try signature.write(to: URL(fileURLWithPath: directory + "/sig"))
            let verify = try CProgram.run("/usr/bin/env", ["openssl", "dgst", "-sha256", "-verify", publicPath, "-signature",
                                                            directory + "/sig", directory + "/data"], timeout: 60)
            #expect(verify.status == 0 && verify.output.contains("Verified OK"), "\(verify.output)")
        }
    }

    @Test("a token is used until refreshMargin before it expires, then renewed; a short one at half its life")
    func renewal() async throws {
        try await withTemporaryDirectory { directory in
            let (authenticator, secrets, _) = try Self.make(in: directory)
            try authenticator.acceptToken(.json(200, #"{"access_token":"ya29.first-token","expires_in":3600,"token_type":"Bearer"}"#), now: 0)
            #expect(try authenticator.headers(now: 0)?.first?.value == "Bearer ya29.first-token")
            #expect(try authenticator.headers(now: 3299.9)?.first?.value == "Bearer ya29.first-token")
            #expect(try authenticator.headers(now: 3300) == nil)
            #expect(secrets.redact("echo ya29.first-token") == "echo <redacted>")
            try authenticator.acceptToken(.json(200, #"{"access_token":"ya29.second-token","expires_in":120}"#), now: 5000)
            #expect(try authenticator.headers(now: 5059)?.first?.value == "Bearer ya29.second-token")
            #expect(try authenticator.headers(now: 5060) == nil)
        }
    }

    @Test("refusals: an error answer names its reason (never the JWT), a non-bearer or empty token, a bad key file")
    func refusals() async throws {
        try await withTemporaryDirectory { directory in
            let (authenticator, _, _) = try Self.make(in: directory)
            let refused = #expect(throws: VideoGenError.self) {
                try authenticator.acceptToken(.json(400, #"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#), now: 0)
            }
            #expect(refused?.code == .auth && refused?.message.contains("Invalid JWT Signature.") == true)
            for body in [#"{"access_token":"","expires_in":3600}"#, #"{"access_token":"ya29.x-12345","token_type":"mac"}"#,
                         #"{"access_token":"ya29.x-12345","expires_in":-5}"#, #"{"expires_in":3600}"#] {
                #expect(throws: VideoGenError.self, "\(body)") { try authenticator.acceptToken(.json(200, body), now: 0) }
            }
            #expect(try authenticator.headers(now: 0) == nil)
            let bad: [(JSONValue, String)] = [
                (["client_email": "a@b", "private_key": "not a pem"], "PEM"),
                (["private_key": "-----BEGIN PRIVATE KEY-----"], "client_email"),
                (["type": "authorized_user", "client_email": "a@b", "private_key": "-----BEGIN"], "authorized_user"),
                (["client_email": "a@b", "private_key": "-----BEGIN", "token_uri": "http://oauth.example.com/token"], "plain http"),
            ]
            for (json, fragment) in bad {
                let error = #expect(throws: VideoGenError.self) { try GoogleServiceAccount(json: json, allowInsecureHTTP: false) }
                #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
            }
            let garbage = GoogleServiceAccountAuthenticator(
                account: try GoogleServiceAccount(json: ["client_email": "a@b", "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"],
                                                  allowInsecureHTTP: false),
                secrets: APIKey("k-123456"))
            let unreadable = #expect(throws: VideoGenError.self) { _ = try garbage.tokenRequest(now: 0) }
            #expect(unreadable?.code == .auth && unreadable?.message.contains("private_key") == true)
        }
    }
}
