/// The one task-state vocabulary, whatever a provider calls its states.
///
/// Raw values are the names used in snapshots and records; the order of declaration matches the C enum `vg_state`.
public enum TaskState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Accepted, waiting to start.
    case queued
    /// Being generated.
    case running
    /// Finished with a video.
    case succeeded
    /// Finished without a video.
    case failed
    /// Cancelled on the service.
    case cancelled
    /// The task or its result expired on the service.
    case expired

    /// True for states a task never leaves.
    public var isTerminal: Bool {
        switch self {
        case .queued, .running: return false
        case .succeeded, .failed, .cancelled, .expired: return true
        }
    }
}
