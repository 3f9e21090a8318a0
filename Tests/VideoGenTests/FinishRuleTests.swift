import Testing
@testable import VideoGen
@testable import VideoGenC

/// The one finish rule of the C layer's operations, blocking and asynchronous alike, case by case.
@Suite struct FinishRuleTests {
    private static let before = TaskSnapshot(id: "video_1", dialect: "openai", baseURL: "http://127.0.0.1:9",
                                             state: .running)

    private static func snapshot(_ state: TaskState, error: VideoGenError? = nil,
                                 download: DownloadRecord? = nil) -> TaskSnapshot {
        var snapshot = before
        snapshot.state = state
        snapshot.error = error
        snapshot.download = download
        return snapshot
    }

    private static let refused = VideoGenError(.contentPolicy, "refused", providerCode: "content_policy_violation")
    private static let network = VideoGenError(.network, "connection reset")
    private static let record = DownloadRecord(path: "/tmp/fox.mp4", bytes: 3898, sha256: String(repeating: "a", count: 64))
    private static let aborted = VideoGenError(.abortedByCallback, "a callback returned non-zero")
    private static let cancelledError = VideoGenError(.cancelled, "the task was cancelled")

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let kind: Operation.Kind
        let result: Result<OperationValue, VideoGenError>
        var aborted = false
        var cancelled = false
        var current: TaskSnapshot? = FinishRuleTests.before
        let expected: Finish

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "a wait that saw success applies the snapshot", kind: .wait,
             result: .success(.task(snapshot(.succeeded))),
             expected: Finish(outcome: .success(.task(snapshot(.succeeded))), view: snapshot(.succeeded))),
        Case(name: "a wait on a task that failed reports the task's error and shows it", kind: .wait,
             result: .success(.task(snapshot(.failed, error: refused))),
             expected: Finish(outcome: .failure(refused), view: snapshot(.failed, error: refused))),
        Case(name: "a poll that saw a failed task succeeds (the state says it)", kind: .poll,
             result: .success(.task(snapshot(.failed, error: refused))),
             expected: Finish(outcome: .success(.task(snapshot(.failed, error: refused))),
                              view: snapshot(.failed, error: refused))),
        Case(name: "a download applies its record and its size as the byte count", kind: .download,
             result: .success(.task(snapshot(.succeeded, download: record))),
             expected: Finish(outcome: .success(.task(snapshot(.succeeded, download: record))),
                              view: snapshot(.succeeded, download: record),
                              bytes: Finish.Bytes(received: 3898, total: 3898))),
        Case(name: "a download a callback stopped after it completed is undone", kind: .download,
             result: .success(.task(snapshot(.succeeded, download: record))), aborted: true,
             expected: Finish(outcome: .failure(aborted), unlink: "/tmp/fox.mp4")),
        Case(name: "a stopped wait reports the abort whatever the engine said", kind: .wait,
             result: .failure(cancelledError), aborted: true,
             expected: Finish(outcome: .failure(aborted))),
        Case(name: "a stop wins over a cancel", kind: .wait, result: .failure(network), aborted: true, cancelled: true,
             expected: Finish(outcome: .failure(aborted))),
        Case(name: "a failure after vg_task_cancel is a cancellation", kind: .wait, result: .failure(network),
             cancelled: true, expected: Finish(outcome: .failure(cancelledError))),
        Case(name: "a failure is reported as it is and changes nothing", kind: .poll, result: .failure(network),
             expected: Finish(outcome: .failure(network))),
        Case(name: "a failed submit leaves its task failed with the error", kind: .submit, result: .failure(network),
             expected: Finish(outcome: .failure(network), view: snapshot(.failed, error: network))),
        Case(name: "a cancelled submit is failed and reports the cancellation", kind: .submit, result: .failure(network),
             cancelled: true,
             expected: Finish(outcome: .failure(cancelledError), view: snapshot(.failed, error: network))),
        Case(name: "a remix's new task does not replace the source's view", kind: .remix,
             result: .success(.created(snapshot(.queued))),
             expected: Finish(outcome: .success(.created(snapshot(.queued))))),
        Case(name: "a delete changes nothing", kind: .delete, result: .success(.none),
             expected: Finish(outcome: .success(.none))),
        Case(name: "a client operation has no task to change", kind: .list,
             result: .success(.page(VideoPage(tasks: [], firstID: nil, lastID: nil, hasMore: false))), current: nil,
             expected: Finish(outcome: .success(.page(VideoPage(tasks: [], firstID: nil, lastID: nil, hasMore: false))))),
    ]

    @Test(arguments: cases)
    func decides(_ example: Case) {
        let finish = FinishRule.decide(example.kind, result: example.result, aborted: example.aborted,
                                       cancelled: example.cancelled, current: example.current)
        #expect(finish == example.expected)
    }
}
