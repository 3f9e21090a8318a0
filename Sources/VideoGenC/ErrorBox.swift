import CVideoGen
import Synchronization
import VideoGen

/// The object behind a `vg_error` handle: an error and the C strings its getters return.
final class ErrorBox: Sendable {
    let error: VideoGenError
    private let cache = Mutex(CStringCache())

    init(_ error: VideoGenError) {
        self.error = error
    }

    deinit {
        cache.withLock { $0.clear() }
    }

    /// A C string for one of the error's texts, valid until the error is freed.
    func string(_ key: String, _ text: String?) -> UnsafePointer<CChar>? {
        cache.withLock { $0.pointer(key, text) }
    }
}

extension VideoGenError {
    /// The C code of this error.
    var cCode: vg_code { vg_code(rawValue: UInt32(code.rawValue)) }
}

/// Reports `error` through the conventions of every fallible entry point: a new vg_error in `*out` when the caller
/// asked for one, and the code as the return value.
func report(_ error: VideoGenError, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    out?.pointee = HandleTable.shared.insert(ErrorBox(error), kind: .error)
    return error.cCode
}

/// Reports success: clears `*out` and returns VG_OK.
func succeed(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    out?.pointee = nil
    return VG_OK
}

/// Runs `body`, turning a thrown error into the entry-point conventions.
func guarded(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ body: () throws -> Void) -> vg_code {
    do {
        try body()
        return succeed(out)
    } catch {
        return report(VideoGenError.wrap(error), out)
    }
}
