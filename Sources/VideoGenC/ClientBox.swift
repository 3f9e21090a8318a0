import VideoGen

/// The object behind a `vg_client` handle: the Swift client and the queue its asynchronous operations report to.
/// Each task keeps a reference to its client's box (one word per task), so freeing the handle does not strand them;
/// the key is wiped when the last reference goes.
final class ClientBox: Sendable {
    let client: VideoGenClient
    let events = ClientEventQueue()

    init(_ client: VideoGenClient) {
        self.client = client
    }
}
