import Synchronization

/// The kinds of object a C handle can name; a handle of one kind is refused where another is expected.
enum HandleKind: UInt, Sendable {
    case client = 1
    case task = 2
    case error = 3
}

/// Maps C handles to Swift objects through a generation-counted table, so that the library never dereferences a
/// pointer the caller gave it: a NULL, freed, stale, forged or wrong-kind handle simply fails the lookup.
///
/// A handle's bits are `kind << 60 | generation << 32 | (slot + 1)`. Freeing a handle bumps its slot's generation,
/// so the old value can never name the slot's next occupant.
final class HandleTable: Sendable {
    private struct Slot {
        var generation: UInt32 = 1
        var kind: HandleKind?
        var object: (any AnyObject & Sendable)?
    }

    private struct Storage {
        var slots: [Slot] = []
        var free: [Int] = []
    }

    /// The one table of the process.
    static let shared = HandleTable()

    private let storage = Mutex(Storage())

    /// Stores `object` and returns its new handle.
    func insert(_ object: any AnyObject & Sendable, kind: HandleKind) -> OpaquePointer {
        let bits = storage.withLock { storage -> UInt in
            let index: Int
            if let reused = storage.free.popLast() {
                index = reused
            } else {
                storage.slots.append(Slot())
                index = storage.slots.count - 1
            }
            storage.slots[index].kind = kind
            storage.slots[index].object = object
            return HandleTable.encode(kind: kind, generation: storage.slots[index].generation, index: index)
        }
        return OpaquePointer(bitPattern: bits)!
    }

    /// The object named by `handle` if it is live and of `kind`.
    func lookup<Object: AnyObject & Sendable>(_ handle: OpaquePointer?, kind: HandleKind, as type: Object.Type) -> Object? {
        guard let (index, generation) = HandleTable.decode(handle, kind: kind) else { return nil }
        return storage.withLock { storage -> Object? in
            guard index < storage.slots.count else { return nil }
            let slot = storage.slots[index]
            guard slot.generation == generation, slot.kind == kind else { return nil }
            return slot.object as? Object
        }
    }

    /// Removes and returns the object named by `handle` if it is live and of `kind`.
    @discardableResult
    func remove<Object: AnyObject & Sendable>(_ handle: OpaquePointer?, kind: HandleKind, as type: Object.Type) -> Object? {
        guard let (index, generation) = HandleTable.decode(handle, kind: kind) else { return nil }
        return storage.withLock { storage -> Object? in
            guard index < storage.slots.count else { return nil }
            let slot = storage.slots[index]
            guard slot.generation == generation, slot.kind == kind, let object = slot.object as? Object else { return nil }
            storage.slots[index].object = nil
            storage.slots[index].kind = nil
            storage.slots[index].generation = slot.generation == 0x0FFF_FFFF ? 1 : slot.generation + 1
            storage.free.append(index)
            return object
        }
    }

    /// Live handles of `kind` (for tests).
    func count(kind: HandleKind) -> Int {
        storage.withLock { $0.slots.filter { $0.kind == kind }.count }
    }

    private static func encode(kind: HandleKind, generation: UInt32, index: Int) -> UInt {
        (kind.rawValue << 60) | (UInt(generation & 0x0FFF_FFFF) << 32) | UInt(index + 1)
    }

    private static func decode(_ handle: OpaquePointer?, kind: HandleKind) -> (Int, UInt32)? {
        guard let handle else { return nil }
        let bits = UInt(bitPattern: handle)
        guard bits >> 60 == kind.rawValue else { return nil }
        let slot = Int(bits & 0xFFFF_FFFF)
        guard slot > 0 else { return nil }
        return (slot - 1, UInt32((bits >> 32) & 0x0FFF_FFFF))
    }
}
