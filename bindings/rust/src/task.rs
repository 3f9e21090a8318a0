//! [`Task`]: one generation task on a provider, as last seen by this process.

use std::fmt;
use std::os::raw::c_double;
use std::path::Path;
use std::ptr;
use std::time::Duration;

use crate::callback::Bridge;
use crate::cancel::CancelHandle;
use crate::error::{Code, Error, Result};
use crate::ffi;
use crate::progress::{Progress, Verdict};
use crate::state::State;
use crate::text::{borrowed, c_path, c_string, take};

/// What [`Task::download_variant`] fetches: the video, or a still the `openai` dialect serves beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The video itself.
    Video,
    /// The video's thumbnail (an image).
    Thumbnail,
    /// The video's spritesheet (an image).
    Spritesheet,
}

impl Variant {
    fn name(self) -> &'static std::ffi::CStr {
        match self {
            Variant::Video => c"video",
            Variant::Thumbnail => c"thumbnail",
            Variant::Spritesheet => c"spritesheet",
        }
    }
}

/// One generation task, made by [`crate::Client::submit`], [`crate::Client::resume`] or
/// [`crate::Client::generate`]. Dropping it frees the native task (cancelling an operation still running on it).
///
/// Thread rules, as the header gives them: a task is used by one thread at a time, so it is `Send` (move it to
/// another thread) but not `Sync`, and its network calls take `&mut self`; the one exception,
/// cancellation, goes through a [`CancelHandle`] (`Send + Sync`), usable from any thread while this one waits.
/// A task does not borrow its client: it stays usable after the client is dropped.
pub struct Task {
    pub(crate) handle: *mut ffi::vg_task,
}

// SAFETY: a vg_task may be used by any thread, one at a time; Task owns its handle, and moving the Task moves that
// exclusive use. Task is deliberately not Sync (the getters' strings are valid only until the next call on the
// task, so two threads must not call into one task at once).
unsafe impl Send for Task {}

/// A wait's timeout for the C call: None means the client's "wait_timeout" (0); a zero duration a deadline now.
pub(crate) fn seconds(timeout: Option<Duration>) -> c_double {
    match timeout {
        None => 0.0,
        Some(d) if d.is_zero() => f64::MIN_POSITIVE,
        Some(d) => d.as_secs_f64(),
    }
}

/// A blocking call's update closure from a progress closure: the DONE update is not shown (the call's result is
/// its return value).
fn progress_only<F, R>(mut on_progress: F) -> impl FnMut(*mut ffi::vg_task, &ffi::vg_update) -> bool
where
    F: FnMut(&Progress<'_>) -> R,
    R: Verdict,
{
    move |_, update| update.kind != ffi::VG_EVENT_DONE && on_progress(&Progress::new(update)).stops()
}

/// A closure for the calls given no progress closure.
fn quiet(_: &Progress<'_>) {}

impl Task {
    /// Wraps a task handle the library returned (non-NULL).
    pub(crate) fn from_raw(handle: *mut ffi::vg_task) -> Task {
        Task { handle }
    }

    /// The raw handle, for calling the C API directly (it stays owned by this `Task`).
    pub fn as_raw(&self) -> *mut ffi::vg_task {
        self.handle
    }

    /// A handle that cancels this task from any thread (see [`CancelHandle`]).
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle::new(self.handle)
    }

    // -- what the task was last seen as (no network) ---------------------------------------------------------

    /// The task's id on the provider ("" until an asynchronous submit is answered).
    pub fn id(&self) -> String {
        // SAFETY: the string is copied before any other call on the task.
        unsafe { borrowed(ffi::vg_task_id(self.handle)) }.unwrap_or_default()
    }

    /// The task's state as last seen.
    pub fn state(&self) -> State {
        // SAFETY: a getter on our own handle.
        State::from_raw(unsafe { ffi::vg_task_state(self.handle) })
    }

    /// Progress 0-100 as last seen, or `None` when the service does not report it (never invented).
    pub fn percent(&self) -> Option<u8> {
        // SAFETY: a getter on our own handle.
        u8::try_from(unsafe { ffi::vg_task_progress(self.handle) }).ok()
    }

    /// Position in the service's queue (0 = next) as last seen, or `None` when unknown.
    pub fn queue_position(&self) -> Option<u32> {
        // SAFETY: a getter on our own handle.
        u32::try_from(unsafe { ffi::vg_task_queue_position(self.handle) }).ok()
    }

    /// Where the video will be downloaded from, once succeeded. Signed URLs are secrets of their own.
    pub fn video_url(&self) -> Option<String> {
        // SAFETY: the string is copied before any other call on the task.
        unsafe { borrowed(ffi::vg_task_video_url(self.handle)) }
    }

    /// Why the task ended unsuccessfully ([`Code::TaskFailed`], [`Code::ContentPolicy`], ... with the
    /// provider's reason), or `None` while it has not.
    pub fn error(&self) -> Option<Error> {
        // SAFETY: getters on our own handle; the message is copied at once.
        let code = unsafe { ffi::vg_task_error_code(self.handle) };
        if code == ffi::VG_OK {
            return None;
        }
        let message = unsafe { borrowed(ffi::vg_task_error_message(self.handle)) }
            .unwrap_or_else(|| Code::from_raw(code).description().to_owned());
        Some(Error::new(Code::from_raw(code), message).with_task_id(self.id()))
    }

    /// Bytes of the video written by the current or last download.
    pub fn bytes_received(&self) -> u64 {
        // SAFETY: a getter on our own handle.
        unsafe { ffi::vg_task_bytes_received(self.handle) }
    }

    /// The video's size as announced during the current or last download, or `None`.
    pub fn bytes_total(&self) -> Option<u64> {
        // SAFETY: a getter on our own handle.
        u64::try_from(unsafe { ffi::vg_task_bytes_total(self.handle) }).ok()
    }

    /// The task's record, its whole snapshot as JSON (id, state, progress, video URL, error, the last download's
    /// path, size and SHA-256, ...): save it, and [`crate::Client::resume`] turns it back into a task, in this
    /// process or another. It holds no secret (but a signed video URL is one of its own).
    pub fn record(&self) -> Result<String> {
        let mut out = ptr::null_mut();
        // SAFETY: out is ours to take on success.
        let code = unsafe { ffi::vg_task_snapshot_json(self.handle, &mut out) };
        if code != ffi::VG_OK {
            return Err(Error::new(Code::from_raw(code), "the task's record could not be read"));
        }
        // SAFETY: out was allocated by the library for us.
        Ok(unsafe { take(out) })
    }

    // -- network calls ------------------------------------------------------------------------------------------

    /// Refreshes the task's status once, now; check [`Task::state`] afterwards.
    pub fn poll(&mut self) -> Result<()> {
        let mut error = ptr::null_mut();
        // SAFETY: our handle; no callback.
        let code = unsafe { ffi::vg_task_poll_v2(self.handle, None, ptr::null_mut(), &mut error) };
        self.finish(code, error)
    }

    /// Polls on the client's schedule until the task ends or `timeout` passes (`None`: the client's
    /// "wait_timeout"). `Ok` once the task succeeded; else [`Code::TaskFailed`] (or [`Code::ContentPolicy`], ...)
    /// with the provider's reason, [`Code::Deadline`] (the task still runs: wait again), [`Code::Cancelled`], or the
    /// error that stopped polling.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<()> {
        self.wait_with_progress(timeout, quiet)
    }

    /// [`Task::wait`] calling `on_progress` on this thread at the start and on every change of state, progress or
    /// queue position. The closure may return `()` or a [`std::ops::ControlFlow`] (`Break` stops the wait with
    /// [`Code::AbortedByCallback`]). A panic in it stops the wait and is resumed here once the wait has ended.
    pub fn wait_with_progress<F, R>(&mut self, timeout: Option<Duration>, on_progress: F) -> Result<()>
    where
        F: FnMut(&Progress<'_>) -> R,
        R: Verdict,
    {
        let mut bridge = Bridge::new(progress_only(on_progress));
        let (function, user_data) = bridge.as_c();
        let mut error = ptr::null_mut();
        // SAFETY: our handle; the bridge outlives the call (callbacks run only inside it, on this thread).
        let code = unsafe { ffi::vg_task_wait_v2(self.handle, seconds(timeout), function, user_data, &mut error) };
        self.finish_bridged(&mut bridge, code, error)
    }

    /// Downloads the succeeded task's video to `path` (replaced), streaming through `<path>.part`: `path` never
    /// holds a partial file. Fails with [`Code::NotReady`] before the task succeeded, [`Code::Io`] for local file
    /// errors, [`Code::Busy`] while another download (in any process) writes `path`.
    pub fn download(&mut self, path: impl AsRef<Path>) -> Result<()> {
        self.download_variant(Variant::Video, path, quiet)
    }

    /// [`Task::download`] calling `on_progress` on this thread as bytes arrive (see
    /// [`Task::wait_with_progress`] for what it may return; stopping leaves `path` unwritten).
    pub fn download_with_progress<F, R>(&mut self, path: impl AsRef<Path>, on_progress: F) -> Result<()>
    where
        F: FnMut(&Progress<'_>) -> R,
        R: Verdict,
    {
        self.download_variant(Variant::Video, path, on_progress)
    }

    /// Downloads the video or one of its stills (`openai` dialect; others refuse stills with
    /// [`Code::Unsupported`]) to `path`, calling `on_progress` as bytes arrive.
    pub fn download_variant<F, R>(&mut self, variant: Variant, path: impl AsRef<Path>, on_progress: F) -> Result<()>
    where
        F: FnMut(&Progress<'_>) -> R,
        R: Verdict,
    {
        let path = c_path(path.as_ref())?;
        let mut bridge = Bridge::new(progress_only(on_progress));
        let (function, user_data) = bridge.as_c();
        let mut error = ptr::null_mut();
        // SAFETY: our handle; strings and bridge outlive the call.
        let code = unsafe {
            ffi::vg_task_download_v2(self.handle, variant.name().as_ptr(), path.as_ptr(), function, user_data,
                                     &mut error)
        };
        self.finish_bridged(&mut bridge, code, error)
    }

    /// Downloads output `index` (0-based, in the record's `"outputs"` order) of the succeeded task to `path`
    /// (`vg_task_download_output`): a task that made several videos (Vidu, OpenRouter, ...) lists them all in its
    /// record, and output 0 is the video [`Task::download`] fetches. Through `<path>.part` like a download; the
    /// record's `"download"` names the output. [`Code::InvalidArgument`], saying how many the task has, for an
    /// index it does not have.
    pub fn download_output(&mut self, index: usize, path: impl AsRef<Path>) -> Result<()> {
        self.download_output_with_progress(index, path, quiet)
    }

    /// [`Task::download_output`] calling `on_progress` on this thread as bytes arrive (see
    /// [`Task::wait_with_progress`] for what it may return).
    pub fn download_output_with_progress<F, R>(&mut self, index: usize, path: impl AsRef<Path>, on_progress: F)
        -> Result<()>
    where
        F: FnMut(&Progress<'_>) -> R,
        R: Verdict,
    {
        let path = c_path(path.as_ref())?;
        let mut bridge = Bridge::new(progress_only(on_progress));
        let (function, user_data) = bridge.as_c();
        let mut error = ptr::null_mut();
        // SAFETY: our handle; the path and the bridge outlive the call.
        let code = unsafe {
            ffi::vg_task_download_output(self.handle, index, path.as_ptr(), function, user_data, &mut error)
        };
        self.finish_bridged(&mut bridge, code, error)
    }

    /// Cancels the task (see [`CancelHandle`]); with `remote`, also asks the service to cancel the generation.
    /// Callable while no operation runs; to cancel a running one from another thread use [`Task::cancel_handle`].
    pub fn cancel(&self, remote: bool) -> Result<()> {
        self.cancel_handle().cancel_with(remote).map_err(|e| e.with_task_id(self.id()))
    }

    /// Deletes the task's video and its assets on the service (`openai` dialect). The task keeps its last
    /// snapshot; a later poll fails with [`Code::NotFound`].
    pub fn delete_remote(&mut self) -> Result<()> {
        let mut error = ptr::null_mut();
        // SAFETY: our handle.
        let code = unsafe { ffi::vg_task_delete_remote(self.handle, &mut error) };
        self.finish(code, error)
    }

    /// Remakes the finished video with a new prompt (`openai` dialect): `remix_json` is
    /// `{"prompt": "...", "extra": {...}, "idempotency_key": "..."}`. Returns the new task.
    pub fn remix(&mut self, remix_json: &str) -> Result<Task> {
        let remix = c_string("the remix", remix_json)?;
        let mut out = ptr::null_mut();
        let mut error = ptr::null_mut();
        // SAFETY: our handle; out is ours on success.
        let code = unsafe { ffi::vg_task_remix(self.handle, remix.as_ptr(), &mut out, &mut error) };
        self.finish(code, error)?;
        Ok(Task::from_raw(out))
    }

    // -- helpers -------------------------------------------------------------------------------------------------

    pub(crate) fn finish(&self, code: ffi::vg_code, error: *mut ffi::vg_error) -> Result<()> {
        // SAFETY: error is the call's out-parameter, ours to free.
        unsafe { Error::check(code, error) }.map_err(|e| e.with_task_id(self.id()))
    }

    fn finish_bridged<F>(&self, bridge: &mut Bridge<F>, code: ffi::vg_code, error: *mut ffi::vg_error) -> Result<()>
    where
        F: FnMut(*mut ffi::vg_task, &ffi::vg_update) -> bool,
    {
        let result = self.finish(code, error);
        bridge.resume_panic();
        result
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        // SAFETY: we own the handle; vg_task_free cancels an operation still running on it.
        unsafe { ffi::vg_task_free(self.handle) }
    }
}

impl fmt::Debug for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task").field("id", &self.id()).field("state", &self.state())
            .field("percent", &self.percent()).finish()
    }
}
