import CVideoGen
import FoundationEssentials
import VideoGen

// vg_client_create, vg_client_free, vg_client_submit, vg_client_resume.

func clientBox(_ handle: OpaquePointer?) throws -> ClientBox {
    guard let box = HandleTable.shared.lookup(handle, kind: .client, as: ClientBox.self) else {
        throw VideoGenError(.invalidHandle, "not a live vg_client handle")
    }
    return box
}

/// The JSON document argument `name` (`document` names it in messages); NULL and non-UTF-8 text are refused.
func requiredJSON(_ pointer: UnsafePointer<CChar>?, _ name: String, document: String) throws -> JSONValue {
    guard let value = try CStrings.json(pointer, document: document) else {
        throw VideoGenError(.invalidArgument, "\(name) is NULL")
    }
    return value
}

/// The text argument `name`; NULL and non-UTF-8 text are refused naming it.
func requiredText(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> String {
    guard let text = try CStrings.read(pointer, name: name) else {
        throw VideoGenError(.invalidArgument, "\(name) is NULL")
    }
    return text
}

func requiredOut(_ out: UnsafeMutablePointer<OpaquePointer?>?) throws -> UnsafeMutablePointer<OpaquePointer?> {
    guard let out else { throw VideoGenError(.invalidArgument, "the out parameter is NULL") }
    out.pointee = nil
    return out
}

/// The client and the parsed request every submit entry point starts from.
func submitInputs(_ client: OpaquePointer?, _ requestJSON: UnsafePointer<CChar>?) throws -> (ClientBox, VideoRequest) {
    let box = try clientBox(client)
    let request = try VideoRequest(json: try requiredJSON(requestJSON, "request_json", document: "request"))
    return (box, request)
}

/// A new task handle for `snapshot`, reporting to the client's event queue.
func insertTask(_ box: ClientBox, _ snapshot: TaskSnapshot) -> OpaquePointer {
    HandleTable.shared.insert(TaskBox(owner: box, snapshot: snapshot), kind: .task)
}

/// Submits a prepared request from a C thread and returns the new task's handle: the asynchronous submit's
/// operation, drained on this thread; the task gets a handle only once the submit succeeded.
private func submitBlocking(_ box: ClientBox, _ request: VideoRequest) throws -> OpaquePointer {
    let client = box.client
    let prepared = try client.prepare(request)
    let task = TaskBox(owner: box, snapshot: Launch.placeholder(client, prepared))
    _ = try Operation.run(.submit, box: task, handle: nil, Launch.submit(client, prepared)).get()
    return HandleTable.shared.insert(task, kind: .task)
}

@c @implementation
public func vg_client_create(_ config_json: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                             _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let out = try requiredOut(out)
        let configuration = try ClientConfiguration(json: try requiredJSON(config_json, "config_json", document: "configuration"))
        out.pointee = HandleTable.shared.insert(ClientBox(VideoGenClient(configuration: configuration)), kind: .client)
    }
}

@c @implementation
public func vg_client_free(_ client: OpaquePointer?) {
    // Undispatched events hold their tasks; nobody can dispatch them any more, so drop them now (this also breaks
    // the task → queue → event → task reference cycle).
    HandleTable.shared.remove(client, kind: .client, as: ClientBox.self)?.events.discardAll()
}

@c @implementation
public func vg_client_submit(_ client: OpaquePointer?, _ request_json: UnsafePointer<CChar>?,
                             _ out: UnsafeMutablePointer<OpaquePointer?>?,
                             _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let out = try requiredOut(out)
        let (box, request) = try submitInputs(client, request_json)
        out.pointee = try submitBlocking(box, request)
    }
}

@c @implementation
public func vg_client_resume(_ client: OpaquePointer?, _ record_json: UnsafePointer<CChar>?,
                             _ out: UnsafeMutablePointer<OpaquePointer?>?,
                             _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let out = try requiredOut(out)
        let box = try clientBox(client)
        out.pointee = insertTask(box, try box.client.resume(record: try requiredJSON(record_json, "record_json", document: "record")))
    }
}

@c @implementation
public func vg_client_submit_images(_ client: OpaquePointer?, _ request_json: UnsafePointer<CChar>?,
                                    _ images: UnsafePointer<vg_image>?, _ count: Int,
                                    _ out: UnsafeMutablePointer<OpaquePointer?>?,
                                    _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let out = try requiredOut(out)
        var (box, request) = try submitInputs(client, request_json)
        guard count >= 0, count <= 64 else { throw VideoGenError(.invalidArgument, "count must be 0 to 64") }
        guard count == 0 || images != nil else { throw VideoGenError(.invalidArgument, "images is NULL") }
        for index in 0..<count {
            let image = images![index]
            guard let field = try CStrings.read(image.field, name: "images[\(index)].field") else {
                throw VideoGenError(.invalidArgument, "images[\(index)].field is NULL")
            }
            guard let data = image.data, image.size > 0 else {
                throw VideoGenError(.invalidArgument, "images[\(index)].data is NULL or empty")
            }
            guard image.size <= ImageSource.maxBytes else {
                throw VideoGenError(.tooLarge, "images[\(index)] is \(image.size) bytes, over the \(ImageSource.maxBytes)-byte limit")
            }
            let mime = try CStrings.read(image.mime_type, name: "images[\(index)].mime_type") ?? ""
            guard mime.isEmpty || mime.lowercased().hasPrefix("image/") else {
                throw VideoGenError(.invalidArgument, "images[\(index)].mime_type must be an image/ type")
            }
            try request.attach(.bytes(Data(bytes: data, count: image.size), mimeType: mime), to: field)
        }
        out.pointee = try submitBlocking(box, request)
    }
}
