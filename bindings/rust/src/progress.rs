//! [`Progress`]: what a progress closure is shown (one `vg_update`, borrowed for the call), and [`Verdict`]: what
//! the closure answers (go on, or stop).

use std::ops::ControlFlow;

use crate::error::Error;
use crate::ffi;
use crate::state::State;

/// What an update reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressKind {
    /// The task's state, progress or queue position changed (from a wait or a poll).
    Status,
    /// Bytes of a download arrived.
    Transfer,
}

/// One update of an operation on a task, as the closure given to [`crate::Task::wait_with_progress`] or
/// [`crate::Task::download_with_progress`] sees it. It borrows the library's `vg_update` for the duration of the
/// call: copy what you keep.
pub struct Progress<'a> {
    raw: &'a ffi::vg_update,
}

/// A member of `vg_update` is read only when the library that filled it has it (the struct grows at the end).
macro_rules! member {
    ($raw:expr, $field:ident, $default:expr) => {
        if std::mem::offset_of!(ffi::vg_update, $field) < $raw.size { $raw.$field } else { $default }
    };
}

impl<'a> Progress<'a> {
    pub(crate) fn new(raw: &'a ffi::vg_update) -> Progress<'a> {
        Progress { raw }
    }

    /// Status or bytes.
    pub fn kind(&self) -> ProgressKind {
        if self.raw.kind == ffi::VG_EVENT_TRANSFER { ProgressKind::Transfer } else { ProgressKind::Status }
    }

    /// The task's state after this update.
    pub fn state(&self) -> State {
        State::from_raw(self.raw.state)
    }

    /// Progress 0-100, or `None` when the service does not report it (never invented).
    pub fn percent(&self) -> Option<u8> {
        u8::try_from(member!(self.raw, progress, -1)).ok()
    }

    /// Position in the service's queue (0 = next), or `None` when unknown.
    pub fn queue_position(&self) -> Option<u32> {
        u32::try_from(member!(self.raw, queue_position, -1)).ok()
    }

    /// Bytes written by the current or last download of the task.
    pub fn bytes_received(&self) -> u64 {
        member!(self.raw, bytes_received, 0)
    }

    /// The download's full size as announced, or `None` when unknown.
    pub fn bytes_total(&self) -> Option<u64> {
        u64::try_from(member!(self.raw, bytes_total, -1)).ok()
    }

    /// Why the task ended unsuccessfully (the provider's reason), once it has.
    pub fn task_error(&self) -> Option<Error> {
        let error = member!(self.raw, task_error, std::ptr::null());
        // SAFETY: the library lends task_error for the duration of the callback.
        (!error.is_null()).then(|| unsafe { Error::from_borrowed(ffi::VG_E_TASK_FAILED, error) })
    }

    /// The task's whole snapshot after a status update (the record document, JSON); `None` for a transfer.
    pub fn snapshot_json(&self) -> Option<&'a str> {
        let text = member!(self.raw, snapshot_json, std::ptr::null());
        // SAFETY: the library lends snapshot_json, NUL-terminated, for the duration of the callback.
        (!text.is_null()).then(|| unsafe { std::ffi::CStr::from_ptr(text) }.to_str().ok()).flatten()
    }
}

impl std::fmt::Debug for Progress<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress").field("kind", &self.kind()).field("state", &self.state())
            .field("percent", &self.percent()).field("queue_position", &self.queue_position())
            .field("bytes_received", &self.bytes_received()).field("bytes_total", &self.bytes_total()).finish()
    }
}

/// What a progress closure returns: `()` (go on) or a [`ControlFlow`] (`Break(())` stops the operation, which
/// then fails with [`crate::Code::AbortedByCallback`]; a download's destination is not written).
pub trait Verdict {
    /// True to stop the operation.
    fn stops(self) -> bool;
}

impl Verdict for () {
    fn stops(self) -> bool {
        false
    }
}

impl Verdict for ControlFlow<()> {
    fn stops(self) -> bool {
        self.is_break()
    }
}

impl Verdict for bool {
    /// `true` goes on, `false` stops (as in `Iterator::all`).
    fn stops(self) -> bool {
        !self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(size: usize) -> ffi::vg_update {
        ffi::vg_update {
            size, kind: ffi::VG_EVENT_UPDATE, code: ffi::VG_OK, error: std::ptr::null(), state: ffi::VG_STATE_RUNNING,
            progress: 42, queue_position: 3, bytes_received: 7, bytes_total: 9, task_error: std::ptr::null(),
            snapshot_json: c"{\"state\": \"running\"}".as_ptr(),
        }
    }

    #[test]
    fn members_are_read_only_within_the_size_the_library_gave() {
        let full = update(std::mem::size_of::<ffi::vg_update>());
        let p = Progress::new(&full);
        assert_eq!((p.state(), p.percent(), p.queue_position()), (State::Running, Some(42), Some(3)));
        assert_eq!((p.bytes_received(), p.bytes_total()), (7, Some(9)));
        assert_eq!(p.snapshot_json(), Some("{\"state\": \"running\"}"));
        // A library that knew the struct only up to `progress` (exclusive): the later members read as unknown.
        let old = update(std::mem::offset_of!(ffi::vg_update, progress));
        let p = Progress::new(&old);
        assert_eq!((p.percent(), p.queue_position(), p.bytes_received(), p.bytes_total()), (None, None, 0, None));
        assert_eq!(p.snapshot_json(), None);
    }

    #[test]
    fn verdicts() {
        assert!(!().stops());
        assert!(ControlFlow::Break(()).stops() && !ControlFlow::<()>::Continue(()).stops());
        assert!(false.stops() && !true.stops());
    }
}
