//! Many tasks on one thread: asynchronous operations ([`Client::submit_async`], [`Task::start_wait`],
//! [`Task::start_download`]) whose updates queue on the client as events, delivered by [`Client::dispatch`] on
//! the thread that calls it (an event loop can watch [`Client::event_fd`] and dispatch when it is readable).
//!
//! The operations run on the library's own loop threads (a waiting task is a timer there, not a thread), so one
//! thread follows thousands of tasks. A task runs one operation at a time ([`crate::Code::Busy`] otherwise), and
//! every operation started ends with exactly one [`EventKind::Done`] event, also after a cancel (whose result is
//! then [`crate::Code::Cancelled`]). Events of a task dropped meanwhile are dropped.

use std::os::fd::RawFd;
use std::path::Path;
use std::ptr;
use std::time::Duration;

use crate::callback::Bridge;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::ffi;
use crate::progress::{Progress, Verdict};
use crate::task::{seconds, Task};
use crate::text::{c_path, c_string};

/// Tells which task an [`Event`] is about: equal to the [`Task::key`] of that task (keep your tasks in a map by
/// key). Valid as long as the task lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskKey(usize);

/// What an [`Event`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// The task's state, progress or queue position changed.
    Update,
    /// Bytes of a download arrived.
    Transfer,
    /// An operation on the task finished; see [`Event::result`].
    Done,
}

/// One event of an asynchronous operation, borrowed for the duration of the dispatch closure's call.
pub struct Event<'a> {
    task: *mut ffi::vg_task,
    raw: &'a ffi::vg_update,
}

impl<'a> Event<'a> {
    /// The task the event is about.
    pub fn task(&self) -> TaskKey {
        TaskKey(self.task as usize)
    }

    /// What happened.
    pub fn kind(&self) -> EventKind {
        match self.raw.kind {
            ffi::VG_EVENT_UPDATE => EventKind::Update,
            ffi::VG_EVENT_TRANSFER => EventKind::Transfer,
            _ => EventKind::Done,
        }
    }

    /// The values the event carries: state, progress, queue position, bytes, the task's error, its snapshot.
    pub fn progress(&self) -> Progress<'a> {
        Progress::new(self.raw)
    }

    /// For [`EventKind::Done`], the operation's result, as its blocking twin returns it; `None` for other kinds.
    pub fn result(&self) -> Option<Result<()>> {
        if self.kind() != EventKind::Done {
            return None;
        }
        if self.raw.code == ffi::VG_OK {
            return Some(Ok(()));
        }
        // SAFETY: the error is lent for the duration of the callback. (The task's id is not read here: the task
        // may be in use on its owner's thread while this one dispatches; its Task gives the id.)
        Some(Err(unsafe { Error::from_borrowed(self.raw.code, self.raw.error) }))
    }
}

impl std::fmt::Debug for Event<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Event").field("task", &self.task()).field("kind", &self.kind())
            .field("progress", &self.progress()).finish()
    }
}

impl Task {
    /// This task's key, as [`Event::task`] names it.
    pub fn key(&self) -> TaskKey {
        TaskKey(self.handle as usize)
    }

    /// Starts a wait (see [`Task::wait`]) and returns at once: Update events on every change, then one Done with
    /// the wait's result, delivered by [`Client::dispatch`] on the client that made the task.
    pub fn start_wait(&mut self, timeout: Option<Duration>) -> Result<()> {
        let mut error = ptr::null_mut();
        // SAFETY: our handle.
        let code = unsafe { ffi::vg_task_wait_async(self.handle, seconds(timeout), &mut error) };
        self.finish(code, error)
    }

    /// Starts a download of the succeeded task's video to `path` (see [`Task::download`]) and returns at once:
    /// Transfer events as bytes arrive, then one Done.
    pub fn start_download(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = c_path(path.as_ref())?;
        let mut error = ptr::null_mut();
        // SAFETY: our handle; the path is copied by the library.
        let code = unsafe { ffi::vg_task_download_async(self.handle, path.as_ptr(), &mut error) };
        self.finish(code, error)
    }
}

impl Client {
    /// Starts a submit and returns the task at once (id "" and state queued until the submit is answered); its
    /// Done event carries the submit's result. The request is validated here, before anything is queued.
    pub fn submit_async(&self, request_json: &str) -> Result<Task> {
        let request = c_string("the request", request_json)?;
        let mut out = ptr::null_mut();
        let mut error = ptr::null_mut();
        // SAFETY: valid string and out-parameters; out is ours on success.
        unsafe {
            Error::check(ffi::vg_client_submit_async(self.as_raw(), request.as_ptr(), &mut out, &mut error), error)?;
        }
        Ok(Task::from_raw(out))
    }

    /// A descriptor that is readable while the client has undispatched events (for `poll`/`epoll`, mio, tokio's
    /// `AsyncFd`). Owned by the client: do not read, write or close it; valid until the client is dropped.
    pub fn event_fd(&self) -> Result<RawFd> {
        let mut fd = -1;
        // SAFETY: fd is a valid out-parameter.
        let code = unsafe { ffi::vg_client_event_fd(self.as_raw(), &mut fd) };
        unsafe { Error::check(code, ptr::null_mut())? };
        Ok(fd)
    }

    /// Delivers the client's pending events to `on_event`, on this thread, in the order they happened, and
    /// returns how many it delivered. Waits up to `timeout` for the first event when none is pending (`None`:
    /// until one arrives; zero: not at all). The closure may return `()`, a `bool` or a `ControlFlow`: stopping
    /// on an Update or Transfer stops that task's operation (its Done then reports
    /// [`crate::Code::AbortedByCallback`]). A panic in it stops the operation of the event's task and resumes here
    /// once the dispatch has returned.
    pub fn dispatch<F, R>(&self, timeout: Option<Duration>, mut on_event: F) -> Result<usize>
    where
        F: FnMut(&Event<'_>) -> R,
        R: Verdict,
    {
        let mut bridge = Bridge::new(|task, update: &ffi::vg_update| on_event(&Event { task, raw: update }).stops());
        let (function, user_data) = bridge.as_c();
        let wait = match timeout {
            None => -1.0,
            Some(d) => d.as_secs_f64(),
        };
        let mut dispatched = 0usize;
        // SAFETY: the bridge outlives the call; callbacks run only inside it, on this thread.
        let code = unsafe { ffi::vg_client_dispatch_v2(self.as_raw(), wait, function, user_data, &mut dispatched) };
        bridge.resume_panic();
        // SAFETY: no vg_error out-parameter here.
        unsafe { Error::check(code, ptr::null_mut())? };
        Ok(dispatched)
    }
}
