import CVideoGen
import VideoGen

/// The caller's callback for an operation's events, in whichever of the header's forms the call took: the
/// handle-only callbacks of ABI 1's first calls, or a `vg_update_fn` that receives the values (since 0.3.0).
enum Callback {
    /// No callback.
    case none
    /// `vg_task_wait`'s `vg_progress_fn`: UPDATE events only.
    case progress(vg_progress_fn, UnsafeMutableRawPointer?)
    /// `vg_task_download`'s `vg_transfer_fn`: TRANSFER events only.
    case transfer(vg_transfer_fn, UnsafeMutableRawPointer?)
    /// `vg_client_dispatch`'s `vg_event_fn`: every event.
    case event(vg_event_fn, UnsafeMutableRawPointer?)
    /// A `vg_update_fn` (the *_v2 calls): every event, with its values.
    case update(vg_update_fn, UnsafeMutableRawPointer?)

    /// Whether this callback is called for events of `kind`.
    func takes(_ kind: vg_event_kind) -> Bool {
        switch self {
        case .none: return false
        case .progress: return kind == VG_EVENT_UPDATE
        case .transfer: return kind == VG_EVENT_TRANSFER
        case .event, .update: return true
        }
    }

    /// Calls the callback for one event of `box`'s task, whose view already shows the event.
    /// - Parameter outcome: the operation's result, for DONE.
    func call(_ task: OpaquePointer?, _ box: TaskBox, kind: vg_event_kind,
              outcome: Result<OperationValue, VideoGenError>?) -> Int32 {
        switch self {
        case .none:
            return 0
        case .progress(let function, let userData):
            return function(task, userData)
        case .transfer(let function, let userData):
            let bytes = box.bytes
            return function(task, UInt64(max(0, bytes.received)), bytes.total ?? -1, userData)
        case .event(let function, let userData):
            return BorrowedError.with(outcome?.failure) { error in
                function(task, kind, outcome?.failure?.cCode ?? VG_OK, error, userData)
            }
        case .update(let function, let userData):
            return UpdateRecord.with(box, kind: kind, outcome: outcome) { update in function(task, update, userData) }
        }
    }
}

extension Result {
    /// The error of a failure; nil for a success.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// A `vg_error` handle lent to a callback for the duration of one call.
enum BorrowedError {
    /// Runs `body` with a handle for `error` (NULL when nil), freed when `body` returns.
    static func with<T>(_ error: VideoGenError?, _ body: (OpaquePointer?) -> T) -> T {
        guard let error else { return body(nil) }
        let handle = HandleTable.shared.insert(ErrorBox(error), kind: .error)
        defer { HandleTable.shared.remove(handle, kind: .error, as: ErrorBox.self) }
        return body(handle)
    }
}

/// Fills the `vg_update` a `vg_update_fn` receives, on the stack, from the task's view after the event.
enum UpdateRecord {
    /// Runs `body` with the update for an event of `kind` on `box`'s task (the operation's `outcome` for DONE). The
    /// error handles and the snapshot text it points to live until `body` returns.
    static func with(_ box: TaskBox, kind: vg_event_kind, outcome: Result<OperationValue, VideoGenError>?,
                     _ body: (UnsafePointer<vg_update>) -> Int32) -> Int32 {
        let view = box.snapshot
        let bytes = box.bytes
        var update = vg_update()
        update.size = MemoryLayout<vg_update>.size
        update.kind = kind
        update.code = outcome?.failure?.cCode ?? VG_OK
        update.state = view.state.cState
        update.progress = Int32(clamping: view.progress ?? -1)
        update.queue_position = Int32(clamping: view.queuePosition ?? -1)
        update.bytes_received = UInt64(max(0, bytes.received))
        update.bytes_total = bytes.total ?? -1
        return BorrowedError.with(outcome?.failure) { error in
            update.error = error
            return BorrowedError.with(view.error) { taskError in
                update.task_error = taskError
                guard kind != VG_EVENT_TRANSFER else { return body(&update) }
                return view.json.jsonText.withCString { json in
                    update.snapshot_json = json
                    return body(&update)
                }
            }
        }
    }
}

extension TaskState {
    /// The C state (`vg_state`): the index in the one vocabulary.
    var cState: vg_state {
        vg_state(rawValue: UInt32(TaskState.allCases.firstIndex(of: self) ?? TaskState.allCases.firstIndex(of: .failed)!))
    }
}
