import VideoGen
import CVideoGen

// vg_task_download_output: one of the videos of a task that made several (since 0.4.0).

@c @implementation
public func vg_task_download_output(_ task: OpaquePointer?, _ index: Int, _ path: UnsafePointer<CChar>?,
                                    _ on_update: vg_update_fn?, _ user_data: UnsafeMutableRawPointer?,
                                    _ error: UnsafeMutablePointer<OpaquePointer?>?) -> vg_code {
    guarded(error) {
        let box = try requiredTask(task)
        guard index >= 0, index <= Int(Int32.max) else {
            throw VideoGenError(.invalidArgument, "output index \(index) is out of range")
        }
        let path = try requiredPath(path)
        _ = try Operation.run(.download, box: box, handle: task, callback: on_update.map { .update($0, user_data) } ?? .none,
                              Launch.download(box.client, box.snapshot, output: index, to: path)).get()
    }
}
