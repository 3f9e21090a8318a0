//! Rust binding of libvideogen: submit a video-generation task to a provider, follow it with progress until it
//! ends, and download the video, through one request model, one task model and one error model.
//!
//! ```no_run
//! use videogen::{Client, State};
//!
//! fn main() -> Result<(), videogen::Error> {
//!     let client = Client::new(r#"{"provider": "applerouter", "dialect": "openai", "api_key_env": "APPLEROUTER_KEY"}"#)?;
//!     let mut task = client.submit(r#"{"model": "veo-3.1", "prompt": "a red fox in the snow"}"#)?;
//!     task.wait_with_progress(None, |p| println!("{} {:?}", p.state(), p.percent()))?;
//!     task.download("fox.mp4")?;
//!     assert_eq!(task.state(), State::Succeeded);
//!     Ok(())
//! }
//! ```
//!
//! The binding is thin over the C API (`include/videogen.h`, declared in [`ffi`]): configuration, requests and
//! records are the header's JSON documents, every failure is an [`Error`] copied from the call's `vg_error`, and
//! the thread rules are the header's, expressed as `Send`/`Sync`: [`Client`] is `Send + Sync`, [`Task`] is `Send`
//! (one thread at a time), [`CancelHandle`] is `Send + Sync` (cancel from anywhere). Progress closures run on the
//! thread that called the operation, never on a library thread, so they need not be `Send`.
#![warn(missing_docs)]

pub mod ffi;

mod callback;
mod cancel;
mod client;
mod config;
mod error;
mod events;
mod idempotency;
mod progress;
mod state;
mod task;
mod text;
mod webhook;

pub use cancel::CancelHandle;
pub use client::{Client, Image};
pub use config::Config;
pub use error::{Code, Error, Result};
pub use events::{Event, EventKind, TaskKey};
pub use idempotency::idempotency_key;
pub use progress::{Progress, ProgressKind, Verdict};
pub use state::State;
pub use task::{Task, Variant};
pub use webhook::{verify_webhook, WebhookVerdict};

/// The loaded library's version as text, e.g. "0.3.0".
pub fn version() -> &'static str {
    // SAFETY: static text, never NULL.
    unsafe { text::static_str(ffi::vg_version_string()) }
}

/// The loaded library's version as `(MAJOR << 16) | (MINOR << 8) | PATCH`.
pub fn version_number() -> u32 {
    // SAFETY: no arguments; never fails.
    unsafe { ffi::vg_version_number() }
}

/// Refuses a library this binding was not written for: another ABI, or older than the header it declares (the
/// update calls it uses came with 0.3.0).
pub fn check_library() -> Result<()> {
    // SAFETY: no arguments; never fail.
    let (abi, number) = unsafe { (ffi::vg_abi_version(), ffi::vg_version_number()) };
    if abi != ffi::VG_ABI_VERSION {
        return Err(Error::new(Code::Unsupported, format!(
            "libvideogen has ABI {abi} but this binding needs ABI {}: use the matching library", ffi::VG_ABI_VERSION)));
    }
    if number < ffi::VG_VERSION_NUM {
        return Err(Error::new(Code::Unsupported, format!(
            "libvideogen {} is older than {} which this binding needs", version(), ffi::VG_VERSION_STRING)));
    }
    Ok(())
}

/// The examples of `README.md`, compiled as doctests so that they stay true to the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeExamples;

#[cfg(test)]
mod thread_rules {
    //! The header's thread rules, checked at compile time.
    use super::*;

    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}

    /// Compiles only while `T` is not `Sync` (two impls become ambiguous when it is).
    trait NotSync<A> {
        fn check() {}
    }
    impl<T: ?Sized> NotSync<()> for T {}
    impl<T: ?Sized + Sync> NotSync<u8> for T {}

    #[test]
    fn client_and_cancel_handle_are_send_and_sync_task_is_send_only() {
        send_sync::<Client>();
        send_sync::<CancelHandle>();
        send_sync::<Error>();
        send::<Task>();
        <Task as NotSync<_>>::check();
    }

    #[test]
    fn the_linked_library_is_the_declared_abi() {
        check_library().unwrap();
        assert_eq!(version_number() >> 16, ffi::VG_VERSION_MAJOR);
        assert!(!version().is_empty());
    }
}
