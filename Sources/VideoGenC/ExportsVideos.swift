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
        let result = Operation.run(.list, box: nil, handle: nil, Launch.other(swiftClient, OperationValue.page) {
            try await swiftClient.list(query)
        })
        guard case .page(let page) = try result.get() else { throw VideoGenError(.internal, "a list returned no page") }
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
        _ = try Operation.run(.delete, box: box, handle: task, Launch.other(client, { _ in OperationValue.none }) {
            try await client.deleteRemotely(current)
        }).get()
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
        let result = Operation.run(.remix, box: box, handle: task, Launch.other(client, OperationValue.created) {
            try await client.remix(current, remix)
        })
        guard case .created(let created) = try result.get() else {
            throw VideoGenError(.internal, "a remix returned no task")
        }
        out.pointee = HandleTable.shared.insert(TaskBox(owner: box.owner, snapshot: created), kind: .task)
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
        return report(VideoGenError.wrap(failure), error)
    }
    return downloadBlocking(task, variant: asset, path, on_progress.map { .transfer($0, user_data) } ?? .none, error)
}
