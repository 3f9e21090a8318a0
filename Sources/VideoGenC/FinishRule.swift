import VideoGen

/// What the finish rule decided for one finished operation: what it reports, and what to do to its task. The
/// operation carries the actions out (`Operation.deliver`); the rule itself does nothing.
struct Finish: Equatable {
    /// What the operation reports (its DONE, or the blocking call's return).
    var outcome: Result<OperationValue, VideoGenError>
    /// The task's new view, when it changes.
    var view: TaskSnapshot?
    /// The task's new byte count (received, total), when it changes.
    var bytes: Bytes?
    /// A file to remove: a download that completed although a callback had asked to stop.
    var unlink: String?

    /// A byte count.
    struct Bytes: Equatable {
        var received: Int64
        var total: Int64?
    }
}

/// The one finish rule of every operation, blocking or asynchronous, as a pure function.
enum FinishRule {
    /// Decides how an operation of `kind` that ended with `result` finishes.
    /// - Parameters:
    ///   - aborted: a callback returned non-zero during the operation.
    ///   - cancelled: vg_task_cancel was called on the task.
    ///   - current: the task's view now (nil for a client operation: list, remote cancel).
    ///
    /// The rules:
    /// - A callback asked to stop: VG_E_ABORTED_BY_CALLBACK, whatever the engine answered; a download that still
    ///   completed is undone (its file removed; the view keeps no record of it).
    /// - Success: a new snapshot of the task becomes its view (and a download's size its byte count); a wait on a
    ///   task that ended unsuccessfully reports the task's error.
    /// - Failure: a failed submit leaves its task FAILED with the error; after vg_task_cancel any failure is
    ///   VG_E_CANCELLED (the engine's way of stopping may surface as another error).
    static func decide(_ kind: Operation.Kind, result: Result<OperationValue, VideoGenError>, aborted: Bool,
                       cancelled: Bool, current: TaskSnapshot?) -> Finish {
        if aborted {
            var unlink: String?
            if kind == .download, case .success(.task(let snapshot)) = result { unlink = snapshot.download?.path }
            return Finish(outcome: .failure(VideoGenError(.abortedByCallback, "a callback returned non-zero")),
                          unlink: unlink)
        }
        switch result {
        case .success(let value):
            guard case .task(let snapshot) = value, current != nil else { return Finish(outcome: result) }
            var finish = Finish(outcome: result, view: snapshot)
            if kind == .wait, let failure = WaitPlan.error(of: snapshot) { finish.outcome = .failure(failure) }
            if kind == .download, let record = snapshot.download {
                finish.bytes = Finish.Bytes(received: record.bytes, total: record.bytes)
            }
            return finish
        case .failure(let error):
            var finish = Finish(outcome: result)
            if kind == .submit, var failed = current {
                failed.state = .failed
                failed.error = error
                finish.view = failed
            }
            if cancelled { finish.outcome = .failure(VideoGenError(.cancelled, "the task was cancelled")) }
            return finish
        }
    }
}
