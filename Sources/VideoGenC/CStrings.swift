#if canImport(Glibc)
import Glibc
#endif
import VideoGen

/// C strings the library hands out: static tables for codes and states, and caller-owned copies.
enum CStrings {
    /// `vg_code_str` texts, allocated once and never freed (static for the caller).
    nonisolated(unsafe) static let codeTexts: [UnsafePointer<CChar>] = (0...Int(VideoGenError.Code.last)).map {
        UnsafePointer(strdup(VideoGenError.Code(rawValue: Int32($0)).description)!)
    }
    nonisolated(unsafe) static let unknownCode = UnsafePointer(strdup("unknown error code")!)
    nonisolated(unsafe) static let stateTexts: [UnsafePointer<CChar>] = TaskState.allCases.map {
        UnsafePointer(strdup($0.rawValue)!)
    }
    nonisolated(unsafe) static let unknownState = UnsafePointer(strdup("unknown")!)
    nonisolated(unsafe) static let empty = UnsafePointer(strdup("")!)
    nonisolated(unsafe) static let version = UnsafePointer(strdup(VideoGenVersion.string)!)

    /// A malloc'ed copy the caller frees with `vg_string_free`.
    static func owned(_ text: String) -> UnsafeMutablePointer<CChar>? {
        strdup(text)
    }

    /// The Swift string of a C argument, or nil for NULL.
    static func read(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

/// A per-handle cache of C strings for getters: a pointer stays valid until the value it shows changes or the
/// handle is freed.
struct CStringCache {
    private var entries: [String: (text: String, pointer: UnsafeMutablePointer<CChar>)] = [:]

    /// The cached C string for `key` showing `text`; nil when `text` is nil.
    mutating func pointer(_ key: String, _ text: String?) -> UnsafePointer<CChar>? {
        guard let text else { return nil }
        if let entry = entries[key], entry.text == text { return UnsafePointer(entry.pointer) }
        if let entry = entries[key] { free(entry.pointer) }
        guard let copy = strdup(text) else { return nil }
        entries[key] = (text, copy)
        return UnsafePointer(copy)
    }

    /// Frees every string.
    mutating func clear() {
        for entry in entries.values { free(entry.pointer) }
        entries.removeAll()
    }
}
