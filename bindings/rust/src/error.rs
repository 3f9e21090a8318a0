//! [`Error`]: every failure the library reports, with its [`Code`], message, HTTP status, provider code and retry
//! hint (the fields of a `vg_error`).

use std::fmt;
use std::os::raw::c_int;
use std::time::Duration;

use crate::ffi;
use crate::text::borrowed;

/// `vg_code` without `VG_OK`: why an operation failed. Codes are only ever appended to the C API, so this enum is
/// `#[non_exhaustive]` and a code newer than the binding arrives as [`Code::Other`] with its number.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// A NULL or out-of-range argument, or a bad value in a configuration or request.
    InvalidArgument,
    /// A configuration, request or record is not valid JSON of the documented shape.
    InvalidJson,
    /// A field or operation this provider dialect does not support.
    Unsupported,
    /// NULL, freed, stale or wrong-kind handle (e.g. a [`crate::CancelHandle`] whose task was dropped).
    InvalidHandle,
    /// Refused for safety (plain http to a remote host, https-to-http redirect, ...).
    Insecure,
    /// The service rejected the credentials (HTTP 401), or no API key was available.
    Auth,
    /// The credentials lack permission (HTTP 403).
    Permission,
    /// Unknown task or resource.
    NotFound,
    /// The service refused the request as invalid (HTTP 400, 409, 422, ...).
    BadRequest,
    /// Too many requests (HTTP 429); see [`Error::retry_after`].
    RateLimited,
    /// Out of balance, credits or quota.
    Quota,
    /// The service refused the request, or ended the task, for its content.
    ContentPolicy,
    /// The service failed (HTTP 5xx) and retries did not help.
    Server,
    /// Connection refused, reset or lost; DNS failure.
    Network,
    /// A single request or download stalled past its timeout.
    Timeout,
    /// A wait's deadline passed; the task is still running on the service (wait again, or resume it later).
    Deadline,
    /// [`crate::Task::cancel`] or a [`crate::CancelHandle`] cancelled the task.
    Cancelled,
    /// A progress closure asked to stop, or panicked.
    AbortedByCallback,
    /// The task ended failed, cancelled or expired on the service; the message is the provider's reason.
    TaskFailed,
    /// The operation needs a succeeded task (e.g. a download before completion).
    NotReady,
    /// The service answered something that is not its documented protocol.
    Protocol,
    /// A response, file or download exceeds its size limit.
    TooLarge,
    /// A local file could not be read or written.
    Io,
    /// A submit may or may not have reached the service; it was not retried.
    UnknownOutcome,
    /// A bug in libvideogen (or in this binding).
    Internal,
    /// The task already has an operation in progress, or another download writes the same destination.
    Busy,
    /// Memory for a result could not be allocated.
    NoMemory,
    /// A code newer than this binding, with its number.
    Other(i32),
}

/// `(Code, vg_code)` for every code this binding names.
const CODES: [(Code, c_int); 27] = [
    (Code::InvalidArgument, ffi::VG_E_INVALID_ARGUMENT),
    (Code::InvalidJson, ffi::VG_E_INVALID_JSON),
    (Code::Unsupported, ffi::VG_E_UNSUPPORTED),
    (Code::InvalidHandle, ffi::VG_E_INVALID_HANDLE),
    (Code::Insecure, ffi::VG_E_INSECURE),
    (Code::Auth, ffi::VG_E_AUTH),
    (Code::Permission, ffi::VG_E_PERMISSION),
    (Code::NotFound, ffi::VG_E_NOT_FOUND),
    (Code::BadRequest, ffi::VG_E_BAD_REQUEST),
    (Code::RateLimited, ffi::VG_E_RATE_LIMITED),
    (Code::Quota, ffi::VG_E_QUOTA),
    (Code::ContentPolicy, ffi::VG_E_CONTENT_POLICY),
    (Code::Server, ffi::VG_E_SERVER),
    (Code::Network, ffi::VG_E_NETWORK),
    (Code::Timeout, ffi::VG_E_TIMEOUT),
    (Code::Deadline, ffi::VG_E_DEADLINE),
    (Code::Cancelled, ffi::VG_E_CANCELLED),
    (Code::AbortedByCallback, ffi::VG_E_ABORTED_BY_CALLBACK),
    (Code::TaskFailed, ffi::VG_E_TASK_FAILED),
    (Code::NotReady, ffi::VG_E_NOT_READY),
    (Code::Protocol, ffi::VG_E_PROTOCOL),
    (Code::TooLarge, ffi::VG_E_TOO_LARGE),
    (Code::Io, ffi::VG_E_IO),
    (Code::UnknownOutcome, ffi::VG_E_UNKNOWN_OUTCOME),
    (Code::Internal, ffi::VG_E_INTERNAL),
    (Code::Busy, ffi::VG_E_BUSY),
    (Code::NoMemory, ffi::VG_E_NOMEM),
];

impl Code {
    /// The code for a `vg_code` value other than `VG_OK` (an unknown value gives [`Code::Other`]).
    pub fn from_raw(raw: i32) -> Code {
        CODES.iter().find(|(_, value)| *value == raw).map_or(Code::Other(raw), |(code, _)| *code)
    }

    /// The `vg_code` value.
    pub fn raw(self) -> i32 {
        match self {
            Code::Other(raw) => raw,
            code => CODES.iter().find(|(c, _)| *c == code).map_or(ffi::VG_E_INTERNAL, |(_, value)| *value),
        }
    }

    /// The library's short static description (`vg_code_str`), e.g. "rate limited".
    pub fn description(self) -> &'static str {
        // SAFETY: vg_code_str returns static text for every value, never NULL.
        unsafe { crate::text::static_str(ffi::vg_code_str(self.raw())) }
    }

    /// True for the codes of a wait's end that the task itself caused: it ended unsuccessfully on the service.
    pub fn is_task_end(self) -> bool {
        matches!(self, Code::TaskFailed | Code::ContentPolicy)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// A failure reported by libvideogen: the `vg_error` of the call, copied into Rust.
///
/// [`Error::code`] says what kind of failure it is; the message names the cause and never contains the API key.
/// `Error` is `Send + Sync + 'static` and implements [`std::error::Error`], so it fits `Box<dyn Error>` and `?`.
#[derive(Clone, PartialEq)]
pub struct Error {
    code: Code,
    message: String,
    http_status: Option<u16>,
    provider_code: Option<String>,
    retry_after: Option<Duration>,
    task_id: Option<String>,
}

/// `Result<T, videogen::Error>`.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error made by the binding itself (e.g. a string with an interior NUL byte, refused before the C call).
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Error {
        Error { code, message: message.into(), http_status: None, provider_code: None, retry_after: None,
                task_id: None }
    }

    /// Copies a borrowed `vg_error` (which stays owned by the library). `fallback` is the code when `error` is NULL.
    ///
    /// # Safety
    /// `error` is NULL or a `vg_error` valid for the duration of the call.
    pub(crate) unsafe fn from_borrowed(fallback: c_int, error: *const ffi::vg_error) -> Error {
        if error.is_null() {
            return Error::new(Code::from_raw(fallback), Code::from_raw(fallback).description());
        }
        let code = Code::from_raw(ffi::vg_error_code(error));
        let mut message = borrowed(ffi::vg_error_message(error)).unwrap_or_default();
        if message.is_empty() {
            message = code.description().to_owned();
        }
        let status = ffi::vg_error_http_status(error);
        let retry = ffi::vg_error_retry_after(error);
        Error {
            code,
            message,
            http_status: u16::try_from(status).ok().filter(|s| *s > 0),
            provider_code: borrowed(ffi::vg_error_provider_code(error)),
            retry_after: (retry.is_finite() && retry >= 0.0).then(|| Duration::from_secs_f64(retry)),
            task_id: None,
        }
    }

    /// Turns a call's `(code, vg_error)` into a result, freeing the `vg_error` either way.
    ///
    /// # Safety
    /// `error` is NULL or a `vg_error` the caller owns (it is freed here).
    pub(crate) unsafe fn check(code: c_int, error: *mut ffi::vg_error) -> Result<()> {
        let result = if code == ffi::VG_OK { Ok(()) } else { Err(Error::from_borrowed(code, error)) };
        ffi::vg_error_free(error);
        result
    }

    /// Attaches the id of the task the error is about (when it has one).
    pub(crate) fn with_task_id(mut self, id: String) -> Error {
        if !id.is_empty() {
            self.task_id = Some(id);
        }
        self
    }

    /// What kind of failure this is.
    pub fn code(&self) -> Code {
        self.code
    }

    /// What went wrong, naming the cause (for a failed task, the provider's reason). Never contains the API key.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status of the answer that caused the error, or `None` for local and network errors.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// The provider's own error code (e.g. `"invalid_api_key"`, `"content_policy_violation"`), when it gave one.
    pub fn provider_code(&self) -> Option<&str> {
        self.provider_code.as_deref()
    }

    /// How long the service asked to wait before retrying (Retry-After and similar hints), when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The id of the task the error is about, when there is one.
    pub fn task_id(&self) -> Option<&str> {
        self.task_id.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(retry) = self.retry_after {
            write!(f, " (retry after {:.1} s)", retry.as_secs_f64())?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Error");
        s.field("code", &self.code).field("message", &self.message);
        if let Some(status) = self.http_status {
            s.field("http_status", &status);
        }
        if let Some(provider) = &self.provider_code {
            s.field("provider_code", provider);
        }
        if let Some(retry) = self.retry_after {
            s.field("retry_after", &retry);
        }
        if let Some(id) = &self.task_id {
            s.field("task_id", id);
        }
        s.finish()
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_unknown_codes_keep_their_number() {
        for raw in 1..=27 {
            let code = Code::from_raw(raw);
            assert!(!matches!(code, Code::Other(_)), "{raw} has a name");
            assert_eq!(code.raw(), raw);
        }
        assert_eq!(Code::from_raw(99), Code::Other(99));
        assert_eq!(Code::Other(99).raw(), 99);
        assert_eq!(Code::RateLimited.description(), "rate limited");
        assert_eq!(Code::from_raw(12345).description(), "unknown error code");
    }

    #[test]
    fn display_and_debug_carry_the_details() {
        let mut error = Error::new(Code::RateLimited, "slow down");
        error.http_status = Some(429);
        error.retry_after = Some(Duration::from_secs(30));
        error.provider_code = Some("rate_limit".into());
        assert_eq!(error.to_string(), "rate limited: slow down (retry after 30.0 s)");
        let debug = format!("{error:?}");
        assert!(debug.contains("RateLimited") && debug.contains("429") && debug.contains("rate_limit"), "{debug}");
        let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(error);
        assert!(boxed.to_string().starts_with("rate limited"));
    }
}
