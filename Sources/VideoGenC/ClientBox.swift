import VideoGen

/// The object behind a `vg_client` handle. Tasks keep their own reference to the client, so freeing the handle
/// does not strand them; the key is wiped when the last reference goes.
final class ClientBox: Sendable {
    let client: VideoGenClient

    init(_ client: VideoGenClient) {
        self.client = client
    }
}
