import CVideoGenNative
import FoundationEssentials

/// The cryptography webhook verification needs, from the system's libcrypto (Sources/CVideoGenNative/crypto.c),
/// plus the one thing written here: a comparison whose time does not depend on where two MACs differ.
enum WebhookCrypto {
    /// HMAC-SHA256 of `data` under `key` (32 bytes), nil when libcrypto fails.
    static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 32)
        let status = key.withUnsafeBufferPointer { keyBytes in
            data.withUnsafeBufferPointer { dataBytes in
                out.withUnsafeMutableBufferPointer { outBytes in
                    videogen_hmac_sha256(keyBytes.baseAddress, keyBytes.count, dataBytes.baseAddress, dataBytes.count,
                                         outBytes.baseAddress)
                }
            }
        }
        return status == 0 ? out : nil
    }

    /// True when `signature` is a valid ED25519 signature of `message` under the raw 32-byte `publicKey`.
    static func ed25519Verify(publicKey: [UInt8], message: [UInt8], signature: [UInt8]) -> Bool {
        guard publicKey.count == 32, signature.count == 64 else { return false }
        return publicKey.withUnsafeBufferPointer { key in
            message.withUnsafeBufferPointer { text in
                signature.withUnsafeBufferPointer { sig in
                    videogen_ed25519_verify(key.baseAddress, text.baseAddress, text.count, sig.baseAddress) == 1
                }
            }
        }
    }

    /// Lower-case hex SHA-256 of `bytes`.
    static func sha256Hex(_ bytes: [UInt8]) -> String {
        var digest = SHA256()
        digest.update(bytes)
        return digest.hexDigest()
    }

    /// True when `a` and `b` are equal, comparing every byte whatever the first difference (the lengths of MACs
    /// are public: a length mismatch answers at once).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// The text encodings webhook headers use, strict: anything that is not exactly the encoding is nil.
enum WebhookEncoding {
    /// Standard base64 (with padding; also accepted without), nil for anything else.
    static func base64(_ text: Substring) -> [UInt8]? {
        var padded = String(text)
        guard !padded.isEmpty, padded.utf8.allSatisfy({ isBase64Byte($0) || $0 == UInt8(ascii: "=") }) else { return nil }
        while padded.utf8.count % 4 != 0 { padded += "=" }
        return Data(base64Encoded: padded).map { [UInt8]($0) }
    }

    /// URL-safe base64 without padding (JWK's `x`), nil for anything else.
    static func base64URL(_ text: String) -> [UInt8]? {
        let standard = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        guard !text.contains("+"), !text.contains("/") else { return nil }
        return base64(Substring(standard))
    }

    /// Hex of either case, nil for anything else (an odd length, a non-hex character).
    static func hex(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// Standard base64 of `bytes`.
    static func base64String(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// Lower-case hex of `bytes`.
    static func hexString(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isBase64Byte(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x61...0x66: return byte - 0x61 + 10
        case 0x41...0x46: return byte - 0x41 + 10
        default: return nil
        }
    }
}
