import CVideoGen
import VideoGen

// The vg_error getters and vg_error_free.

private func errorBox(_ handle: OpaquePointer?) -> ErrorBox? {
    HandleTable.shared.lookup(handle, kind: .error, as: ErrorBox.self)
}

@c @implementation
public func vg_error_code(_ error: OpaquePointer?) -> vg_code {
    errorBox(error)?.error.cCode ?? VG_E_INVALID_HANDLE
}

@c @implementation
public func vg_error_message(_ error: OpaquePointer?) -> UnsafePointer<CChar>! {
    guard let box = errorBox(error) else { return CStrings.empty }
    return box.string("message", box.error.message) ?? CStrings.empty
}

@c @implementation
public func vg_error_http_status(_ error: OpaquePointer?) -> Int32 {
    Int32(clamping: errorBox(error)?.error.httpStatus ?? 0)
}

@c @implementation
public func vg_error_provider_code(_ error: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let box = errorBox(error) else { return nil }
    return box.string("provider_code", box.error.providerCode)
}

@c @implementation
public func vg_error_retry_after(_ error: OpaquePointer?) -> Double {
    errorBox(error)?.error.retryAfter ?? -1
}

@c @implementation
public func vg_error_free(_ error: OpaquePointer?) {
    HandleTable.shared.remove(error, kind: .error, as: ErrorBox.self)
}
