import Synchronization

/// An API key held in one buffer owned by the client, wiped when the last holder lets go.
///
/// It prints as `<redacted>` everywhere (`description`, `debugDescription`, string interpolation, dumps), so it
/// cannot reach a log line or an error message by accident.
public final class APIKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let bytes: Mutex<[UInt8]>

    /// Wraps a key.
    public init(_ key: String) {
        bytes = Mutex(Array(key.utf8))
    }

    deinit {
        bytes.withLock { storage in
            for index in storage.indices { storage[index] = 0 }
        }
    }

    /// The key, for building the one header that carries it.
    func reveal() -> String {
        bytes.withLock { String(decoding: $0, as: UTF8.self) }
    }

    /// Replaces every occurrence of the key in `text` (server messages may echo it) with `<redacted>`.
    func redact(_ text: String) -> String {
        let key = reveal()
        guard key.count >= 4, text.contains(key) else { return text }
        return text.replacing(key, with: "<redacted>")
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
