import Synchronization

/// The client's live tasks, for webhooks: task id -> the waits watching it, and the delivery ids already applied.
///
/// A wait registers when it starts and leaves when it ends; a verified callback is handed to every wait on its task
/// (`WaitOperation.receive`), which applies it as its own step. Deliveries are at least once: an id seen before
/// (kept for the last `memory` deliveries) changes nothing.
final class WebhookRegistry: Sendable {
    /// How many delivery ids are remembered.
    static let memory = 4096

    private struct State {
        var waits: [String: [ObjectIdentifier: WaitOperation]] = [:]
        var seen: Set<String> = []
        var order: [String] = []
        var next = 0
    }
    private let state = Mutex(State())
    /// The JWKS documents fetched for fal verifiers (Webhooks/WebhookKeySource.swift).
    let keys = WebhookKeySource()

    /// Starts routing callbacks about `taskID` to `wait`.
    func register(_ wait: WaitOperation, taskID: String) {
        state.withLock { $0.waits[taskID, default: [:]][ObjectIdentifier(wait)] = wait }
    }

    /// Stops routing callbacks to `wait`.
    func unregister(_ wait: WaitOperation, taskID: String) {
        state.withLock { state in
            state.waits[taskID]?[ObjectIdentifier(wait)] = nil
            if state.waits[taskID]?.isEmpty == true { state.waits[taskID] = nil }
        }
    }

    /// The waits watching `taskID`.
    func waits(for taskID: String) -> [WaitOperation] {
        state.withLock { Array(($0.waits[taskID] ?? [:]).values) }
    }

    /// True the first time `deliveryID` is seen (within the last `memory` deliveries), false for a repeat.
    func firstDelivery(_ deliveryID: String) -> Bool {
        state.withLock { state in
            guard !state.seen.contains(deliveryID) else { return false }
            if state.order.count < Self.memory {
                state.order.append(deliveryID)
            } else {
                state.seen.remove(state.order[state.next])
                state.order[state.next] = deliveryID
                state.next = (state.next + 1) % Self.memory
            }
            state.seen.insert(deliveryID)
            return true
        }
    }
}
