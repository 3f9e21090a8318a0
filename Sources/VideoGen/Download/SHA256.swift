import CVideoGenNative

/// SHA-256 (FIPS 180-4), computed incrementally while a download streams. Foundation on Linux has no digest API
/// and the library takes no third-party dependency, so it is implemented here: buffering and padding in Swift, the
/// block compression in the package's own C module (Sources/CVideoGenNative), which uses the x86-64 SHA
/// extensions when the processor has them (about 2 GB/s) and portable C otherwise.
public struct SHA256: Sendable {
    private var state = videogen_sha256_state(h: (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19))
    /// Bytes of an unfinished block (fewer than 64).
    private var pending: [UInt8] = []
    private var length: UInt64 = 0
    private let compress: @convention(c) (UnsafeMutablePointer<videogen_sha256_state>?, UnsafePointer<UInt8>?, Int) -> Void

    /// Which block function a digest uses.
    public enum Implementation: Sendable {
        /// The fastest the processor supports.
        case automatic
        /// Portable C only.
        case portable
        /// The SHA extensions; only when `SHA256.hasHardwareSupport`.
        case hardware
    }

    /// True when the processor has the SHA extensions the fast path uses.
    public static var hasHardwareSupport: Bool { videogen_sha256_hardware() != 0 }

    /// A fresh digest.
    public init() {
        self.init(implementation: .automatic)
    }

    /// A fresh digest with a chosen block function (tests compare them).
    public init(implementation: Implementation) {
        switch implementation {
        case .automatic: compress = videogen_sha256_blocks
        case .portable: compress = videogen_sha256_blocks_portable
        case .hardware:
            precondition(SHA256.hasHardwareSupport, "this processor has no SHA extensions")
            compress = videogen_sha256_blocks_hardware
        }
        pending.reserveCapacity(64)
    }

    /// Feeds bytes.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let contiguous = Array(bytes)
        contiguous.withUnsafeBytes { update(bytes: $0) }
    }

    /// Feeds a contiguous buffer (fast path: whole blocks are compressed in place, without copying).
    public mutating func update(bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else { return }
        let count = bytes.count
        var offset = 0
        length &+= UInt64(count)
        if !pending.isEmpty {
            let take = min(64 - pending.count, count)
            pending.append(contentsOf: UnsafeBufferPointer(start: base, count: take))
            offset = take
            if pending.count == 64 {
                let compress = self.compress
                pending.withUnsafeBufferPointer { compress(&state, $0.baseAddress, 1) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        let blocks = (count - offset) / 64
        if blocks > 0 {
            compress(&state, base + offset, blocks)
            offset += blocks * 64
        }
        if offset < count { pending.append(contentsOf: UnsafeBufferPointer(start: base + offset, count: count - offset)) }
    }

    /// The digest as lower-case hex; the value itself is left unchanged.
    public func hexDigest() -> String {
        var copy = self
        let bitLength = copy.length &* 8
        var tail: [UInt8] = [0x80]
        let used = (copy.pending.count + 1) % 64
        tail += [UInt8](repeating: 0, count: used <= 56 ? 56 - used : 120 - used)
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBytes { copy.update(bytes: $0) }
        let h = copy.state.h
        let words = [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7]
        let digits = Array("0123456789abcdef")
        var hex = ""
        for word in words {
            for shift in stride(from: 28, through: 0, by: -4) { hex.append(digits[Int((word >> UInt32(shift)) & 0xF)]) }
        }
        return hex
    }
}
