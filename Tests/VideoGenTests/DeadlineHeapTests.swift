import Foundation
import Testing
@testable import VideoGen

@Suite("transport deadline heap")
struct DeadlineHeapTests {
    func transfer(deadline: UInt64) -> CurlTransfer {
        CurlTransfer(request: HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:9/x")!),
                     sink: BufferSink(limit: 16), timeout: 1, progressBytes: 1, deadline: deadline)
    }

    @Test("transfers come out nearest deadline first, also after removals from anywhere (seeded)")
    func order() {
        var random = SplitMix(seed: 12)
        var heap = DeadlineHeap()
        var live: [CurlTransfer] = []
        for _ in 0..<500 {
            let made = transfer(deadline: random.next() % 10_000)
            heap.push(made)
            live.append(made)
        }
        for _ in 0..<200 {
            let index = Int(random.next() % UInt64(live.count))
            heap.remove(live.remove(at: index))
        }
        heap.remove(transfer(deadline: 5))   // not in the heap: nothing happens
        var popped: [UInt64] = []
        while let first = heap.first {
            popped.append(first.deadline)
            heap.remove(first)
            #expect(first.heapIndex == nil)
        }
        #expect(popped == live.map(\.deadline).sorted())
    }
}

/// A seeded generator (SplitMix64), for repeatable draws.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
