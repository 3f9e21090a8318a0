import Foundation
import Testing
@testable import VideoGen

/// Veo on the Gemini API and Vertex AI end to end against the emulator, with the real libcurl transport: the
/// download's redirect to storage without the key, RAI filtering, inline videos through the part file, gs:// results
/// refused, service-account tokens minted (RS256 signed by libcrypto, checked by the emulator with openssl) and
/// renewed, records resumed by a fresh client, and no secret in any record or error.
@Suite("google veo against the emulator", .serialized)
struct GoogleEmulatorTests {
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vg-google-\(UUID().uuidString)-\(name)").path
    }

    /// A client for `dialect` with a fresh canary key.
    static func client(_ emulator: EmulatorProcess, _ dialect: Dialect) throws -> VideoGenClient {
        VideoGenClient(configuration: try emulator.configuration(dialect))
    }

    @Test("Gemini API: generate, download through the storage redirect (which refuses any key), resume the record in a fresh client")
    func geminiEndToEnd() async throws {
        let key = canaryKey()
        let emulator = try EmulatorProcess(taskSeconds: 0.3, key: key)
        let client = try Self.client(emulator, .gemini)
        var request = VideoRequest(model: "veo-3.0-generate-001", prompt: "a fox")
        request.aspectRatio = "16:9"; request.duration = 8
        let submitted = try await client.submit(request)
        #expect(submitted.id.hasPrefix("models/veo-3.0-generate-001/operations/") && submitted.model == "veo-3.0-generate-001")
        let record = submitted.json.jsonText
        #expect(!record.contains(key))

        // A fresh client, as another process would make from the same configuration, resumes from the record alone.
        let fresh = try Self.client(emulator, .gemini)
        let resumed = try fresh.resume(record: try JSONValue.parse(Data(record.utf8)))
        let done = try await fresh.wait(for: resumed, timeout: 20, pollImmediately: true)
        #expect(done.state == .succeeded)
        #expect(done.videoURL?.hasPrefix(emulator.baseURL + "/v1beta/files/") == true)
        let path = Self.temporaryPath("gemini.mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let downloaded = try await fresh.download(done, to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try EmulatorProcess.sampleVideo))
        #expect(downloaded.download?.bytes == Int64(try EmulatorProcess.sampleVideo.count))
        let storage = try await emulator.control("/_emulator/google/accounts")
        #expect(storage["storage_credential_headers"] == .array([]), "no credential header reached storage")
        let log = try await emulator.requests()
        let fileRequests = log.filter { ($0["path"]?.stringValue ?? "").contains(":download") }
        #expect(fileRequests.count == 1)
        #expect(!log.map(\.jsonText).joined().contains(key), "the request log never holds the key")
        #expect(!downloaded.json.jsonText.contains(key))
    }

    @Test("Gemini API: RAI-filtered results fail as content policy with the filter's reasons; inline samples download; a wrong key is an auth error")
    func geminiFailures() async throws {
        let emulator = try EmulatorProcess(taskSeconds: 0.2, key: canaryKey())
        let client = try Self.client(emulator, .gemini)
        let submitted = try await client.submit(VideoRequest(model: "veo-3.0-emu-rai", prompt: "p"))
        let done = try await client.wait(for: submitted, timeout: 20)
        #expect(done.state == .failed && done.error?.code == .contentPolicy)
        #expect(done.error?.message.contains("Support codes: 17301594") == true)
        #expect(done.error?.providerCode == "raiMediaFiltered")
        let failed = try await client.wait(for: try await client.submit(VideoRequest(model: "veo-emu-fail", prompt: "p")), timeout: 20)
        #expect(failed.state == .failed && failed.error?.code == .taskFailed && failed.error?.providerCode == "INTERNAL")
        let limited = await expectError(.rateLimited) { _ = try await client.submit(VideoRequest(model: "veo-emu-error-429", prompt: "p")) }
        #expect(limited?.providerCode == "RESOURCE_EXHAUSTED")
        let wrong = VideoGenClient(configuration: try emulator.configuration(.gemini, key: "AIza-wrong-key-1234"))
        let auth = await expectError(.auth) { _ = try await wrong.submit(VideoRequest(model: "veo-3.0-generate-001", prompt: "p")) }
        #expect(auth?.providerCode == "API_KEY_INVALID" && auth?.message.contains("AIza-wrong") == false)
        let inline = try await client.wait(for: try await client.submit(VideoRequest(model: "veo-emu-inline", prompt: "p")), timeout: 20)
        #expect(inline.videoURL == "inline:generatedSamples/0" && inline.json.jsonText.utf8.count < 2048)
        let path = Self.temporaryPath("gemini-inline.mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try await client.download(inline, to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try EmulatorProcess.sampleVideo))
        let unknown = try client.resume(record: ["record_version": 1, "id": "models/veo-3.0-generate-001/operations/nope", "state": "running"])
        await expectError(.notFound) { _ = try await client.refresh(unknown) }
    }

    @Test("Vertex AI with an access token: inline bytes downloaded by asking the operation again, the record small and secret-free")
    func vertexInline() async throws {
        let token = "ya29.CANARY-" + UUID().uuidString
        let emulator = try EmulatorProcess(taskSeconds: 0.3, key: token)
        let client = try Self.client(emulator, .vertex)
        var request = VideoRequest(model: "veo-3.0-generate-001", prompt: "a fox")
        request.seed = 7; request.fps = 24
        let submitted = try await client.submit(request)
        #expect(submitted.id.hasPrefix("projects/test-project/locations/us-central1/publishers/google/models/veo-3.0-generate-001/operations/"))
        let done = try await client.wait(for: submitted, timeout: 20)
        #expect(done.state == .succeeded && done.videoURL == "inline:videos/0")
        let record = done.json.jsonText
        #expect(record.utf8.count < 2048, "the record holds no video bytes: \(record.utf8.count) bytes")
        #expect(!record.contains(token))
        let fresh = try Self.client(emulator, .vertex)
        let resumed = try fresh.resume(record: try JSONValue.parse(Data(record.utf8)))
        let path = Self.temporaryPath("vertex.mp4")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let downloaded = try await fresh.download(resumed, to: path)
        let sample = try EmulatorProcess.sampleVideo
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == sample)
        #expect(downloaded.download?.sha256 == WebhookCrypto.sha256Hex(Array(sample)))
        #expect(!FileManager.default.fileExists(atPath: path + ".part"))
    }

    @Test("Vertex AI: a gs:// result is reported, and its download refused naming the object")
    func vertexGCS() async throws {
        let emulator = try EmulatorProcess(taskSeconds: 0.2, key: "ya29.t-" + UUID().uuidString)
        let client = try Self.client(emulator, .vertex)
        var request = VideoRequest(model: "veo-3.0-generate-001", prompt: "a fox")
        request.extra = ["storageUri": "gs://my-bucket/out"]
        let done = try await client.wait(for: try await client.submit(request), timeout: 20)
        let url = try #require(done.videoURL)
        #expect(url.hasPrefix("gs://my-bucket/out/") && url.hasSuffix("/sample_0.mp4"))
        let path = Self.temporaryPath("gcs.mp4")
        let refused = await expectError(.unsupported) { _ = try await client.download(done, to: path) }
        #expect(refused?.message.contains(url) == true)
        #expect(!FileManager.default.fileExists(atPath: path) && !FileManager.default.fileExists(atPath: path + ".part"))
    }

    /// A fresh RSA key pair made with `openssl genpkey` in `directory`: (private PEM path, public PEM text).
    static func keyPair(in directory: String) async throws -> (String, String) {
        let privatePath = directory + "/key.pem", publicPath = directory + "/pub.pem"
        for arguments in [["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", privatePath],
                          ["pkey", "-in", privatePath, "-pubout", "-out", publicPath]] {
            let result = try CProgram.run("/usr/bin/env", ["openssl"] + arguments, timeout: 60)
            #expect(result.status == 0, "\(result.output)")
        }
        return (privatePath, try String(contentsOfFile: publicPath, encoding: .utf8))
    }

    /// A service account key file for `email` whose token_uri is the emulator's.
    static func accountFile(_ emulator: EmulatorProcess, email: String, privatePath: String, in directory: String) throws -> String {
        let file: JSONValue = ["type": "service_account", "project_id": "test-project", "private_key_id": "kid-1",
                               "private_key": .string(try String(contentsOfFile: privatePath, encoding: .utf8)),
                               "client_email": .string(email), "token_uri": .string(emulator.baseURL + "/oauth2/token")]
        let path = directory + "/sa.json"
        try Data(file.jsonText.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("Vertex AI with a service account: the token minted once serves every request of a client while fresh; the key file's secrets stay out of records")
    func serviceAccount() async throws {
        try await withTemporaryDirectory { directory in
            let emulator = try EmulatorProcess(taskSeconds: 0.2, key: "sk-unused-" + UUID().uuidString)
            let (privatePath, publicKey) = try await Self.keyPair(in: directory)
            let email = "videogen@test-project.iam.gserviceaccount.com"
            let accountPath = try Self.accountFile(emulator, email: email, privatePath: privatePath, in: directory)
            _ = try await emulator.control("/_emulator/google/accounts", method: "POST",
                                           json: ["client_email": .string(email), "public_key": .string(publicKey)])
            let config: JSONValue = ["provider": "vertex", "base_url": .string(emulator.baseURL), "project": "test-project",
                                     "service_account_file": .string(accountPath),
                                     "poll": ["interval": 0.1, "max_interval": 0.2, "min_interval": 0.05]]
            let client = VideoGenClient(configuration: try ClientConfiguration(json: config))
            let mark = try await emulator.requests().count
            let done = try await client.wait(for: try await client.submit(VideoRequest(model: "veo-3.0-generate-001", prompt: "p")), timeout: 20)
            #expect(done.state == .succeeded)
            let path = directory + "/sa.mp4"
            _ = try await client.download(done, to: path)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try EmulatorProcess.sampleVideo))
            let log = try await emulator.requests().dropFirst(mark)
            let apiCalls = log.filter { ($0["path"]?.stringValue ?? "").hasPrefix("/v1/projects/") }.count
            let tokenCalls = log.filter { $0["path"]?.stringValue == "/oauth2/token" }.count
            #expect(apiCalls >= 3 && tokenCalls == 1, "\(tokenCalls) exchanges for \(apiCalls) calls")
            #expect(try await emulator.control("/_emulator/google/accounts")["exchanges"] == 1)
            let record = done.json.jsonText
            #expect(!record.contains("ya29.") && !record.contains("PRIVATE KEY") && !record.contains(email))
        }
    }

    @Test("a service account whose signature the token endpoint refuses fails as an authentication error naming the reason, nothing sent to Vertex")
    func serviceAccountRefused() async throws {
        try await withTemporaryDirectory { directory in
            let emulator = try EmulatorProcess(taskSeconds: 0.2)
            let (privatePath, _) = try await Self.keyPair(in: directory + "")
            try FileManager.default.createDirectory(atPath: directory + "/other", withIntermediateDirectories: true)
            let (_, otherPublic) = try await Self.keyPair(in: directory + "/other")
            let email = "wrong-key@test-project.iam.gserviceaccount.com"
            _ = try await emulator.control("/_emulator/google/accounts", method: "POST",
                                           json: ["client_email": .string(email), "public_key": .string(otherPublic)])
            let accountPath = try Self.accountFile(emulator, email: email, privatePath: privatePath, in: directory)
            let config: JSONValue = ["provider": "vertex", "base_url": .string(emulator.baseURL), "project": "test-project",
                                     "service_account_file": .string(accountPath)]
            let client = VideoGenClient(configuration: try ClientConfiguration(json: config))
            let mark = try await emulator.requests().count
            let error = await expectError(.auth) { _ = try await client.submit(VideoRequest(model: "veo-3.0-generate-001", prompt: "p")) }
            #expect(error?.message.contains("Invalid JWT Signature") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("eyJ") == false, "the signed JWT never appears")
            let sent = try await emulator.requests().dropFirst(mark).compactMap { $0["path"]?.stringValue }
            #expect(sent == ["/oauth2/token"])
        }
    }
}
