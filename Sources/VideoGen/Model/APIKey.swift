import Synchronization

/// An API key held in one buffer owned by the client, wiped when the last holder lets go; with the other secrets the
/// client holds for the same service (a signing secret, tokens minted from it), which `redact` and `occurs` cover too.
///
/// It prints as `<redacted>` everywhere (`description`, `debugDescription`, string interpolation, dumps), so it
/// cannot reach a log line or an error message by accident.
public final class APIKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let bytes: Mutex<[UInt8]>
    /// Whether the key is searched for in text: one of fewer than 4 characters would match ordinary words.
    private let searched: Bool
    /// The key's length in UTF-8 bytes: a text shorter than that cannot hold it.
    private let keyLength: Int
    /// The other secrets of the same service (`remember`), searched like the key; wiped with it.
    private let others = Mutex<[[UInt8]]>([])
    /// At most this many other secrets are kept: minted tokens come and go, the oldest is forgotten first.
    static let maxOthers = 8

    /// Wraps a key.
    public init(_ key: String) {
        bytes = Mutex(Array(key.utf8))
        searched = key.count >= 4
        keyLength = key.utf8.count
    }

    deinit {
        bytes.withLock { storage in
            for index in storage.indices { storage[index] = 0 }
        }
        others.withLock { secrets in
            for secret in secrets.indices { for index in secrets[secret].indices { secrets[secret][index] = 0 } }
        }
    }

    /// Adds a secret of the same service (a signing secret, a token minted from the key) to what `redact` and
    /// `occurs` look for. Secrets shorter than 8 bytes are not searched (they would match ordinary words); past
    /// `maxOthers`, the one remembered least recently is wiped and forgotten.
    func remember(_ secret: String) {
        let secretBytes = Array(secret.utf8)
        guard secretBytes.count >= 8 else { return }
        others.withLock { secrets in
            if let known = secrets.firstIndex(of: secretBytes) {
                // Remembered again: it is current, so it moves to the end and is the last to be forgotten (a
                // signing secret re-remembered with every token it mints outlives those tokens).
                secrets.append(secrets.remove(at: known))
                return
            }
            if secrets.count >= Self.maxOthers {
                for index in secrets[0].indices { secrets[0][index] = 0 }
                secrets.removeFirst()
            }
            secrets.append(secretBytes)
        }
    }

    /// The key, for building the one header that carries it.
    func reveal() -> String {
        bytes.withLock { String(decoding: $0, as: UTF8.self) }
    }

    /// Replaces every occurrence of the key in `text` (server messages may echo it) with `<redacted>`, left to right.
    ///
    /// The search compares UTF-8 bytes, the form in which the key was sent: an occurrence is replaced even where a
    /// combining mark follows it (a search by `Character` would skip it); a non-ASCII key spelled in another Unicode
    /// normalization form is not the key's bytes and is not matched. A text shorter than the key costs one
    /// comparison, others about one step per byte, and nothing is allocated unless the key is found.
    func redact(_ text: String) -> String {
        let redacted = redactKey(text)
        return others.withLock { secrets in
            secrets.reduce(redacted) { text, secret in
                secret.withUnsafeBufferPointer { Self.replacing($0, in: text) ?? text }
            }
        }
    }

    /// `text` with the key replaced (see `redact`).
    private func redactKey(_ text: String) -> String {
        guard searched, text.utf8.count >= keyLength else { return text }
        return bytes.withLock { key in
            key.withUnsafeBufferPointer { Self.replacing($0, in: text) }
        } ?? text
    }

    /// `text` with every occurrence of `key` replaced by `<redacted>`, or nil when it has none.
    private static func replacing(_ key: UnsafeBufferPointer<UInt8>, in text: String) -> String? {
        guard text.utf8.count >= key.count else { return nil }
        var text = text
        return text.withUTF8 { bytes -> String? in
            guard var found = offset(of: key, in: bytes, from: 0) else { return nil }
            let marker = "<redacted>".utf8
            var redacted: [UInt8] = []
            redacted.reserveCapacity(bytes.count + marker.count)
            var copied = 0
            while true {
                redacted.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<found]))
                redacted.append(contentsOf: marker)
                copied = found + key.count
                guard let next = offset(of: key, in: bytes, from: copied) else { break }
                found = next
            }
            redacted.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
            return String(decoding: redacted, as: UTF8.self)
        }
    }

    /// True when the key or another remembered secret occurs in `text` (what `redact` would replace).
    func occurs(in text: String) -> Bool {
        let other = others.withLock { secrets in
            secrets.contains { secret in
                secret.withUnsafeBufferPointer { secret in
                    var text = text
                    return text.withUTF8 { Self.offset(of: secret, in: $0, from: 0) != nil }
                }
            }
        }
        if other { return true }
        guard searched, text.utf8.count >= keyLength else { return false }
        return bytes.withLock { key in
            key.withUnsafeBufferPointer { key in
                var text = text
                return text.withUTF8 { Self.offset(of: key, in: $0, from: 0) != nil }
            }
        }
    }

    /// The offset of the first occurrence of `needle` in `haystack` at or after `start`: a scan for the needle's
    /// first byte, then a comparison of the rest.
    private static func offset(of needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>,
                               from start: Int) -> Int? {
        guard let first = needle.first, haystack.count - start >= needle.count else { return nil }
        let last = haystack.count - needle.count
        var candidate = start
        while candidate <= last {
            if haystack[candidate] == first {
                var matched = 1
                while matched < needle.count, haystack[candidate + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return candidate }
            }
            candidate += 1
        }
        return nil
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
