import Foundation
import Testing
@testable import VideoGen

@Suite("SHA-256")
struct SHA256Tests {
    @Test("FIPS 180-4 test vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func vectors(_ input: String, _ expected: String) {
        var digest = SHA256()
        digest.update(Array(input.utf8))
        #expect(digest.hexDigest() == expected)
    }

    @Test("a million 'a' fed in uneven pieces")
    func millionA() {
        var digest = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 999)
        var fed = 0
        while fed < 1_000_000 {
            let size = min(chunk.count - (fed % 7), 1_000_000 - fed)
            chunk.prefix(size).withUnsafeBytes { digest.update(bytes: $0) }
            fed += size
        }
        #expect(digest.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("hexDigest does not disturb further updates")
    func digestIsPure() {
        var digest = SHA256()
        digest.update(Array("ab".utf8))
        _ = digest.hexDigest()
        digest.update(Array("c".utf8))
        #expect(digest.hexDigest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
