import Foundation
import Testing
@testable import VideoGen

/// RELIABILITY.md row 20: a small soak through the C ABI in a child process (`Tests/c/cancel_soak.c soak`), so that
/// its RSS, descriptor and thread counts are its own. Defaults: 2,000 poll cycles on one client and 200 clients
/// created, polled and freed; `VIDEOGEN_SOAK_CYCLES` / `VIDEOGEN_SOAK_CLIENTS` scale them (the reference's figure:
/// 10,000 and 1,000).
@Suite("soak", .serialized)
struct SoakTests {
    @Test("poll cycles on one client and many clients created and freed: RSS, descriptors and threads flat, no failure")
    func soak() async throws {
        let environment = ProcessInfo.processInfo.environment
        let cycles = environment["VIDEOGEN_SOAK_CYCLES"].flatMap(Int.init) ?? 2000
        let clients = environment["VIDEOGEN_SOAK_CLIENTS"].flatMap(Int.init) ?? 200
        let emulator = try EmulatorProcess(taskSeconds: 0.3)
        try await withTemporaryDirectory { directory in
            let program = try await CProgram.compile("cancel_soak.c", in: directory)
            let (status, output) = try await program.run(["soak", emulator.baseURL, emulator.key, String(cycles), String(clients)],
                                                         timeout: 600)
            output.figureLines.forEach { print($0) }
            #expect(status == 0, "\(output)")
            #expect(output.result("aborts") == ["0"])
            for phase in ["cycles", "clients"] {
                let rss = (output.result("\(phase)_rss_kib") ?? []).compactMap(Int.init)
                let fds = (output.result("\(phase)_fds") ?? []).compactMap(Int.init)
                let threads = (output.result("\(phase)_threads") ?? []).compactMap(Int.init)
                // The reference's bound: RSS growth ≤ 10 MB after warm-up. Descriptors: the transport's idle
                // connections may differ by 2 between the ends. Threads: Dispatch's pool adds a worker while others
                // block (the transport's loop threads, download writers), by a few to a dozen on a busy
                // machine (10 -> 15 seen in CI runs); a leak of one per cycle would add thousands.
                #expect(rss.count == 3 && rss[1] - rss[0] <= 10_240, "\(phase): RSS \(rss) KiB")
                #expect(fds.count == 3 && fds[1] <= fds[0] + 2, "\(phase): descriptors \(fds)")
                #expect(threads.count == 3 && threads[1] <= threads[0] + 16, "\(phase): threads \(threads)")
            }
        }
    }
}
