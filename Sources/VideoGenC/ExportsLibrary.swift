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
