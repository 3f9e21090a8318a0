import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import CVideoGen
import VideoGen

// The operations on the videos a service keeps: vg_client_list_tasks, vg_task_delete_remote, vg_task_remix,
// vg_task_download_variant. Each blocks the calling thread; the task operations run as the task's one operation
// (VG_E_BUSY while another runs, VG_E_CANCELLED after vg_task_cancel), like vg_task_poll.

@c @implementation
public func vg_client_list_tasks(_ client: OpaquePointer?, _ query_json: UnsafePointer<CChar>?,
                                 _ out_page_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                 _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        guard let out_page_json else { throw VideoGenError(.invalidArgument, "out_page_json is NULL") }
        out_page_json.pointee = nil
        let box = try clientBox(client)
        let query = try CStrings.json(query_json, document: "query").map { try VideoListQuery(json: $0) } ?? VideoListQuery()
        let swiftClient = box.client
        let page = try CallerThreadRunner.block { try await swiftClient.list(query) }.get()
        guard let text = CStrings.owned(page.json.jsonText) else {
            throw VideoGenError(.outOfMemory, "the page could not be allocated")
        }
        out_page_json.pointee = text
    }
}

@c @implementation
public func vg_task_delete_remote(_ task: OpaquePointer?, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let box = try requiredTask(task)
        let client = box.client
        let current = box.snapshot
        _ = try CallerThreadRunner.run(box) { (_: EventChannel<TaskSnapshot>) in
            try await client.deleteRemotely(current)
            return current
        }.get()
    }
}

@c @implementation
public func vg_task_remix(_ task: OpaquePointer?, _ remix_json: UnsafePointer<CChar>?,
                          _ out: UnsafeMutablePointer<OpaquePointer?>?,
                          _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let out = try requiredOut(out)
        let box = try requiredTask(task)
        let remix = try RemixRequest(json: requiredJSON(remix_json, "remix_json", document: "remix"))
        let client = box.client
        let current = box.snapshot
        let created = try CallerThreadRunner.run(box) { (_: EventChannel<TaskSnapshot>) in
            try await client.remix(current, remix)
        }.get()
        out.pointee = HandleTable.shared.insert(TaskBox(client: client, events: box.events, snapshot: created), kind: .task)
    }
}

@c @implementation
public func vg_task_download_variant(_ task: OpaquePointer?, _ variant: UnsafePointer<CChar>?,
                                     _ path: UnsafePointer<CChar>?, _ on_progress: vg_transfer_fn?,
                                     _ user_data: UnsafeMutableRawPointer?,
                                     _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    let asset: ContentVariant
    do {
        _ = try requiredTask(task)
        asset = try ContentVariant(name: try requiredText(variant, "variant"))
    } catch let failure {
        return report(VideoGenError.fromAny(failure), error)
    }
    if asset == .video { return vg_task_download(task, path, on_progress, user_data, error) }
    return guarded(error) {
        let box = try requiredTask(task)
        guard let path = try CStrings.read(path, name: "path"), !path.isEmpty else {
            throw VideoGenError(.invalidArgument, "path is NULL or empty")
        }
        let client = box.client
        let current = box.snapshot
        let delivered = AssetTransferMark()
        let onTransfer: ((Int64, Int64?) -> Int32)? = on_progress.map { callback in
            { received, total in
                delivered.received = received
                delivered.total = total
                return callback(task, UInt64(max(0, received)), total ?? -1, user_data)
            }
        }
        let final = try CallerThreadRunner.run(box, onTransfer: onTransfer, discard: { snapshot in
            if let written = snapshot.download?.path { unlink(written) }
        }) { (channel: EventChannel<TaskSnapshot>) in
            try await client.download(current, variant: asset, to: path) { received, total in
                channel.send(received: received, total: total)
            }
        }.get()
        box.update(final)
        // The promised last call, with received == total, unless the coalesced progress already said exactly that.
        if let onTransfer, let record = final.download, delivered.received != record.bytes || delivered.total != record.bytes {
            if let stop = box.runCallback({ onTransfer(record.bytes, record.bytes) }), stop != 0 {
                unlink(path)
                box.update(current)                 // the snapshot records no download whose file is gone
                throw VideoGenError(.abortedByCallback, "a callback returned non-zero")
            }
        }
    }
}

/// The last byte progress shown to a variant download's callback (used on the calling thread only).
private final class AssetTransferMark {
    var received: Int64 = -1
    var total: Int64?
}
