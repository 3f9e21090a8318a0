#if canImport(Glibc)
import Glibc
#endif

/// Nanoseconds of the monotonic clock: what the transport's deadlines are kept in (one vDSO call, no allocation).
enum MonotonicTime {
    /// Now.
    static var now: UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// Seconds from `start` (a reading of `now`) to now.
    static func seconds(since start: UInt64) -> Double {
        Double(now &- start) / 1e9
    }

    /// `seconds` as nanoseconds, clamped to what a deadline can hold.
    static func nanoseconds(_ seconds: Double) -> UInt64 {
        guard seconds > 0 else { return 0 }
        return seconds >= 1e9 ? UInt64(1e18) : UInt64(seconds * 1e9)
    }
}
