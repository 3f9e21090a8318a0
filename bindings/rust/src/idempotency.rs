//! [`idempotency_key`]: the Idempotency-Key of a submit derived from your own job id.

use std::ptr;

use crate::error::{Error, Result};
use crate::ffi;
use crate::text::{c_string, take};

/// The Idempotency-Key derived from `job_id` and `scope` (`vg_idempotency_key`): the same in every process, on
/// every machine and in every version of the library. Give it as the request's `"idempotency_key"` and a job re-run
/// after a crash, or after [`crate::Code::UnknownOutcome`], re-sends the key of its first attempt. `scope` is "" for
/// none, else a batch, tenant or revision name (the same job id in another scope is another task). A version-8 UUID
/// (36 characters); [`crate::Code::InvalidArgument`] for an empty job id or a text over 4096 bytes. No traffic.
pub fn idempotency_key(job_id: &str, scope: &str) -> Result<String> {
    crate::check_library()?;
    let job = c_string("the job id", job_id)?;
    let scope = c_string("the scope", scope)?;
    let mut out = ptr::null_mut();
    let mut error = ptr::null_mut();
    // SAFETY: valid strings and out-parameters; out is ours on success.
    unsafe {
        Error::check(ffi::vg_idempotency_key(job.as_ptr(), scope.as_ptr(), &mut out, &mut error), error)?;
        Ok(take(out))
    }
}
