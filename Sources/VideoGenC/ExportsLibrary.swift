#if canImport(Glibc)
import Glibc
#endif
import CVideoGen
import VideoGen

// Versions, code and state names, strings: the parts of include/videogen.h that need no handle.

@c @implementation
public func vg_version_number() -> CUnsignedInt {
    CUnsignedInt(VideoGenVersion.major << 16 | VideoGenVersion.minor << 8 | VideoGenVersion.patch)
}

@c @implementation
public func vg_version_string() -> UnsafePointer<CChar>! {
    CStrings.version
}

@c @implementation
public func vg_abi_version() -> CUnsignedInt {
    CUnsignedInt(VideoGenVersion.abi)
}

@c @implementation
public func vg_code_str(_ code: vg_code) -> UnsafePointer<CChar>! {
    let index = Int(code.rawValue)
    return index < CStrings.codeTexts.count ? CStrings.codeTexts[index] : CStrings.unknownCode
}

@c @implementation
public func vg_state_str(_ state: vg_state) -> UnsafePointer<CChar>! {
    let index = Int(state.rawValue)
    return index < CStrings.stateTexts.count ? CStrings.stateTexts[index] : CStrings.unknownState
}

@c @implementation
public func vg_string_free(_ string: UnsafeMutablePointer<CChar>?) {
    free(string)
}

@c @implementation
public func vg_idempotency_key(_ job_id: UnsafePointer<CChar>?, _ scope: UnsafePointer<CChar>?,
                               _ out_key: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                               _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        guard let out_key else { throw VideoGenError(.invalidArgument, "out_key is NULL") }
        out_key.pointee = nil
        guard let jobID = try CStrings.read(job_id, name: "job_id") else {
            throw VideoGenError(.invalidArgument, "job_id is NULL")
        }
        let key = try IdempotencyKey.derive(jobID: jobID, scope: CStrings.read(scope, name: "scope") ?? "")
        guard let text = CStrings.owned(key) else { throw VideoGenError(.outOfMemory, "the key could not be allocated") }
        out_key.pointee = text
    }
}
