import Foundation
import Testing
@testable import VideoGen

@Suite("SHA-256")
struct SHA256Tests {
    /// The block functions this processor can run: always the portable one and the automatic choice, and the SHA
    /// extensions when present.
    static let implementations: [SHA256.Implementation] =
        [.automatic, .portable] + (SHA256.hasHardwareSupport ? [.hardware] : [])

    /// `(i * 7 + 3) mod 256` for i in 0..<1000; its digest was computed with Python's hashlib.
    static let pattern1000 = (0..<1000).map { UInt8(($0 * 7 + 3) % 256) }
    static let pattern1000Digest = "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371"

    static func digest(_ bytes: [UInt8], _ implementation: SHA256.Implementation = .automatic) -> String {
        var digest = SHA256(implementation: implementation)
        bytes.withUnsafeBytes { digest.update(bytes: $0) }
        return digest.hexDigest()
    }

    @Test("FIPS 180-4 test vectors, with every block function", arguments: implementations, [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func vectors(_ implementation: SHA256.Implementation, _ vector: (String, String)) {
        var digest = SHA256(implementation: implementation)
        digest.update(Array(vector.0.utf8))
        #expect(digest.hexDigest() == vector.1)
    }

    @Test("a million 'a' fed in uneven pieces, with every block function", arguments: implementations)
    func millionA(_ implementation: SHA256.Implementation) {
        var digest = SHA256(implementation: implementation)
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 999)
        var fed = 0
        while fed < 1_000_000 {
            let size = min(chunk.count - (fed % 7), 1_000_000 - fed)
            chunk.prefix(size).withUnsafeBytes { digest.update(bytes: $0) }
            fed += size
        }
        #expect(digest.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("1000 bytes split in two at every offset, and in three at every pair of offsets near block edges",
          arguments: implementations)
    func everySplit(_ implementation: SHA256.Implementation) {
        let input = SHA256Tests.pattern1000
        #expect(SHA256Tests.digest(input, implementation) == SHA256Tests.pattern1000Digest)
        var wrong: [String] = []
        input.withUnsafeBytes { raw in
            for cut in 0...input.count {
                var digest = SHA256(implementation: implementation)
                digest.update(bytes: UnsafeRawBufferPointer(rebasing: raw[0..<cut]))
                digest.update(bytes: UnsafeRawBufferPointer(rebasing: raw[cut...]))
                if digest.hexDigest() != SHA256Tests.pattern1000Digest { wrong.append("\(cut)") }
            }
            let edges = [0, 1, 55, 56, 63, 64, 65, 127, 128, 129, 191, 192, 500, 511, 512, 513, 999, 1000]
            for first in edges {
                for second in edges where second >= first {
                    var digest = SHA256(implementation: implementation)
                    digest.update(bytes: UnsafeRawBufferPointer(rebasing: raw[0..<first]))
                    digest.update(bytes: UnsafeRawBufferPointer(rebasing: raw[first..<second]))
                    digest.update(bytes: UnsafeRawBufferPointer(rebasing: raw[second...]))
                    if digest.hexDigest() != SHA256Tests.pattern1000Digest { wrong.append("\(first)/\(second)") }
                }
            }
        }
        #expect(wrong.isEmpty, "wrong digests at splits \(wrong.prefix(20))")
    }

    @Test("every length from 0 to 300, byte by byte and at once, agrees across block functions")
    func lengthsAgree() {
        for length in 0...300 {
            let input = Array(SHA256Tests.pattern1000.prefix(length))
            let reference = SHA256Tests.digest(input, .portable)
            var byteByByte = SHA256()
            for byte in input { byteByByte.update([byte]) }
            #expect(byteByByte.hexDigest() == reference, "length \(length), byte by byte")
            for implementation in SHA256Tests.implementations {
                #expect(SHA256Tests.digest(input, implementation) == reference, "length \(length), \(implementation)")
            }
        }
    }

    @Test("1 MiB in 4 KiB, 64 KiB and odd pieces: Python's hashlib digest, with every block function",
          arguments: implementations)
    func largeInput(_ implementation: SHA256.Implementation) {
        let input = (0..<(1 << 20)).map { (index: Int) -> UInt8 in UInt8(truncatingIfNeeded: index * 31 + index / 256) }
        let expected = "f6a34d4c79c3d12c297589206bf216b084347471a53ea5e7fe9a46bd1230f098"
        for piece in [4096, 65536, 4093, 1 << 20] {
            var digest = SHA256(implementation: implementation)
            var offset = 0
            input.withUnsafeBytes { raw in
                while offset < raw.count {
                    let end = min(raw.count, offset + piece)
                    digest.update(bytes: UnsafeRawBufferPointer(rebasing: raw[offset..<end]))
                    offset = end
                }
            }
            #expect(digest.hexDigest() == expected, "pieces of \(piece)")
        }
    }

    @Test("the automatic choice is the SHA extensions exactly when the processor has them")
    func automaticChoice() throws {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        #if arch(x86_64)
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }.map { $0.split(separator: " ") } ?? []
        if !flags.isEmpty {
            let expected = flags.contains("sha_ni") && flags.contains("sse4_1") && flags.contains("ssse3")
            #expect(SHA256.hasHardwareSupport == expected)
        }
        #else
        #expect(!SHA256.hasHardwareSupport)
        _ = cpuinfo
        #endif
    }

    @Test("hexDigest does not disturb further updates")
    func digestIsPure() {
        var digest = SHA256()
        digest.update(Array("ab".utf8))
        _ = digest.hexDigest()
        digest.update(Array("c".utf8))
        #expect(digest.hexDigest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("a copy goes on independently of the original")
    func copiesAreIndependent() {
        var original = SHA256()
        original.update(Array(SHA256Tests.pattern1000.prefix(100)))
        var copy = original
        copy.update(Array(SHA256Tests.pattern1000[100...]))
        original.update(Array("x".utf8))
        #expect(copy.hexDigest() == SHA256Tests.pattern1000Digest)
        #expect(original.hexDigest() != copy.hexDigest())
    }
}
