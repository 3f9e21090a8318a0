import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import VideoGen

/// C strings the library hands out: static tables for codes and states, and caller-owned copies.
///
/// Allocation failures never abort: a string returned through `char **` makes its function return `VG_E_NOMEM`,
/// a getter returns its documented empty value ("" or NULL), and a static table entry that cannot be allocated
/// (once per process, at first use) is "". Per-call allocations are fault points (`FaultPoint.cAllocation`).
enum CStrings {
    /// `vg_code_str` texts, allocated once and never freed (static for the caller).
    nonisolated(unsafe) static let codeTexts: [UnsafePointer<CChar>] = (0...Int(VideoGenError.Code.last)).map {
        permanent(VideoGenError.Code(rawValue: Int32($0)).description)
    }
    nonisolated(unsafe) static let unknownCode = permanent("unknown error code")
    nonisolated(unsafe) static let stateTexts: [UnsafePointer<CChar>] = TaskState.allCases.map { permanent($0.rawValue) }
    nonisolated(unsafe) static let unknownState = permanent("unknown")
    nonisolated(unsafe) static let empty = staticEmpty
    nonisolated(unsafe) static let version = permanent(VideoGenVersion.string)

    /// "" in the program's static data: no allocation, never freed.
    private static var staticEmpty: UnsafePointer<CChar> {
        UnsafeRawPointer(("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// A copy that lives as long as the process, or "" when it cannot be allocated.
    private static func permanent(_ text: String) -> UnsafePointer<CChar> {
        strdup(text).map { UnsafePointer($0) } ?? staticEmpty
    }

    /// A malloc'ed copy the caller frees with `vg_string_free`; nil when the allocation fails.
    static func owned(_ text: String) -> UnsafeMutablePointer<CChar>? {
        FaultPoints.call(.cAllocation, failing: nil) { strdup(text) }
    }

    /// The Swift string of a C argument, or nil for NULL. Bytes that are not UTF-8 are refused, never repaired.
    /// - Throws: `.invalidArgument` naming `name` when the bytes are not valid UTF-8.
    static func read(_ pointer: UnsafePointer<CChar>?, name: String) throws -> String? {
        guard let pointer else { return nil }
        return try InputText.decode(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), name: name)
    }

    /// The JSON document of a C argument, or nil for NULL; a string that is not UTF-8 is refused naming its field.
    /// - Parameter document: what it is ("request", "configuration", "record"), for messages.
    static func json(_ pointer: UnsafePointer<CChar>?, document: String) throws -> JSONValue? {
        guard let pointer else { return nil }
        return try InputText.json(Data(bytes: pointer, count: strlen(pointer)), document: document)
    }
}

/// A per-handle cache of C strings for getters: a pointer stays valid until the value it shows changes or the
/// handle is freed.
struct CStringCache {
    private var entries: [String: (text: String, pointer: UnsafeMutablePointer<CChar>)] = [:]

    /// The cached C string for `key` showing `text`; nil when `text` is nil, or when it cannot be allocated.
    mutating func pointer(_ key: String, _ text: String?) -> UnsafePointer<CChar>? {
        guard let text else { return nil }
        if let entry = entries[key], entry.text == text { return UnsafePointer(entry.pointer) }
        if let entry = entries.removeValue(forKey: key) { free(entry.pointer) }
        guard let copy = CStrings.owned(text) else { return nil }
        entries[key] = (text, copy)
        return UnsafePointer(copy)
    }

    /// Frees every string.
    mutating func clear() {
        for entry in entries.values { free(entry.pointer) }
        entries.removeAll()
    }
}
