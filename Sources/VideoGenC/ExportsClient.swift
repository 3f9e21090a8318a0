import CVideoGen
import Foundation
import VideoGen

// vg_client_create, vg_client_free, vg_client_submit, vg_client_resume.

func clientBox(_ handle: OpaquePointer?) throws -> ClientBox {
    guard let box = HandleTable.shared.lookup(handle, kind: .client, as: ClientBox.self) else {
        throw VideoGenError(.invalidHandle, "not a live vg_client handle")
    }
    return box
}

func requiredText(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> String {
    guard let text = CStrings.read(pointer) else {
        throw VideoGenError(.invalidArgument, "\(name) is NULL")
    }
    return text
}

func requiredOut(_ out: UnsafeMutablePointer<OpaquePointer?>?) throws -> UnsafeMutablePointer<OpaquePointer?> {
    guard let out else { throw VideoGenError(.invalidArgument, "the out parameter is NULL") }
    out.pointee = nil
    return out
}

@c @implementation
public func vg_client_create(_ config_json: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                             _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let out = try requiredOut(out)
        let configuration = try ClientConfiguration(json: JSONValue.parse(try requiredText(config_json, "config_json")))
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
        let box = try clientBox(client)
        let request = try VideoRequest(json: JSONValue.parse(try requiredText(request_json, "request_json")))
        let client = box.client
        let snapshot = try CallerThreadRunner.block { try await client.submit(request) }.get()
        out.pointee = HandleTable.shared.insert(TaskBox(client: client, events: box.events, snapshot: snapshot), kind: .task)
    }
}

@c @implementation
public func vg_client_resume(_ client: OpaquePointer?, _ record_json: UnsafePointer<CChar>?,
                             _ out: UnsafeMutablePointer<OpaquePointer?>?,
                             _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let out = try requiredOut(out)
        let box = try clientBox(client)
        let snapshot = try box.client.resume(record: JSONValue.parse(try requiredText(record_json, "record_json")))
        out.pointee = HandleTable.shared.insert(TaskBox(client: box.client, events: box.events, snapshot: snapshot), kind: .task)
    }
}

@c @implementation
public func vg_client_submit_images(_ client: OpaquePointer?, _ request_json: UnsafePointer<CChar>?,
                                    _ images: UnsafePointer<vg_image>?, _ count: Int,
                                    _ out: UnsafeMutablePointer<OpaquePointer?>?,
                                    _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let out = try requiredOut(out)
        let box = try clientBox(client)
        var request = try VideoRequest(json: JSONValue.parse(try requiredText(request_json, "request_json")))
        guard count >= 0, count <= 64 else { throw VideoGenError(.invalidArgument, "count must be 0 to 64") }
        guard count == 0 || images != nil else { throw VideoGenError(.invalidArgument, "images is NULL") }
        for index in 0..<count {
            let image = images![index]
            guard let field = CStrings.read(image.field) else {
                throw VideoGenError(.invalidArgument, "images[\(index)].field is NULL")
            }
            guard let data = image.data, image.size > 0 else {
                throw VideoGenError(.invalidArgument, "images[\(index)].data is NULL or empty")
            }
            guard image.size <= ImageSource.maxBytes else {
                throw VideoGenError(.tooLarge, "images[\(index)] is \(image.size) bytes, over the \(ImageSource.maxBytes)-byte limit")
            }
            let mime = CStrings.read(image.mime_type) ?? ""
            guard mime.isEmpty || mime.lowercased().hasPrefix("image/") else {
                throw VideoGenError(.invalidArgument, "images[\(index)].mime_type must be an image/ type")
            }
            try request.attach(.bytes(Data(bytes: data, count: image.size), mimeType: mime), to: field)
        }
        try request.validate()
        let client = box.client
        let prepared = try client.prepare(request)
        let snapshot = try CallerThreadRunner.block { try await client.submit(prepared) }.get()
        out.pointee = HandleTable.shared.insert(TaskBox(client: client, events: box.events, snapshot: snapshot), kind: .task)
    }
}
