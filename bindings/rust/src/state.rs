//! [`State`]: the one task-state vocabulary (`vg_state`).

use std::fmt;

use crate::ffi;

/// A task's state as last seen, whatever the provider calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Accepted, waiting to start.
    Queued,
    /// Being generated.
    Running,
    /// Finished with a video.
    Succeeded,
    /// Finished without a video (also what the library reports for a value this binding does not know).
    Failed,
    /// Cancelled on the service.
    Cancelled,
    /// The service says the task or its result expired.
    Expired,
}

impl State {
    /// The state for a `vg_state` value; unknown values read as [`State::Failed`], as the library's getters do.
    pub fn from_raw(raw: ffi::vg_state) -> State {
        match raw {
            ffi::VG_STATE_QUEUED => State::Queued,
            ffi::VG_STATE_RUNNING => State::Running,
            ffi::VG_STATE_SUCCEEDED => State::Succeeded,
            ffi::VG_STATE_CANCELLED => State::Cancelled,
            ffi::VG_STATE_EXPIRED => State::Expired,
            _ => State::Failed,
        }
    }

    /// The `vg_state` value.
    pub fn raw(self) -> ffi::vg_state {
        match self {
            State::Queued => ffi::VG_STATE_QUEUED,
            State::Running => ffi::VG_STATE_RUNNING,
            State::Succeeded => ffi::VG_STATE_SUCCEEDED,
            State::Failed => ffi::VG_STATE_FAILED,
            State::Cancelled => ffi::VG_STATE_CANCELLED,
            State::Expired => ffi::VG_STATE_EXPIRED,
        }
    }

    /// True once the task reached a state it never leaves.
    pub fn is_done(self) -> bool {
        !matches!(self, State::Queued | State::Running)
    }

    /// The state's name in the snapshot vocabulary (`vg_state_str`): "queued", "running", ...
    pub fn name(self) -> &'static str {
        // SAFETY: vg_state_str returns static text, never NULL.
        unsafe { crate::text::static_str(ffi::vg_state_str(self.raw())) }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
