import Foundation
@testable import VideoGen

/// The repository's Python emulator, started as a child process on free loopback ports for one test.
final class EmulatorProcess: @unchecked Sendable {
    // Unchecked: the properties are set once in init and only read afterwards.
    let baseURL: String
    let cdnURL: String
    let key: String
    private let process: Process

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The sample video the emulator serves.
    static var sampleVideo: Data {
        get throws {
            try Data(contentsOf: repositoryRoot.appendingPathComponent("emulator/videogen_emulator/assets/sample.mp4"))
        }
    }

    init(taskSeconds: Double = 0.6, key: String = TestConfig.key, extra: [String] = []) throws {
        self.key = key
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "videogen_emulator", "--port", "0", "--task-seconds", String(taskSeconds),
                             "--api-key", key] + extra
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = EmulatorProcess.repositoryRoot.appendingPathComponent("emulator").path
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        self.process = process
        var text = ""
        let handle = output.fileHandleForReading
        let deadline = Date().addingTimeInterval(20)
        while text.split(separator: "\n").count < 2 && Date() < deadline {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let lines = text.split(separator: "\n").map(String.init)
        guard lines.count >= 2, lines[1].hasPrefix("cdn: ") else {
            process.terminate()
            throw VideoGenError(.internal, "the emulator did not start: \(text)")
        }
        baseURL = lines[0]
        cdnURL = String(lines[1].dropFirst(5))
    }

    deinit {
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// A client configuration for this emulator.
    func configuration(_ dialect: Dialect, key: String? = nil) throws -> ClientConfiguration {
        var configuration = try ClientConfiguration(dialect: dialect, baseURL: baseURL, apiKey: APIKey(key ?? self.key))
        if dialect == .vertex { configuration.google = GoogleSettings(project: "test-project") }
        configuration.poll = PollPolicy(interval: 0.1, maxInterval: 0.3, multiplier: 1.5, jitter: 0.1, minInterval: 0.05)
        configuration.retry = RetryPolicy(maxAttempts: 3, baseDelay: 0.05, maxDelay: 0.2)
        configuration.requestTimeout = 10
        return configuration
    }

    /// Calls a control route with the real transport.
    func control(_ path: String, method: String = "GET", json: JSONValue? = nil) async throws -> JSONValue {
        let request = HTTPRequest(method: method, url: URL(string: baseURL + path)!,
                                  headers: json == nil ? [] : [("Content-Type", "application/json")], body: json?.serialized())
        let response = try await CurlTransport.shared.send(request, timeout: 10, maxBodyBytes: 1 << 24)
        return try response.json()
    }

    /// The emulator's request log.
    func requests() async throws -> [JSONValue] {
        try await control("/_emulator/requests").arrayValue ?? []
    }
}
