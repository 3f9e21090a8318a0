#if canImport(Glibc)
import Glibc
#endif
import CVideoGen
import VideoGen

// The asynchronous operations and their event dispatch: vg_client_submit_async, vg_task_wait_async,
// vg_task_download_async, vg_client_event_fd, vg_client_dispatch.

/// Starts `work` as the task's operation; everything it reports is posted to the client's queue, ending with
/// exactly one DONE event.
private func startAsync(_ box: TaskBox, handle: OpaquePointer, operation: AsyncOperation,
                        _ work: @escaping @Sendable (_ post: @escaping @Sendable (PendingEvent.Payload) -> Void) async throws -> TaskSnapshot) throws {
    let events = box.events
    let bits = UInt(bitPattern: handle)
    try box.start {
        let post: @Sendable (PendingEvent.Payload) -> Void = { payload in
            events.post(PendingEvent(handle: bits, box: box, payload: payload))
        }
        let result: Result<TaskSnapshot, VideoGenError>
        do {
            result = .success(try await work(post))
        } catch {
            result = .failure(VideoGenError.fromAny(error))
        }
        post(.done(result, operation: operation))
    }
}

@c @implementation
public func vg_client_submit_async(_ client: OpaquePointer?, _ request_json: UnsafePointer<CChar>?,
                                   _ out: UnsafeMutablePointer<OpaquePointer?>?,
                                   _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let out = try requiredOut(out)
        let (clientBox, request) = try submitInputs(client, request_json)
        let swiftClient = clientBox.client
        let prepared = try swiftClient.prepare(request)
        var placeholder = TaskSnapshot(id: "", dialect: swiftClient.configuration.dialect.rawValue,
                                       baseURL: swiftClient.configuration.baseURL.absoluteString)
        placeholder.idempotencyKey = prepared.idempotencyKey
        let box = TaskBox(client: swiftClient, events: clientBox.events, snapshot: placeholder)
        let handle = HandleTable.shared.insert(box, kind: .task)
        do {
            try startAsync(box, handle: handle, operation: .submit) { _ in try await swiftClient.submit(prepared) }
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
        try startAsync(box, handle: task!, operation: .wait) { post in
            try await plan.run { snapshot in post(.update(snapshot)) }
        }
    }
}

@c @implementation
public func vg_task_download_async(_ task: OpaquePointer?, _ path: UnsafePointer<CChar>?,
                                   _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let box = try requiredTask(task)
        guard let path = try CStrings.read(path, name: "path"), !path.isEmpty else {
            throw VideoGenError(.invalidArgument, "path is NULL or empty")
        }
        let current = box.snapshot
        guard current.state == .succeeded else {
            throw VideoGenError(.notReady, "the task is \(current.state.rawValue); only a succeeded task has a video to download")
        }
        let client = box.client
        try startAsync(box, handle: task!, operation: .download(path: path)) { post in
            try await client.download(current, to: path) { received, total in
                post(.transfer(received: received, total: total))
            }
        }
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
    guard let on_event, !timeout_seconds.isNaN else { return VG_E_INVALID_ARGUMENT }
    guard let box = HandleTable.shared.lookup(client, kind: .client, as: ClientBox.self) else { return VG_E_INVALID_HANDLE }
    box.events.waitForEvents(timeout: timeout_seconds)
    var count = 0
    for event in box.events.drain() where EventDelivery.deliver(event, to: on_event, userData: user_data) {
        count += 1
    }
    dispatched?.pointee = count
    return VG_OK
}

/// Turns one queued event into the task's new view and one callback.
enum EventDelivery {
    /// Delivers `event`; returns false when it was dropped (its task was freed or cancelled).
    static func deliver(_ event: PendingEvent, to callback: vg_event_fn, userData: UnsafeMutableRawPointer?) -> Bool {
        let box = event.box
        let handle = OpaquePointer(bitPattern: event.handle)
        let live = HandleTable.shared.lookup(handle, kind: .task, as: TaskBox.self) === box
        switch event.payload {
        case .update(let snapshot):
            box.update(snapshot)
            guard live else { return false }
            return notify(box) { callback(handle, VG_EVENT_UPDATE, VG_OK, nil, userData) }
        case .transfer(let received, let total):
            box.setTransfer(received: received, total: total)
            guard live else { return false }
            return notify(box) { callback(handle, VG_EVENT_TRANSFER, VG_OK, nil, userData) }
        case .done(let result, let operation):
            let failure = finish(box, result: result, operation: operation)
            box.finishOperation()
            guard live else { return false }
            let errorHandle = failure.map { HandleTable.shared.insert(ErrorBox($0), kind: .error) }
            defer { HandleTable.shared.remove(errorHandle, kind: .error, as: ErrorBox.self) }
            _ = box.runCallback(evenIfCancelled: true) {
                callback(handle, VG_EVENT_DONE, failure?.cCode ?? VG_OK, errorHandle, userData)
            }
            return true
        }
    }

    /// Runs an UPDATE or TRANSFER callback; a non-zero answer stops the task's operation.
    private static func notify(_ box: TaskBox, _ body: () -> Int32) -> Bool {
        guard let answer = box.runCallback(body) else { return false }
        if answer != 0 { box.abortOperation() }
        return true
    }

    /// Applies an operation's result to the task and returns the error its DONE event reports, if any.
    private static func finish(_ box: TaskBox, result: Result<TaskSnapshot, VideoGenError>,
                               operation: AsyncOperation) -> VideoGenError? {
        if box.wasAborted {
            if case .success(let snapshot) = result, case .download = operation, let path = snapshot.download?.path {
                unlink(path)
            }
            return VideoGenError(.abortedByCallback, "a callback returned non-zero")
        }
        switch result {
        case .success(let snapshot):
            box.update(snapshot)
            if case .wait = operation { return WaitPlan.error(of: snapshot) }
            if let record = snapshot.download { box.setTransfer(received: record.bytes, total: record.bytes) }
            return nil
        case .failure(let error):
            if case .submit = operation {
                var failed = box.snapshot
                failed.state = .failed
                failed.error = error
                box.update(failed)
            }
            if box.isCancelled { return VideoGenError(.cancelled, "the task was cancelled") }
            return error
        }
    }
}
