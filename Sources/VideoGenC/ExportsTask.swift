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

@c @implementation
public func vg_task_poll(_ task: OpaquePointer?, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let box = try requiredTask(task)
        let client = box.client
        let current = box.snapshot
        let refreshed = try CallerThreadRunner.run(box) { (_: EventChannel<TaskSnapshot>) in
            try await client.refresh(current)
        }.get()
        box.update(refreshed)
    }
}

@c @implementation
public func vg_task_wait(_ task: OpaquePointer?, _ timeout_seconds: Double, _ on_progress: vg_progress_fn?,
                         _ user_data: UnsafeMutableRawPointer?, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let box = try requiredTask(task)
        let plan = try WaitPlan(box, timeoutSeconds: timeout_seconds)
        let onUpdate: ((TaskSnapshot) -> Int32)? = on_progress.map { callback in { _ in callback(task, user_data) } }
        let final = try CallerThreadRunner.run(box, onUpdate: onUpdate) { (channel: EventChannel<TaskSnapshot>) in
            try await plan.run { snapshot in channel.send(update: snapshot) }
        }.get()
        box.update(final)
        if let failure = WaitPlan.error(of: final) { throw failure }
    }
}

@c @implementation
public func vg_task_download(_ task: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ on_progress: vg_transfer_fn?,
                             _ user_data: UnsafeMutableRawPointer?, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    downloadBlocking(task, variant: .video, path, on_progress, user_data, error)
}

/// The blocking download of `vg_task_download` and `vg_task_download_variant`: the video or one of its stills.
func downloadBlocking(_ task: OpaquePointer?, variant: ContentVariant, _ path: UnsafePointer<CChar>?,
                      _ on_progress: vg_transfer_fn?, _ user_data: UnsafeMutableRawPointer?,
                      _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let box = try requiredTask(task)
        guard let path = try CStrings.read(path, name: "path"), !path.isEmpty else {
            throw VideoGenError(.invalidArgument, "path is NULL or empty")
        }
        let client = box.client
        let current = box.snapshot
        let delivered = TransferMark()
        let onTransfer: ((Int64, Int64?) -> Int32)? = on_progress.map { callback in
            { received, total in
                delivered.received = received
                delivered.total = total
                return callback(task, UInt64(max(0, received)), total ?? -1, user_data)
            }
        }
        let final = try CallerThreadRunner.run(box, onTransfer: onTransfer, discard: { snapshot in
            if let written = snapshot.download?.path { unlink(written) }
        }) { (channel: EventChannel<TaskSnapshot>) in
            try await client.download(current, variant: variant, to: path) { received, total in
                channel.send(received: received, total: total)
            }
        }.get()
        box.update(final)
        // The promised last call, with received == total, unless the coalesced progress already said exactly that.
        if let onTransfer, let record = final.download, delivered.received != record.bytes || delivered.total != record.bytes {
            if let stop = box.runCallback({ onTransfer(record.bytes, record.bytes) }), stop != 0 {
                unlink(path)
                box.update(current)                 // the snapshot records no download whose file is gone
                throw VideoGenError(.abortedByCallback, "a callback returned non-zero")
            }
        }
    }
}

/// The last byte progress shown to a download callback (used on the calling thread only).
private final class TransferMark {
    var received: Int64 = -1
    var total: Int64?
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
            try CallerThreadRunner.block { try await client.cancelRemotely(current) }.get()
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
    guard let state = taskBox(task)?.snapshot.state, let index = TaskState.allCases.firstIndex(of: state) else {
        return VG_STATE_FAILED
    }
    return vg_state(rawValue: UInt32(index))
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
