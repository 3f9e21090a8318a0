import Foundation
import Glibc
import Testing
@testable import VideoGen
@testable import VideoGenC

/// The C layer's objects per task in flight stay small: a process may hold a hundred thousand tasks (issue 13's
/// target is 4 KB per task in flight, engine included). The sizes are those of the heap blocks malloc gave each
/// object, so they are exact for a build and the bounds guard against a field that quietly grows an object (a
/// pthread object, a Task, a semaphore, a copied snapshot).
@Suite struct OperationFootprintTests {
    /// The usable size of the heap block holding `object` (glibc's malloc_usable_size, which Glibc's module map
    /// leaves out).
    private func heapBytes(_ object: AnyObject) throws -> Int {
        typealias UsableSize = @convention(c) (UnsafeMutableRawPointer?) -> Int
        let symbol = try #require(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_usable_size"))
        return unsafeBitCast(symbol, to: UsableSize.self)(Unmanaged.passUnretained(object).toOpaque())
    }

    private func clientBox() throws -> ClientBox {
        let configuration = try ClientConfiguration(json: JSONValue.parse(
            #"{"dialect": "openai", "base_url": "http://127.0.0.1:9", "api_key_env": "VG_KEY"}"#),
            environment: ["VG_KEY": "sk-test"])
        return ClientBox(VideoGenClient(configuration: configuration))
    }

    @Test func taskBoxAndOperationAreSmall() throws {
        let owner = try clientBox()
        var snapshot = TaskSnapshot(id: "video_0123456789abcdef", dialect: "openai", baseURL: "http://127.0.0.1:9")
        snapshot.model = "sora-2"
        let box = TaskBox(owner: owner, snapshot: snapshot)
        let engine = OperationHandle()
        let operation = try Operation.start(.wait, box: box, handle: nil, sink: .queue(owner.events)) { _ in engine }
        defer { box.end(operation) }
        let sizes = (task: try heapBytes(box), operation: try heapBytes(operation), handle: try heapBytes(engine))
        print("footprint: TaskBox \(sizes.task) B, Operation \(sizes.operation) B, OperationHandle \(sizes.handle) B, "
              + "TaskSnapshot inline \(MemoryLayout<TaskSnapshot>.size) B, PendingEvent \(MemoryLayout<PendingEvent>.size) B")
        #expect(sizes.task <= 512)
        #expect(sizes.operation <= 160)
        #expect(sizes.handle <= 96)
        // A second operation while the first runs is refused, and the refused one leaves nothing behind.
        #expect(throws: VideoGenError.self) {
            _ = try Operation.start(.poll, box: box, handle: nil, sink: .queue(owner.events)) { _ in OperationHandle() }
        }
    }

    @Test func cancelReachesAnEngineStartedAfterIt() throws {
        let owner = try clientBox()
        let box = TaskBox(owner: owner, snapshot: TaskSnapshot(id: "t", dialect: "openai", baseURL: "http://127.0.0.1:9"))
        let engine = OperationHandle()
        // vg_task_cancel between the task's begin and the engine's start: the engine is cancelled once attached.
        let operation = try Operation.start(.wait, box: box, handle: nil, sink: .queue(owner.events)) { operation in
            operation.cancel()
            return engine
        }
        #expect(engine.isCancelled)
        box.end(operation)
    }
}
