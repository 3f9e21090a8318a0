//! The bridge from a Rust closure to a `vg_update_fn`: the trampoline the library calls on the calling thread
//! (inside a blocking call or inside a dispatch), with the closure behind `user_data`.
//!
//! A panic in the closure never unwinds into the library: it is caught, the library is told to stop (non-zero
//! return, so the operation ends with VG_E_ABORTED_BY_CALLBACK and a download's destination is not written; the
//! calls after it in the same C call are answered "stop" without running the closure), and the caller resumes the
//! panic on its own thread once the C call has returned.

use std::any::Any;
use std::os::raw::{c_int, c_void};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use crate::ffi;

/// One C call's closure (`(task, update) -> stop?`) and the panic it raised, if any. Lives on the caller's stack
/// for the duration of the C call.
pub(crate) struct Bridge<F> {
    closure: F,
    panic: Option<Box<dyn Any + Send + 'static>>,
}

impl<F> Bridge<F>
where
    F: FnMut(*mut ffi::vg_task, &ffi::vg_update) -> bool,
{
    pub(crate) fn new(closure: F) -> Bridge<F> {
        Bridge { closure, panic: None }
    }

    /// The `vg_update_fn` and `user_data` to give the library (valid while `self` is neither moved nor dropped).
    pub(crate) fn as_c(&mut self) -> (ffi::vg_update_fn, *mut c_void) {
        (Some(trampoline::<F>), self as *mut Bridge<F> as *mut c_void)
    }

    /// Resumes the closure's panic, if it panicked (call once the C call has returned).
    pub(crate) fn resume_panic(&mut self) {
        if let Some(payload) = self.panic.take() {
            resume_unwind(payload);
        }
    }
}

unsafe extern "C" fn trampoline<F>(task: *mut ffi::vg_task, update: *const ffi::vg_update, user_data: *mut c_void)
    -> c_int
where
    F: FnMut(*mut ffi::vg_task, &ffi::vg_update) -> bool,
{
    if update.is_null() || user_data.is_null() {
        return 0;
    }
    // SAFETY: user_data is the Bridge<F> of as_c, alive and not otherwise borrowed during the C call; update is
    // valid for the duration of this call.
    let bridge = &mut *(user_data as *mut Bridge<F>);
    let update = &*update;
    if bridge.panic.is_some() {
        return 1;
    }
    let closure = &mut bridge.closure;
    match catch_unwind(AssertUnwindSafe(|| closure(task, update))) {
        Ok(stop) => c_int::from(stop),
        Err(payload) => {
            bridge.panic = Some(payload);
            1
        }
    }
}
