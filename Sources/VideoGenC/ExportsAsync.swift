#if canImport(Glibc)
import Glibc
#endif
import CVideoGen
import VideoGen

// The asynchronous operations and their event dispatch: vg_client_submit_async, vg_task_wait_async,
// vg_task_download_async, vg_client_event_fd, vg_client_dispatch, vg_client_dispatch_v2. Each *_async call starts
// the same `Operation` as its blocking twin, with the client's queue as its sink.

@c @implementation
public func vg_client_submit_async(_ client: OpaquePointer?, _ request_json: UnsafePointer<CChar>?,
                                   _ out: UnsafeMutablePointer<OpaquePointer?>?,
                                   _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let out = try requiredOut(out)
        let (clientBox, request) = try submitInputs(client, request_json)
        let prepared = try clientBox.client.prepare(request)
        let box = TaskBox(owner: clientBox, snapshot: Launch.placeholder(clientBox.client, prepared))
        let handle = HandleTable.shared.insert(box, kind: .task)
        do {
            _ = try Operation.start(.submit, box: box, handle: handle, sink: .queue(clientBox.events),
                                    Launch.submit(clientBox.client, prepared))
        } catch {
            HandleTable.shared.remove(handle, kind: .task, as: TaskBox.self)
            throw error
        }
        out.pointee = handle
    }
}

@c @implementation
public func vg_task_wait_async(_ task: OpaquePointer?, _ timeout_seconds: Double,
                               _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let box = try requiredTask(task)
        let plan = try WaitPlan(box, timeoutSeconds: timeout_seconds)
        _ = try Operation.start(.wait, box: box, handle: task, sink: .queue(box.owner.events), Launch.wait(plan))
    }
}

@c @implementation
public func vg_task_download_async(_ task: OpaquePointer?, _ path: UnsafePointer<CChar>?,
                                   _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let box = try requiredTask(task)
        let path = try requiredPath(path)
        let current = try succeededSnapshot(box)
        _ = try Operation.start(.download, box: box, handle: task, sink: .queue(box.owner.events),
                                Launch.download(box.client, current, variant: .video, to: path))
    }
}

@c @implementation
public func vg_client_event_fd(_ client: OpaquePointer?, _ fd: UnsafeMutablePointer<Int32>?) -> vg_code {
    guard let fd else { return VG_E_INVALID_ARGUMENT }
    guard let box = HandleTable.shared.lookup(client, kind: .client, as: ClientBox.self) else { return VG_E_INVALID_HANDLE }
    guard box.events.descriptor >= 0 else { return VG_E_INTERNAL }
    fd.pointee = box.events.descriptor
    return VG_OK
}

@c @implementation
public func vg_client_dispatch(_ client: OpaquePointer?, _ timeout_seconds: Double, _ on_event: vg_event_fn?,
                               _ user_data: UnsafeMutableRawPointer?, _ dispatched: UnsafeMutablePointer<Int>?) -> vg_code {
    dispatched?.pointee = 0
    guard let on_event else { return VG_E_INVALID_ARGUMENT }
    return dispatch(client, timeout_seconds, .event(on_event, user_data), dispatched)
}

@c @implementation
public func vg_client_dispatch_v2(_ client: OpaquePointer?, _ timeout_seconds: Double, _ on_update: vg_update_fn?,
                                  _ user_data: UnsafeMutableRawPointer?,
                                  _ dispatched: UnsafeMutablePointer<Int>?) -> vg_code {
    dispatched?.pointee = 0
    guard let on_update else { return VG_E_INVALID_ARGUMENT }
    return dispatch(client, timeout_seconds, .update(on_update, user_data), dispatched)
}

/// Delivers the client's pending events to `callback` on this thread, waiting up to `timeout` for the first.
private func dispatch(_ client: OpaquePointer?, _ timeout: Double, _ callback: Callback,
                      _ dispatched: UnsafeMutablePointer<Int>?) -> vg_code {
    guard !timeout.isNaN else { return VG_E_INVALID_ARGUMENT }
    guard let box = HandleTable.shared.lookup(client, kind: .client, as: ClientBox.self) else { return VG_E_INVALID_HANDLE }
    box.events.waitForEvents(timeout: timeout)
    var count = 0
    for event in box.events.drain() {
        switch event.operation.deliver(event.payload, to: callback) {
        case .skipped: break
        case .shown: count += 1
        case .finished(_, let shown): if shown { count += 1 }
        }
    }
    dispatched?.pointee = count
    return VG_OK
}
