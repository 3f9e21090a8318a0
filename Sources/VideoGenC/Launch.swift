import FoundationEssentials
import VideoGen

/// How each kind of operation starts on the engine's callback forms (`VideoGenClient.start...`), the same for the
/// blocking and the asynchronous calls: what the engine reports goes to the `Operation`, which queues it on its sink.
enum Launch {
    /// The task an asynchronous submit shows until it is answered: no id yet, queued, with the request's key.
    static func placeholder(_ client: VideoGenClient, _ prepared: PreparedSubmission) -> TaskSnapshot {
        var placeholder = TaskSnapshot(id: "", dialect: client.configuration.dialect.rawValue,
                                       baseURL: client.configuration.baseURL.absoluteString)
        placeholder.idempotencyKey = prepared.idempotencyKey
        return placeholder
    }

    /// A submit of a prepared request (`vg_client_submit`, `vg_client_submit_async`).
    static func submit(_ client: VideoGenClient, _ prepared: PreparedSubmission) -> (Operation) -> OperationHandle {
        { operation in client.startSubmit(prepared, completion: operation.completeTask) }
    }

    /// One status refresh (`vg_task_poll`).
    static func poll(_ client: VideoGenClient, _ current: TaskSnapshot) -> (Operation) -> OperationHandle {
        { operation in client.startRefresh(current, completion: operation.completeTask) }
    }

    /// A wait on the client's schedule (`vg_task_wait`, `vg_task_wait_async`): every change is an UPDATE.
    static func wait(_ plan: WaitPlan) -> (Operation) -> OperationHandle {
        { operation in
            plan.client.startWait(plan.current, timeout: plan.timeout, pollImmediately: plan.immediately,
                                  onUpdate: { operation.post(update: $0) }, completion: operation.completeTask)
        }
    }

    /// A download of the video or a still (`vg_task_download*`): byte progress is a coalesced TRANSFER.
    static func download(_ client: VideoGenClient, _ current: TaskSnapshot, variant: ContentVariant,
                         to path: String) -> (Operation) -> OperationHandle {
        { operation in
            client.startDownload(current, variant: variant, to: path,
                                 onProgress: { operation.post(received: $0, total: $1) },
                                 completion: operation.completeTask)
        }
    }

    /// A download of one of the task's outputs (`vg_task_download_output`): byte progress as for the video.
    static func download(_ client: VideoGenClient, _ current: TaskSnapshot, output: Int,
                         to path: String) -> (Operation) -> OperationHandle {
        { operation in
            client.startDownload(current, output: output, to: path,
                                 onProgress: { operation.post(received: $0, total: $1) },
                                 completion: operation.completeTask)
        }
    }

    /// Any other call of the client, whose value `wrap` turns into the operation's.
    static func other<Value: Sendable>(_ client: VideoGenClient, _ wrap: @escaping @Sendable (Value) -> OperationValue,
                                       _ body: @escaping @Sendable () async throws -> Value) -> (Operation) -> OperationHandle {
        { operation in
            client.startTask(completion: { result in operation.post(done: result.map(wrap)) }, body)
        }
    }
}
