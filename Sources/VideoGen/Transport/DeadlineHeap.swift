/// Something with a deadline that a `DeadlineHeap` holds: it knows its place in the heap, so that it can leave at
/// once.
protocol DeadlineHeapEntry: AnyObject {
    /// When it is due (monotonic ns).
    var deadline: UInt64 { get }
    /// Its place in the heap, nil when not in it (kept by the heap).
    var heapIndex: Int? { get set }
}

/// Deadlines, nearest first: a binary min-heap whose entries know their place (`heapIndex`), so that an entry that
/// ends leaves it at once and the loop finds the next deadline without looking at every entry, however many wait.
/// The loop keeps two: the control transfers' deadlines and the timers of waiting tasks (`LoopTimer`).
struct DeadlineHeap<Entry: DeadlineHeapEntry> {
    private var items: [Entry] = []

    /// The entry with the nearest deadline.
    var first: Entry? { items.first }

    /// Entries in the heap.
    var count: Int { items.count }

    /// Adds `transfer` (not in the heap yet) at its current deadline.
    mutating func push(_ transfer: Entry) {
        items.append(transfer)
        transfer.heapIndex = items.count - 1
        siftUp(items.count - 1)
    }

    /// Takes `transfer` out, if it is in.
    mutating func remove(_ transfer: Entry) {
        guard let index = transfer.heapIndex, index < items.count, items[index] === transfer else { return }
        transfer.heapIndex = nil
        let last = items.count - 1
        if index != last {
            items[index] = items[last]
            items[index].heapIndex = index
        }
        items.removeLast()
        if index < items.count {
            siftDown(index)
            siftUp(index)
        }
    }

    /// Puts `transfer` back in place after its deadline changed.
    mutating func update(_ transfer: Entry) {
        guard let index = transfer.heapIndex, index < items.count, items[index] === transfer else { return }
        siftDown(index)
        siftUp(index)
    }

    private mutating func swap(_ a: Int, _ b: Int) {
        items.swapAt(a, b)
        items[a].heapIndex = a
        items[b].heapIndex = b
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].deadline < items[parent].deadline else { return }
            swap(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, items[left].deadline < items[smallest].deadline { smallest = left }
            if right < items.count, items[right].deadline < items[smallest].deadline { smallest = right }
            guard smallest != parent else { return }
            swap(parent, smallest)
            parent = smallest
        }
    }
}

