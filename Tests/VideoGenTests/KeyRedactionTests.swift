import Foundation
import Testing
@testable import VideoGen

/// `APIKey.redact` and `APIKey.occurs(in:)`: a search of the key's UTF-8 bytes in the text.
@Suite("redacting the key from text")
struct KeyRedactionTests {
    @Test("every occurrence is replaced, left to right, wherever it stands",
          arguments: [
            ("sk-ABCD1234", "sk-ABCD1234 is not valid", "<redacted> is not valid"),
            ("sk-ABCD1234", "Incorrect API key provided: sk-ABCD1234", "Incorrect API key provided: <redacted>"),
            ("sk-ABCD1234", "sk-ABCD1234", "<redacted>"),
            ("sk-ABCD1234", "sk-ABCD1234,sk-ABCD1234 and sk-ABCD1234.", "<redacted>,<redacted> and <redacted>."),
            ("sk-ABCD1234", "sk-ABCD1234sk-ABCD1234", "<redacted><redacted>"),
            ("sk-ABCD1234", "url?key=sk-ABCD1234&k2=sk-ABCD123&k3=sk-ABCD12345", "url?key=<redacted>&k2=sk-ABCD123&k3=<redacted>5"),
            // Overlapping prefixes: a failed partial match must not hide the occurrence that starts inside it.
            ("abab", "ababab", "<redacted>ab"),
            ("abcabd", "abcabcabd", "abc<redacted>"),
            ("aaaa", "aaaaaaaaa", "<redacted><redacted>a"),
            ("sk-sk-k", "sk-sk-sk-k", "sk-<redacted>"),
            // Text around it that is not ASCII, and a key that is not.
            ("sk-ABCD1234", "clé sk-ABCD1234 — 密钥🦊sk-ABCD1234🦊", "clé <redacted> — 密钥🦊<redacted>🦊"),
            ("clé-🔑-密钥", "refusé: clé-🔑-密钥!", "refusé: <redacted>!"),
            // A combining mark after the key leaves the key's bytes in the text: they are redacted too.
            ("sk-ABCD1234", "sk-ABCD1234\u{301} x", "<redacted>\u{301} x"),
            // Nothing to replace.
            ("sk-ABCD1234", "SK-abcd1234 sk-ABCD123 k-ABCD1234", "SK-abcd1234 sk-ABCD123 k-ABCD1234"),
            ("sk-ABCD1234", "sk-A", "sk-A"),
            ("sk-ABCD1234", "", ""),
            // A key of fewer than 4 characters is never searched for (it would match ordinary words).
            ("abc", "abc abc", "abc abc"),
            ("ab€", "ab€ ab€", "ab€ ab€"),
            ("abcd", "abcd abc", "<redacted> abc"),
          ] as [(String, String, String)])
    func redacts(_ key: String, _ text: String, _ expected: String) {
        let apiKey = APIKey(key)
        #expect(apiKey.redact(text) == expected)
        #expect(apiKey.occurs(in: text) == (expected != text))
        // The same from a string that is a slice of a longer one.
        let padded = "«" + text + "»"
        let slice = String(padded.dropFirst().dropLast())
        #expect(apiKey.redact(slice) == expected)
    }

    @Test("on seeded random texts built from pieces of the key, the result is the old Character-based replacing's")
    func againstReplacing() {
        var random = SplitMix64(seed: 0x4B45_59)
        for round in 0..<3_000 {
            let key = ["sk-CANARY-0a6f1e2d", "abab", "aab", "xyzxyzxyq", "clé-🔑"].randomElement(using: &random)!
            let characters = Array(key)
            var text = ""
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                switch Int.random(in: 0...5, using: &random) {
                case 0: text += key
                case 1: text += String(characters.prefix(Int.random(in: 1...characters.count, using: &random)))
                case 2: text += String(characters.suffix(Int.random(in: 1...characters.count, using: &random)))
                case 3: text += ["é", "狐", "🦊", " ", "<", ">", "redacted"].randomElement(using: &random)!
                default: text.append(characters.randomElement(using: &random)!)
                }
            }
            let apiKey = APIKey(key)
            let expected = key.count >= 4 ? text.replacing(key, with: "<redacted>") : text
            #expect(apiKey.redact(text) == expected, "round \(round): key \(key), text \(text)")
            #expect(apiKey.occurs(in: text) == (key.count >= 4 && text.contains(key)), "round \(round)")
        }
    }
}
