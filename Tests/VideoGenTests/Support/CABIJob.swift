import CVideoGen
import Foundation

/// The whole job through the C ABI (`vg_client_create` → `vg_client_submit` → `vg_task_wait` →
/// `vg_task_download`), run on a thread of its own: the C calls block, and blocking a thread of Swift's small
/// cooperative pool could starve the library's own work.
enum CABIJob {
    /// What a run through the C ABI produced.
    struct Outcome: Sendable {
        /// The `vg_code` of the first call that did not succeed (0 when all did).
        var code: UInt32 = 0
        /// That call's name.
        var step = ""
        /// Its error message.
        var message = ""
        /// Its provider code.
        var providerCode: String?
        /// The task's final state (`vg_state` raw value), when a task existed.
        var state: UInt32?
        /// The task's video URL, when it had one.
        var videoURL: String?
    }

    /// Runs create, submit, wait and (when `downloadTo` is given) download.
    static func run(config: String, request: String, downloadTo path: String?, timeout: Double = 30) async -> Outcome {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: runBlocking(config: config, request: request, downloadTo: path, timeout: timeout))
            }
            thread.start()
        }
    }

    private static func runBlocking(config: String, request: String, downloadTo path: String?, timeout: Double) -> Outcome {
        var outcome = Outcome()
        var client: OpaquePointer?
        var task: OpaquePointer?
        defer {
            vg_task_free(task)
            vg_client_free(client)
        }
        func failed(_ step: String, _ code: vg_code, _ error: OpaquePointer?) -> Outcome {
            outcome.code = code.rawValue
            outcome.step = step
            outcome.message = vg_error_message(error).map { String(cString: $0) } ?? ""
            outcome.providerCode = vg_error_provider_code(error).map { String(cString: $0) }
            vg_error_free(error)
            return outcome
        }
        var error: OpaquePointer?
        var code = vg_client_create(config, &client, &error)
        if code != VG_OK { return failed("create", code, error) }
        code = vg_client_submit(client, request, &task, &error)
        if code != VG_OK { return failed("submit", code, error) }
        code = vg_task_wait(task, timeout, nil, nil, &error)
        outcome.state = vg_task_state(task).rawValue
        outcome.videoURL = vg_task_video_url(task).map { String(cString: $0) }
        if code != VG_OK { return failed("wait", code, error) }
        if let path {
            code = vg_task_download(task, path, nil, nil, &error)
            if code != VG_OK { return failed("download", code, error) }
        }
        return outcome
    }
}
