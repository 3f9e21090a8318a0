//! Webhooks: verify a provider's callback (`verify_webhook`) and apply it to the task it names
//! (`Client::apply_webhook`). README.md's "Webhooks" documents the verifier document and the verdicts.

use std::ptr;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ffi;
use crate::text::{c_string, take};

/// The refusal reasons by `vg_webhook_verdict` value ("accepted" first).
const REASONS: [&str; 9] = ["accepted", "bad_signature", "timestamp_outside_tolerance", "malformed_header",
                            "unknown_key_id", "body_too_large", "unsigned", "no_key", "unreadable_payload"];

/// What the library concluded about one callback. A refusal is a verdict, not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookVerdict {
    /// True when the callback verified (or, scheme `unsigned` with `accept_unsigned`, was taken as a hint).
    pub accepted: bool,
    /// `"accepted"` or the refusal's reason (`bad_signature`, `timestamp_outside_tolerance`, ...).
    pub reason: &'static str,
    /// The library's result document (JSON): for an applied callback `kind`, `task_id`, `state`, `waits`, ...;
    /// for a refusal `verdict` and `message`.
    pub result_json: String,
}

fn call(client: Option<&Client>, verifier_json: &str, method: &str, target: &str, headers: &str, body: &[u8])
    -> Result<WebhookVerdict> {
    let verifier = c_string("the verifier", verifier_json)?;
    let method = c_string("the method", method)?;
    let target = c_string("the target", target)?;
    let headers = c_string("the headers", headers)?;
    let mut verdict: ffi::vg_webhook_verdict = -1;
    let mut result = ptr::null_mut();
    let mut error = ptr::null_mut();
    // SAFETY: valid NUL-terminated strings and a body slice that outlive the call; result and error are the call's
    // out-parameters, ours to free.
    let result_json = unsafe {
        let code = match client {
            None => ffi::vg_webhook_verify(verifier.as_ptr(), method.as_ptr(), target.as_ptr(), headers.as_ptr(),
                                           body.as_ptr(), body.len(), &mut verdict, &mut result, &mut error),
            Some(client) => ffi::vg_client_webhook_apply(client.as_raw(), verifier.as_ptr(), method.as_ptr(),
                                                         target.as_ptr(), headers.as_ptr(), body.as_ptr(), body.len(),
                                                         &mut verdict, &mut result, &mut error),
        };
        Error::check(code, error)?;
        take(result)
    };
    let reason = usize::try_from(verdict).ok().and_then(|v| REASONS.get(v)).copied().unwrap_or("unknown");
    Ok(WebhookVerdict { accepted: verdict == ffi::VG_WEBHOOK_ACCEPTED, reason, result_json })
}

/// Verifies one callback without a client (`vg_webhook_verify`): `headers` is the raw header block
/// (`Name: value` lines), `body` the raw body exactly as received.
pub fn verify_webhook(verifier_json: &str, method: &str, target: &str, headers: &str, body: &[u8])
    -> Result<WebhookVerdict> {
    call(None, verifier_json, method, target, headers, body)
}

impl Client {
    /// Verifies one callback and applies it to the task it names (`vg_client_webhook_apply`): this client's waits
    /// on that task take it as an update and end when it says the task ended. Callable from any thread.
    pub fn apply_webhook(&self, verifier_json: &str, method: &str, target: &str, headers: &str, body: &[u8])
        -> Result<WebhookVerdict> {
        call(Some(self), verifier_json, method, target, headers, body)
    }
}
