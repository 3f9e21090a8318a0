import Foundation
@testable import VideoGen

/// A C program of `Tests/c/` (one that is not part of `Tests/c/run.sh`), compiled with `cc` against the
/// libvideogen.so of this build and run as a child process: descriptor, thread and RSS counts of a process of its
/// own are not disturbed by the other tests running in parallel, and it can be killed at any point.
struct CProgram: Sendable {
    let executable: String

    /// The libvideogen.so built with these tests: beside the test executable, else `.build/debug`, else
    /// `.build/release`.
    static func libraryDirectory() throws -> String {
        let root = EmulatorProcess.repositoryRoot.path
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append((exe as NSString).deletingLastPathComponent)
        }
        candidates += [root + "/.build/debug", root + "/.build/release"]
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/libvideogen.so") }) else {
            throw VideoGenError(.internal, "libvideogen.so not found in \(candidates)")
        }
        return found
    }

    /// Compiles `Tests/c/<source>` into `directory`.
    init(source: String, in directory: String) throws {
        let root = EmulatorProcess.repositoryRoot.path
        let library = try CProgram.libraryDirectory()
        executable = directory + "/" + (source as NSString).deletingPathExtension
        let result = try CProgram.run("/usr/bin/env", ["cc", "-std=gnu11", "-O1", "-Wall", "-Wextra", "-Werror", "-I", root + "/include",
                                                       "-o", executable, root + "/Tests/c/" + source, "-L", library,
                                                       "-lvideogen", "-Wl,-rpath," + library, "-lpthread"], timeout: 120)
        guard result.status == 0 else {
            throw VideoGenError(.internal, "cc \(source) failed: \(result.output)")
        }
    }

    /// Runs the program to its end (killed after `timeout` seconds); its exit status and its standard output
    /// and error, interleaved. The waiting happens on a thread of its own, not on Swift's cooperative pool.
    /// - Parameter environment: variables added to this process's environment for the program.
    func run(_ arguments: [String], timeout: Double, environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let executable = executable
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try CProgram.run(executable, arguments, timeout: timeout, environment: environment) })
            }.start()
        }
    }

    /// Compiles `Tests/c/<source>` into `directory` on a thread of its own.
    static func compile(_ source: String, in directory: String) async throws -> CProgram {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try CProgram(source: source, in: directory) }) }.start()
        }
    }

    /// Starts the program with its output going to `outputPath`; the caller waits for or kills it.
    func start(_ arguments: [String], outputPath: String) throws -> Process {
        try CProgram.launch(executable, arguments, outputPath: outputPath)
    }

    /// Starts `executable` with stdout and stderr going to `outputPath`, and `environment` added to this process's.
    static func launch(_ executable: String, _ arguments: [String], outputPath: String,
                       environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        }
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try handle.close()
        return process
    }

    static func run(_ executable: String, _ arguments: [String], timeout: Double,
                    environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("vg-cprogram-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let process = try launch(executable, arguments, outputPath: outputPath, environment: environment)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            return (-1, output + "\n(killed after \(timeout) s)")
        }
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
    }
}

extension String {
    /// The words after `RESULT <key>` on the output's first such line.
    func result(_ key: String) -> [String]? {
        for line in split(separator: "\n") where line.hasPrefix("RESULT \(key) ") {
            return line.dropFirst("RESULT \(key) ".count).split(separator: " ").map(String.init)
        }
        return nil
    }

    /// The output's `FIGURE:` lines, and its `FAIL:` lines.
    var figureLines: [String] { split(separator: "\n").filter { $0.hasPrefix("FIGURE: ") }.map(String.init) }
    var failLines: [String] { split(separator: "\n").filter { $0.hasPrefix("FAIL: ") }.map(String.init) }
}
