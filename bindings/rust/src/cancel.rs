//! [`CancelHandle`]: cancels a task from any thread while another thread runs an operation on it.

use std::fmt;

use crate::error::{Error, Result};
use crate::ffi;

/// Cancels one task from any thread, at any time, any number of times (`vg_task_cancel`, the one call the header
/// allows on a task from a thread that does not own it). Get one from [`crate::Task::cancel_handle`], clone it,
/// send it anywhere.
///
/// The operation in progress on the task (a wait, a download, a poll) returns [`crate::Code::Cancelled`]
/// promptly, no progress closure runs for it once [`CancelHandle::cancel`] has returned, and later network calls
/// on the task fail with `Cancelled`; its getters and record still work. A handle that outlives its task is
/// refused cleanly: `cancel` then fails with [`crate::Code::InvalidHandle`] (the library validates every handle,
/// so a freed task's handle never reaches another task).
#[derive(Clone)]
pub struct CancelHandle {
    task: *mut ffi::vg_task,
}

// SAFETY: the handle is only ever given to vg_task_cancel, which the header makes callable from any thread at any
// time, and which refuses a freed or stale handle with VG_E_INVALID_HANDLE instead of touching freed memory.
unsafe impl Send for CancelHandle {}
// SAFETY: as above; vg_task_cancel may be called from several threads at once.
unsafe impl Sync for CancelHandle {}

impl CancelHandle {
    pub(crate) fn new(task: *mut ffi::vg_task) -> CancelHandle {
        CancelHandle { task }
    }

    /// Stops local work on the task; the service keeps generating (resume the task later from its record).
    pub fn cancel(&self) -> Result<()> {
        self.cancel_with(false)
    }

    /// Like [`CancelHandle::cancel`], and with `remote` also asks the service to cancel the generation (where the
    /// dialect can: else [`crate::Code::Unsupported`], after the local cancellation happened).
    pub fn cancel_with(&self, remote: bool) -> Result<()> {
        let flags = if remote { ffi::VG_CANCEL_REMOTE } else { ffi::VG_CANCEL_LOCAL };
        let mut error = std::ptr::null_mut();
        // SAFETY: see the Send/Sync justification; error is an out-parameter we own afterwards.
        unsafe { Error::check(ffi::vg_task_cancel(self.task, flags, &mut error), error) }
    }
}

impl fmt::Debug for CancelHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelHandle").finish_non_exhaustive()
    }
}
