import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import CVideoGen
import VideoGen

// The vg_task functions: poll, wait, download, cancel, free, getters, snapshot.

func taskBox(_ handle: OpaquePointer?) -> TaskBox? {
    HandleTable.shared.lookup(handle, kind: .task, as: TaskBox.self)
}

func requiredTask(_ handle: OpaquePointer?) throws -> TaskBox {
    guard let box = taskBox(handle) else { throw VideoGenError(.invalidHandle, "not a live vg_task handle") }
    return box
}

/// The path argument of a download; NULL, empty and non-UTF-8 paths are refused.
func requiredPath(_ path: UnsafePointer<CChar>?) throws -> String {
    guard let path = try CStrings.read(path, name: "path"), !path.isEmpty else {
        throw VideoGenError(.invalidArgument, "path is NULL or empty")
    }
    return path
}

/// The task as last seen, when it succeeded (only a succeeded task has a video to download).
func succeededSnapshot(_ box: TaskBox) throws -> TaskSnapshot {
    let current = box.snapshot
    guard current.state == .succeeded else {
        throw VideoGenError(.notReady, "the task is \(current.state.rawValue); only a succeeded task has a video to download")
    }
    return current
}

/// The poll of `vg_task_poll` and `vg_task_poll_v2`.
private func pollBlocking(_ task: OpaquePointer?, _ callback: Callback, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let box = try requiredTask(task)
        _ = try Operation.run(.poll, box: box, handle: task, callback: callback, Launch.poll(box.client, box.snapshot)).get()
    }
}

@c @implementation
public func vg_task_poll(_ task: OpaquePointer?, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    pollBlocking(task, .none, error)
}

@c @implementation
public func vg_task_poll_v2(_ task: OpaquePointer?, _ on_update: vg_update_fn?, _ user_data: UnsafeMutableRawPointer?,
                            _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    pollBlocking(task, on_update.map { .update($0, user_data) } ?? .none, error)
}

/// The wait of `vg_task_wait` and `vg_task_wait_v2`.
private func waitBlocking(_ task: OpaquePointer?, _ timeout: Double, _ callback: Callback,
                          _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let box = try requiredTask(task)
        let plan = try WaitPlan(box, timeoutSeconds: timeout)
        _ = try Operation.run(.wait, box: box, handle: task, callback: callback, Launch.wait(plan)).get()
    }
}

@c @implementation
public func vg_task_wait(_ task: OpaquePointer?, _ timeout_seconds: Double, _ on_progress: vg_progress_fn?,
                         _ user_data: UnsafeMutableRawPointer?, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    waitBlocking(task, timeout_seconds, on_progress.map { .progress($0, user_data) } ?? .none, error)
}

@c @implementation
public func vg_task_wait_v2(_ task: OpaquePointer?, _ timeout_seconds: Double, _ on_update: vg_update_fn?,
                            _ user_data: UnsafeMutableRawPointer?, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    waitBlocking(task, timeout_seconds, on_update.map { .update($0, user_data) } ?? .none, error)
}

@c @implementation
public func vg_task_download(_ task: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ on_progress: vg_transfer_fn?,
                             _ user_data: UnsafeMutableRawPointer?, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    downloadBlocking(task, variant: .video, path, on_progress.map { .transfer($0, user_data) } ?? .none, error)
}

@c @implementation
public func vg_task_download_v2(_ task: OpaquePointer?, _ variant: UnsafePointer<CChar>?, _ path: UnsafePointer<CChar>?,
                                _ on_update: vg_update_fn?, _ user_data: UnsafeMutableRawPointer?,
                                _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    let asset: ContentVariant
    do {
        _ = try requiredTask(task)
        asset = try variant.map { try ContentVariant(name: try requiredText($0, "variant")) } ?? .video
    } catch let failure {
        return report(VideoGenError.wrap(failure), error)
    }
    return downloadBlocking(task, variant: asset, path, on_update.map { .update($0, user_data) } ?? .none, error)
}

/// The blocking download of `vg_task_download`, `vg_task_download_variant` and `vg_task_download_v2`: the video or
/// one of its stills.
func downloadBlocking(_ task: OpaquePointer?, variant: ContentVariant, _ path: UnsafePointer<CChar>?,
                      _ callback: Callback, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let box = try requiredTask(task)
        let path = try requiredPath(path)
        _ = try Operation.run(.download, box: box, handle: task, callback: callback,
                              Launch.download(box.client, box.snapshot, variant: variant, to: path)).get()
    }
}

@c @implementation
public func vg_task_cancel(_ task: OpaquePointer?, _ flags: Int32, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let box = try requiredTask(task)
        guard flags & ~Int32(VG_CANCEL_REMOTE.rawValue) == 0 else {
            throw VideoGenError(.invalidArgument, "unknown cancel flags \(flags)")
        }
        box.cancel()
        if flags & Int32(VG_CANCEL_REMOTE.rawValue) != 0 {
            let client = box.client
            let current = box.snapshot
            _ = try Operation.run(.cancelRemote, box: nil, handle: nil, Launch.other(client, { _ in OperationValue.none }) {
                try await client.cancelRemotely(current)
            }).get()
        }
    }
}

@c @implementation
public func vg_task_free(_ task: OpaquePointer?) {
    HandleTable.shared.remove(task, kind: .task, as: TaskBox.self)?.cancel()
}

@c @implementation
public func vg_task_id(_ task: OpaquePointer?) -> UnsafePointer<CChar>! {
    taskBox(task)?.string("id") { $0.id } ?? CStrings.empty
}

@c @implementation
public func vg_task_state(_ task: OpaquePointer?) -> vg_state {
    taskBox(task)?.snapshot.state.cState ?? VG_STATE_FAILED
}

@c @implementation
public func vg_task_progress(_ task: OpaquePointer?) -> Int32 {
    Int32(taskBox(task)?.snapshot.progress ?? -1)
}

@c @implementation
public func vg_task_queue_position(_ task: OpaquePointer?) -> Int32 {
    Int32(clamping: taskBox(task)?.snapshot.queuePosition ?? -1)
}

@c @implementation
public func vg_task_video_url(_ task: OpaquePointer?) -> UnsafePointer<CChar>? {
    taskBox(task)?.string("video_url") { $0.state == .succeeded ? $0.videoURL : nil }
}

@c @implementation
public func vg_task_error_code(_ task: OpaquePointer?) -> vg_code {
    guard let box = taskBox(task) else { return VG_E_INVALID_HANDLE }
    return box.snapshot.error?.cCode ?? VG_OK
}

@c @implementation
public func vg_task_error_message(_ task: OpaquePointer?) -> UnsafePointer<CChar>? {
    taskBox(task)?.string("error_message") { $0.error?.message }
}

@c @implementation
public func vg_task_snapshot_json(_ task: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> vg_code {
    guard let out else { return VG_E_INVALID_ARGUMENT }
    out.pointee = nil
    guard let box = taskBox(task) else { return VG_E_INVALID_HANDLE }
    guard let text = CStrings.owned(box.snapshot.json.jsonText) else { return VG_E_NOMEM }
    out.pointee = text
    return VG_OK
}

@c @implementation
public func vg_task_bytes_received(_ task: OpaquePointer?) -> UInt64 {
    UInt64(max(0, taskBox(task)?.bytes.received ?? 0))
}

@c @implementation
public func vg_task_bytes_total(_ task: OpaquePointer?) -> Int64 {
    taskBox(task)?.bytes.total ?? -1
}

/// A wait as vg_task_wait and vg_task_wait_async both start it: checked arguments, the task as last seen, and
/// whether to poll at once (a task not refreshed for a poll interval) or one interval from now (a fresh one).
struct WaitPlan: Sendable {
    let client: VideoGenClient
    let current: TaskSnapshot
    let timeout: Double?
    let immediately: Bool

    init(_ box: TaskBox, timeoutSeconds: Double) throws {
        guard !timeoutSeconds.isNaN else { throw VideoGenError(.invalidArgument, "timeout_seconds is NaN") }
        let client = box.client
        let current = box.snapshot
        self.client = client
        self.current = current
        timeout = timeoutSeconds > 0 ? timeoutSeconds : nil
        immediately = current.updatedAt.map { Date().timeIntervalSince1970 - $0 >= client.configuration.poll.interval } ?? true
    }

    /// Runs the wait, reporting every change to `onUpdate`.
    func run(_ onUpdate: @escaping @Sendable (TaskSnapshot) -> Void) async throws -> TaskSnapshot {
        try await client.wait(for: current, timeout: timeout, pollImmediately: immediately, onUpdate: onUpdate)
    }

    /// The error a finished wait reports: nil when the task succeeded.
    static func error(of final: TaskSnapshot) -> VideoGenError? {
        guard final.state != .succeeded else { return nil }
        return final.error ?? VideoGenError(.taskFailed, "the task ended \(final.state.rawValue)")
    }
}
