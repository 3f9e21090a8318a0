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
        var random = SplitMix64(seed: 12)
        var heap = DeadlineHeap<CurlTransfer>()
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
