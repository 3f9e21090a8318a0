//! [`Client`]: one provider configuration and its connections.

use std::fmt;
use std::path::Path;
use std::ptr;

use crate::config::Config;
use crate::error::{Code, Error, Result};
use crate::ffi;
use crate::progress::{Progress, Verdict};
use crate::task::Task;
use crate::text::{c_string, json_string, take};

/// A reference image given as bytes to [`Client::submit_images`] (a `vg_image`).
#[derive(Debug, Clone, Copy)]
pub struct Image<'a> {
    /// The request field it fills: "image", "images" (appended in order), "image_tail" or "input_reference".
    pub field: &'a str,
    /// The image's bytes (PNG, JPEG, WebP or GIF, told by its magic bytes), at most 20 MiB.
    pub data: &'a [u8],
    /// "image/png", ... or `None` to let the bytes say.
    pub mime_type: Option<&'a str>,
}

/// A client: one provider configuration (JSON, schema in the top-level README) and its connections.
///
/// Thread-safe, as the header says of `vg_client`: `Client` is `Send + Sync`, so share it with `Arc` or scoped
/// threads and submit from many threads at once. Dropping it frees the native client (and wipes its copy of the
/// API key once no task needs it); tasks it made stay usable. The configuration is never kept by the binding, so
/// an `"api_key"` given in it appears in no `Debug` output.
pub struct Client {
    handle: *mut ffi::vg_client,
}

// SAFETY: the header makes vg_client usable from any number of threads at once; Client only owns the handle.
unsafe impl Send for Client {}
// SAFETY: as above: every vg_client_* call is thread-safe.
unsafe impl Sync for Client {}

impl Client {
    /// Creates a client from a JSON configuration, e.g.
    /// `{"dialect": "openai", "base_url": "https://gw.example.com", "api_key_env": "GATEWAY_KEY"}`.
    /// Checked completely here (unknown keys, dialect, URL, a missing key); no network traffic. Also refuses a
    /// library whose ABI is not the one this binding was written for ([`Code::Unsupported`]).
    pub fn new(config_json: &str) -> Result<Client> {
        crate::check_library()?;
        let config = c_string("the configuration", config_json)?;
        let mut out = ptr::null_mut();
        let mut error = ptr::null_mut();
        // SAFETY: valid strings and out-parameters; out is ours on success.
        unsafe { Error::check(ffi::vg_client_create(config.as_ptr(), &mut out, &mut error), error)? };
        Ok(Client { handle: out })
    }

    /// Creates a client from a [`Config`] built field by field (the same checks as [`Client::new`]).
    pub fn with_config(config: &Config) -> Result<Client> {
        let mut json = config.to_json();
        let client = Client::new(&json);
        // SAFETY: zero bytes are valid UTF-8; the document may hold the key, wiped before it is freed.
        unsafe { json.as_bytes_mut() }.iter_mut().for_each(|b| unsafe { std::ptr::write_volatile(b, 0) });
        client
    }

    /// The raw handle, for calling the C API directly (it stays owned by this `Client`).
    pub fn as_raw(&self) -> *mut ffi::vg_client {
        self.handle
    }

    /// Submits a generation request (JSON), e.g. `{"model": "veo-3.1", "prompt": "a red fox in the snow"}`, and
    /// returns the task in its first reported state. Validated before any traffic; a submit is retried only when
    /// it provably did not reach the service ([`Code::UnknownOutcome`] otherwise: re-send with the same
    /// `"idempotency_key"`).
    pub fn submit(&self, request_json: &str) -> Result<Task> {
        let request = c_string("the request", request_json)?;
        self.new_task(|out, error| unsafe { ffi::vg_client_submit(self.handle, request.as_ptr(), out, error) })
    }

    /// [`Client::submit`] with reference images given as bytes.
    pub fn submit_images(&self, request_json: &str, images: &[Image<'_>]) -> Result<Task> {
        let request = c_string("the request", request_json)?;
        let mut strings = Vec::with_capacity(images.len() * 2);
        let mut raw = Vec::with_capacity(images.len());
        for image in images {
            let field = c_string("an image's field", image.field)?;
            let mime = image.mime_type.map(|m| c_string("an image's MIME type", m)).transpose()?;
            raw.push(ffi::vg_image {
                field: field.as_ptr(),
                data: image.data.as_ptr().cast(),
                size: image.data.len(),
                mime_type: mime.as_ref().map_or(ptr::null(), |m| m.as_ptr()),
            });
            strings.push(field);
            strings.extend(mime);
        }
        self.new_task(|out, error| unsafe {
            ffi::vg_client_submit_images(self.handle, request.as_ptr(), raw.as_ptr(), raw.len(), out, error)
        })
    }

    /// Re-creates a task from its record ([`Task::record`]), possibly made in another process, to go on polling or
    /// downloading it. The record's dialect and base URL must match this client's. No network traffic.
    pub fn resume(&self, record_json: &str) -> Result<Task> {
        let record = c_string("the record", record_json)?;
        self.new_task(|out, error| unsafe { ffi::vg_client_resume(self.handle, record.as_ptr(), out, error) })
    }

    /// A task known only by its id on this client's service (poll it to learn its state).
    pub fn retrieve(&self, task_id: &str) -> Result<Task> {
        self.resume(&format!(r#"{{"record_version": 1, "id": {}, "state": "queued"}}"#, json_string(task_id)))
    }

    /// The whole job: submit `request_json`, wait until the task ends (the client's "wait_timeout"), download the
    /// video to `path`. `on_progress` sees the wait's status updates, then the download's transfers. On failure the
    /// error names the task (`task_id`), which can be resumed by id.
    pub fn generate<F, R>(&self, request_json: &str, path: impl AsRef<Path>, mut on_progress: F) -> Result<Task>
    where
        F: FnMut(&Progress<'_>) -> R,
        R: Verdict,
    {
        let mut task = self.submit(request_json)?;
        task.wait_with_progress(None, &mut on_progress)?;
        task.download_with_progress(path, &mut on_progress)?;
        Ok(task)
    }

    /// One page of the videos the service keeps (`openai` dialect): `query_json` is
    /// `{"after": "...", "limit": 1-100, "order": "asc" | "desc"}` or `None`; the page is
    /// `{"data": [record, ...], "first_id", "last_id", "has_more"}` (JSON).
    pub fn list_tasks(&self, query_json: Option<&str>) -> Result<String> {
        let query = query_json.map(|q| c_string("the query", q)).transpose()?;
        let mut out = ptr::null_mut();
        let mut error = ptr::null_mut();
        // SAFETY: valid strings; out is ours on success.
        unsafe {
            let code = ffi::vg_client_list_tasks(self.handle, query.as_ref().map_or(ptr::null(), |q| q.as_ptr()),
                                                 &mut out, &mut error);
            Error::check(code, error)?;
            Ok(take(out))
        }
    }

    fn new_task(&self, call: impl FnOnce(*mut *mut ffi::vg_task, *mut *mut ffi::vg_error) -> ffi::vg_code)
        -> Result<Task> {
        let mut out = ptr::null_mut();
        let mut error = ptr::null_mut();
        let code = call(&mut out, &mut error);
        // SAFETY: error is the call's out-parameter, ours to free.
        unsafe { Error::check(code, error)? };
        if out.is_null() {
            return Err(Error::new(Code::Internal, "the library returned no task"));
        }
        Ok(Task::from_raw(out))
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // SAFETY: we own the handle.
        unsafe { ffi::vg_client_free(self.handle) }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").finish_non_exhaustive()
    }
}
