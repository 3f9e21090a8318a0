import VideoGen

/// Runs a task operation in the background while the calling C thread waits for its events and runs the user's
/// callbacks: callbacks never run on a library thread, and never after vg_task_cancel returned.
enum CallerThreadRunner {
    /// Runs `operation` and delivers its events.
    /// - Parameters:
    ///   - onUpdate: called (on this thread) for each task update; a non-zero result stops the operation.
    ///   - onTransfer: called (on this thread) with coalesced byte progress; a non-zero result stops it.
    ///   - discard: undoes a result that arrived although a callback had asked to stop (the operation finished
    ///     before it could be stopped), e.g. removes a downloaded file.
    static func run<Value: Sendable>(
        _ box: TaskBox,
        onUpdate: ((TaskSnapshot) -> Int32)? = nil,
        onTransfer: ((Int64, Int64?) -> Int32)? = nil,
        discard: ((Value) -> Void)? = nil,
        operation: @escaping @Sendable (EventChannel<Value>) async throws -> Value
    ) -> Result<Value, VideoGenError> {
        let channel = EventChannel<Value>()
        do {
            try box.start {
                do {
                    channel.finish(.success(try await operation(channel)))
                } catch {
                    channel.finish(.failure(VideoGenError.fromAny(error)))
                }
            }
        } catch {
            return .failure(VideoGenError.fromAny(error))
        }
        defer { box.finishOperation() }
        var aborted = false
        func deliver(_ callback: () -> Int32) {
            guard !aborted, let result = box.runCallback(callback), result != 0 else { return }
            aborted = true
            box.abortOperation()
        }
        while true {
            for event in channel.next() {
                switch event {
                case .update(let snapshot):
                    box.update(snapshot)
                    if let onUpdate { deliver { onUpdate(snapshot) } }
                case .transfer(let received, let total):
                    box.setTransfer(received: received, total: total)
                    if let onTransfer { deliver { onTransfer(received, total) } }
                case .done(let result):
                    if aborted {
                        if case .success(let value) = result { discard?(value) }
                        return .failure(VideoGenError(.abortedByCallback, "a callback returned non-zero"))
                    }
                    if case .failure = result, box.isCancelled {
                        return .failure(VideoGenError(.cancelled, "the task was cancelled"))
                    }
                    return result
                }
            }
        }
    }

    /// Runs `operation` to completion from a C thread that has no task handle yet (submit).
    static func block<Value: Sendable>(_ operation: @escaping @Sendable () async throws -> Value) -> Result<Value, VideoGenError> {
        let channel = EventChannel<Value>()
        Task {
            do {
                channel.finish(.success(try await operation()))
            } catch {
                channel.finish(.failure(VideoGenError.fromAny(error)))
            }
        }
        while true {
            for event in channel.next() {
                if case .done(let result) = event { return result }
            }
        }
    }
}
