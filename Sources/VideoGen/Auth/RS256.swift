import CVideoGenNative
import FoundationEssentials

/// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signatures from the system's libcrypto
/// (`videogen_rs256_sign` in Sources/CVideoGenNative/crypto.c): JWTs for Google service accounts.
enum RS256 {
    /// The signature of `message` under the RSA private key in `pem` (unencrypted PKCS#8 or PKCS#1 PEM).
    /// - Throws: `.auth` when the key cannot be read or is not RSA, `.internal` when libcrypto fails.
    static func sign(pem: String, message: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 1024)
        var length = 0
        let status = pem.utf8CString.withUnsafeBufferPointer { pemBytes in
            message.withUnsafeBufferPointer { text in
                out.withUnsafeMutableBufferPointer { buffer in
                    videogen_rs256_sign(pemBytes.baseAddress, pemBytes.count - 1, text.baseAddress, text.count,
                                        buffer.baseAddress, buffer.count, &length)
                }
            }
        }
        switch status {
        case 0: return Array(out[0..<length])
        case -2: throw VideoGenError(.auth, "the service account's private_key is not a readable, unencrypted PEM private key")
        case -3: throw VideoGenError(.auth, "the service account's private_key is not an RSA key")
        default: throw VideoGenError(.internal, "libcrypto could not sign the service account's token request")
        }
    }

    /// `bytes` in unpadded base64url (JWT's encoding).
    static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacing("+", with: "-").replacing("/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }
}
