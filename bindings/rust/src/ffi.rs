//! The C declarations of `include/videogen.h`, written by hand.
//!
//! Every type, constant and function here mirrors the header one for one (same names, same parameter names), so
//! the header's documentation applies unchanged. The macros below also record each declaration as data
//! ([`ENUMS`], [`CALLBACKS`], [`STRUCTS`], [`FUNCTIONS`]); `tests/header_matches.rs` parses the header, compiles a
//! probe of its layouts with the C compiler, and compares both with these records, so the two cannot drift.
//!
//! Everything here is `unsafe` to call; the safe API is [`crate::Client`] and [`crate::Task`].
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_double, c_int, c_uint, c_void};

/// One C enum as recorded by [`ENUMS`]: its name and its enumerators with their values.
#[derive(Debug)]
pub struct EnumRecord {
    /// The typedef's name (`vg_code`, ...).
    pub name: &'static str,
    /// `(enumerator, value)` in declaration order.
    pub values: &'static [(&'static str, c_int)],
}

/// One C function or callback type as recorded by [`FUNCTIONS`] / [`CALLBACKS`]: parameter names and Rust types as
/// written here (text, compared with the header's C types by the drift test).
#[derive(Debug)]
pub struct SignatureRecord {
    /// The function's or typedef's name.
    pub name: &'static str,
    /// `(parameter, Rust type)` in order.
    pub params: &'static [(&'static str, &'static str)],
    /// The Rust return type, "" for none (`void`).
    pub ret: &'static str,
}

/// One `#[repr(C)]` struct as recorded by [`STRUCTS`]: size, alignment and every field's offset and size.
#[derive(Debug)]
pub struct StructRecord {
    /// The struct's name.
    pub name: &'static str,
    /// `size_of` the Rust struct.
    pub size: usize,
    /// `align_of` the Rust struct.
    pub align: usize,
    /// `(field, Rust type, offset, size)` in declaration order.
    pub fields: &'static [(&'static str, &'static str, usize, usize)],
}

macro_rules! c_enums {
    ($( $(#[$m:meta])* $name:ident { $( $(#[$vm:meta])* $variant:ident = $value:expr ),* $(,)? } )*) => {
        $( $(#[$m])* pub type $name = c_int;
           $( $(#[$vm])* #[doc = concat!("`", stringify!($variant), "`, a value of `", stringify!($name),
                                         "` (documented in the header).")]
              pub const $variant: $name = $value; )* )*
        /// Every enum of the header, as declared here.
        pub const ENUMS: &[EnumRecord] = &[ $( EnumRecord {
            name: stringify!($name), values: &[ $( (stringify!($variant), $variant) ),* ] } ),* ];
    };
}

macro_rules! c_opaque {
    ($( $(#[$m:meta])* $name:ident; )*) => {
        $( $(#[$m])* #[repr(C)] pub struct $name { _private: [u8; 0], _not_send: std::marker::PhantomData<*mut u8> } )*
        /// The opaque handle types of the header.
        pub const OPAQUE: &[&str] = &[ $( stringify!($name) ),* ];
    };
}

macro_rules! c_callbacks {
    ($( $(#[$m:meta])* $name:ident = fn($( $arg:ident: $ty:ty ),* $(,)?) -> $ret:ty; )*) => {
        $( $(#[$m])* pub type $name = Option<unsafe extern "C" fn($( $arg: $ty ),*) -> $ret>; )*
        /// Every callback typedef of the header, as declared here.
        pub const CALLBACKS: &[SignatureRecord] = &[ $( SignatureRecord { name: stringify!($name),
            params: &[ $( (stringify!($arg), stringify!($ty)) ),* ], ret: stringify!($ret) } ),* ];
    };
}

macro_rules! c_structs {
    ($( $(#[$m:meta])* $name:ident { $( $(#[$fm:meta])* $field:ident: $ty:ty ),* $(,)? } )*) => {
        $( $(#[$m])* #[repr(C)] #[derive(Debug, Clone, Copy)] pub struct $name { $( $(#[$fm])* pub $field: $ty ),* } )*
        /// Every struct of the header with its layout, as declared here.
        pub const STRUCTS: &[StructRecord] = &[ $( StructRecord {
            name: stringify!($name), size: std::mem::size_of::<$name>(), align: std::mem::align_of::<$name>(),
            fields: &[ $( (stringify!($field), stringify!($ty), std::mem::offset_of!($name, $field),
                           std::mem::size_of::<$ty>()) ),* ] } ),* ];
    };
}

macro_rules! c_functions {
    ($( $(#[$m:meta])* fn $name:ident($( $arg:ident: $ty:ty ),* $(,)?) $(-> $ret:ty)?; )*) => {
        extern "C" { $( $(#[$m])* pub fn $name($( $arg: $ty ),*) $(-> $ret)?; )* }
        /// Every function of the header, as declared here.
        pub const FUNCTIONS: &[SignatureRecord] = &[ $( SignatureRecord { name: stringify!($name),
            params: &[ $( (stringify!($arg), stringify!($ty)) ),* ], ret: concat!("" $(, stringify!($ret))?) } ),* ];
    };
}

/// `VG_VERSION_MAJOR`.
pub const VG_VERSION_MAJOR: c_uint = 0;
/// `VG_VERSION_MINOR`.
pub const VG_VERSION_MINOR: c_uint = 4;
/// `VG_VERSION_PATCH`.
pub const VG_VERSION_PATCH: c_uint = 0;
/// `VG_VERSION_NUM`: the header version this binding was written against.
pub const VG_VERSION_NUM: c_uint = (VG_VERSION_MAJOR << 16) | (VG_VERSION_MINOR << 8) | VG_VERSION_PATCH;
/// `VG_VERSION_STRING`.
pub const VG_VERSION_STRING: &str = "0.4.0";
/// `VG_ABI_VERSION`: the library must report this from `vg_abi_version()`.
pub const VG_ABI_VERSION: c_uint = 1;

c_enums! {
    /// `vg_code`: the result of every fallible call (values only ever appended).
    vg_code {
        VG_OK = 0, VG_E_INVALID_ARGUMENT = 1, VG_E_INVALID_JSON = 2, VG_E_UNSUPPORTED = 3, VG_E_INVALID_HANDLE = 4,
        VG_E_INSECURE = 5, VG_E_AUTH = 6, VG_E_PERMISSION = 7, VG_E_NOT_FOUND = 8, VG_E_BAD_REQUEST = 9,
        VG_E_RATE_LIMITED = 10, VG_E_QUOTA = 11, VG_E_CONTENT_POLICY = 12, VG_E_SERVER = 13, VG_E_NETWORK = 14,
        VG_E_TIMEOUT = 15, VG_E_DEADLINE = 16, VG_E_CANCELLED = 17, VG_E_ABORTED_BY_CALLBACK = 18,
        VG_E_TASK_FAILED = 19, VG_E_NOT_READY = 20, VG_E_PROTOCOL = 21, VG_E_TOO_LARGE = 22, VG_E_IO = 23,
        VG_E_UNKNOWN_OUTCOME = 24, VG_E_INTERNAL = 25, VG_E_BUSY = 26, VG_E_NOMEM = 27,
    }
    /// `vg_state`: the one task-state vocabulary.
    vg_state {
        VG_STATE_QUEUED = 0, VG_STATE_RUNNING = 1, VG_STATE_SUCCEEDED = 2, VG_STATE_FAILED = 3,
        VG_STATE_CANCELLED = 4, VG_STATE_EXPIRED = 5,
    }
    /// `vg_cancel_flags`: flags of `vg_task_cancel`.
    vg_cancel_flags { VG_CANCEL_LOCAL = 0, VG_CANCEL_REMOTE = 1 }
    /// `vg_event_kind`: what an event or update reports.
    vg_event_kind { VG_EVENT_UPDATE = 1, VG_EVENT_TRANSFER = 2, VG_EVENT_DONE = 3 }
    /// `vg_webhook_verdict`: what `vg_webhook_verify` / `vg_client_webhook_apply` concluded.
    vg_webhook_verdict {
        VG_WEBHOOK_ACCEPTED = 0, VG_WEBHOOK_BAD_SIGNATURE = 1, VG_WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE = 2,
        VG_WEBHOOK_MALFORMED_HEADER = 3, VG_WEBHOOK_UNKNOWN_KEY_ID = 4, VG_WEBHOOK_BODY_TOO_LARGE = 5,
        VG_WEBHOOK_UNSIGNED = 6, VG_WEBHOOK_NO_KEY = 7, VG_WEBHOOK_UNREADABLE_PAYLOAD = 8,
    }
}

c_opaque! {
    /// `vg_client`: a client (thread-safe).
    vg_client;
    /// `vg_task`: one generation task (one thread at a time, except `vg_task_cancel`).
    vg_task;
    /// `vg_error`: details of one failure.
    vg_error;
}

c_structs! {
    /// `vg_update`: one update of an operation with the values it changed (since 0.3.0; grows at the end only).
    vg_update {
        /// sizeof(vg_update) in the library that filled it: read a member only when it lies within.
        size: usize,
        /// UPDATE, TRANSFER or DONE.
        kind: vg_event_kind,
        /// DONE: the operation's result; else VG_OK.
        code: vg_code,
        /// DONE that failed: the operation's error (borrowed); else NULL.
        error: *const vg_error,
        /// The task's state after this update.
        state: vg_state,
        /// Progress 0-100, or -1 when unknown.
        progress: c_int,
        /// Queue position (0 = next), or -1 when unknown.
        queue_position: c_int,
        /// Bytes written by the current or last download.
        bytes_received: u64,
        /// The download's announced size, or -1.
        bytes_total: i64,
        /// Why the task ended unsuccessfully (borrowed), or NULL.
        task_error: *const vg_error,
        /// UPDATE and DONE: the task's snapshot (borrowed); NULL for TRANSFER.
        snapshot_json: *const c_char,
    }
    /// `vg_image`: a reference image given as bytes to `vg_client_submit_images` (frozen for ABI 1).
    vg_image {
        /// The request field the image fills: "image", "images", "image_tail" or "input_reference".
        field: *const c_char,
        /// The image's bytes (copied by the library).
        data: *const c_void,
        /// Their length, at most 20 MiB.
        size: usize,
        /// "image/png", ... or NULL.
        mime_type: *const c_char,
    }
}

c_callbacks! {
    /// `vg_progress_fn`: progress callback of `vg_task_wait`.
    vg_progress_fn = fn(task: *mut vg_task, user_data: *mut c_void) -> c_int;
    /// `vg_transfer_fn`: byte-progress callback of `vg_task_download`.
    vg_transfer_fn = fn(task: *mut vg_task, received: u64, total: i64, user_data: *mut c_void) -> c_int;
    /// `vg_event_fn`: event callback of `vg_client_dispatch`.
    vg_event_fn = fn(task: *mut vg_task, kind: vg_event_kind, code: vg_code, error: *const vg_error,
                     user_data: *mut c_void) -> c_int;
    /// `vg_update_fn`: update callback of the `*_v2` calls (since 0.3.0).
    vg_update_fn = fn(task: *mut vg_task, update: *const vg_update, user_data: *mut c_void) -> c_int;
}

c_functions! {
    /// `vg_version_number`: The library's version as (MAJOR << 16) | (MINOR << 8) | PATCH.
    fn vg_version_number() -> c_uint;
    /// `vg_version_string`: The library's version as static text.
    fn vg_version_string() -> *const c_char;
    /// `vg_abi_version`: The library's ABI number (must equal VG_ABI_VERSION).
    fn vg_abi_version() -> c_uint;
    /// `vg_code_str`: A short static description of a code.
    fn vg_code_str(code: vg_code) -> *const c_char;
    /// `vg_state_str`: The state's name in the snapshot vocabulary.
    fn vg_state_str(state: vg_state) -> *const c_char;
    /// `vg_string_free`: Frees a string returned through a `char **` out-parameter; NULL is a no-op.
    fn vg_string_free(string: *mut c_char);
    /// `vg_idempotency_key`: The Idempotency-Key derived from a job id and scope (since 0.3.0).
    fn vg_idempotency_key(job_id: *const c_char, scope: *const c_char, out_key: *mut *mut c_char,
                          error: *mut *mut vg_error) -> vg_code;

    /// `vg_error_code`: The error's code.
    fn vg_error_code(error: *const vg_error) -> vg_code;
    /// `vg_error_message`: The error's message (valid until the error is freed; never NULL).
    fn vg_error_message(error: *const vg_error) -> *const c_char;
    /// `vg_error_http_status`: The HTTP status behind the error, or 0.
    fn vg_error_http_status(error: *const vg_error) -> c_int;
    /// `vg_error_provider_code`: The provider's own error code, or NULL.
    fn vg_error_provider_code(error: *const vg_error) -> *const c_char;
    /// `vg_error_retry_after`: Seconds the service asked to wait before retrying, or -1.
    fn vg_error_retry_after(error: *const vg_error) -> c_double;
    /// `vg_error_free`: Frees an error; NULL or an already-freed error is a no-op.
    fn vg_error_free(error: *mut vg_error);

    /// `vg_client_create`: Creates a client from a JSON configuration.
    fn vg_client_create(config_json: *const c_char, out: *mut *mut vg_client, error: *mut *mut vg_error) -> vg_code;
    /// `vg_client_free`: Frees a client; its tasks stay usable.
    fn vg_client_free(client: *mut vg_client);

    /// `vg_client_submit`: Submits a generation request (blocks for the round trip).
    fn vg_client_submit(client: *mut vg_client, request_json: *const c_char, out: *mut *mut vg_task,
                        error: *mut *mut vg_error) -> vg_code;
    /// `vg_client_submit_images`: vg_client_submit with reference images given as bytes.
    fn vg_client_submit_images(client: *mut vg_client, request_json: *const c_char, images: *const vg_image,
                               count: usize, out: *mut *mut vg_task, error: *mut *mut vg_error) -> vg_code;
    /// `vg_client_resume`: Re-creates a task from its record.
    fn vg_client_resume(client: *mut vg_client, record_json: *const c_char, out: *mut *mut vg_task,
                        error: *mut *mut vg_error) -> vg_code;
    /// `vg_task_poll`: Refreshes the task's status once.
    fn vg_task_poll(task: *mut vg_task, error: *mut *mut vg_error) -> vg_code;
    /// `vg_task_wait`: Polls until the task ends or the deadline passes (handle-only progress callback).
    fn vg_task_wait(task: *mut vg_task, timeout_seconds: c_double, on_progress: vg_progress_fn,
                    user_data: *mut c_void, error: *mut *mut vg_error) -> vg_code;
    /// `vg_task_download`: Downloads the succeeded task's video (handle-only byte callback).
    fn vg_task_download(task: *mut vg_task, path: *const c_char, on_progress: vg_transfer_fn,
                        user_data: *mut c_void, error: *mut *mut vg_error) -> vg_code;
    /// `vg_task_cancel`: Cancels the task; callable from any thread at any time.
    fn vg_task_cancel(task: *mut vg_task, flags: c_int, error: *mut *mut vg_error) -> vg_code;
    /// `vg_task_free`: Frees a task (cancelling a running operation first); NULL or freed is a no-op.
    fn vg_task_free(task: *mut vg_task);
    /// `vg_task_id`: The task's id (valid until the next call on the task).
    fn vg_task_id(task: *mut vg_task) -> *const c_char;
    /// `vg_task_state`: The task's state as last seen.
    fn vg_task_state(task: *mut vg_task) -> vg_state;
    /// `vg_task_progress`: The task's progress 0-100, or -1.
    fn vg_task_progress(task: *mut vg_task) -> c_int;
    /// `vg_task_queue_position`: The task's queue position, or -1.
    fn vg_task_queue_position(task: *mut vg_task) -> c_int;
    /// `vg_task_video_url`: The video's URL once succeeded, or NULL (valid until the next call on the task).
    fn vg_task_video_url(task: *mut vg_task) -> *const c_char;
    /// `vg_task_error_code`: The code of the task's failure, or VG_OK.
    fn vg_task_error_code(task: *mut vg_task) -> vg_code;
    /// `vg_task_error_message`: The provider's reason for the task's failure, or NULL.
    fn vg_task_error_message(task: *mut vg_task) -> *const c_char;
    /// `vg_task_snapshot_json`: The task's snapshot (its record) as a new JSON string.
    fn vg_task_snapshot_json(task: *mut vg_task, out: *mut *mut c_char) -> vg_code;
    /// `vg_task_bytes_received`: Bytes written by the current or last download.
    fn vg_task_bytes_received(task: *mut vg_task) -> u64;
    /// `vg_task_bytes_total`: The download's announced size, or -1.
    fn vg_task_bytes_total(task: *mut vg_task) -> i64;

    /// `vg_client_submit_async`: Starts a submit; the task exists at once, its DONE event carries the result.
    fn vg_client_submit_async(client: *mut vg_client, request_json: *const c_char, out: *mut *mut vg_task,
                              error: *mut *mut vg_error) -> vg_code;
    /// `vg_task_wait_async`: Starts a wait; its events are dispatched on the client.
    fn vg_task_wait_async(task: *mut vg_task, timeout_seconds: c_double, error: *mut *mut vg_error) -> vg_code;
    /// `vg_task_download_async`: Starts a download; its events are dispatched on the client.
    fn vg_task_download_async(task: *mut vg_task, path: *const c_char, error: *mut *mut vg_error) -> vg_code;
    /// `vg_client_event_fd`: A descriptor readable while the client has undispatched events.
    fn vg_client_event_fd(client: *mut vg_client, fd: *mut c_int) -> vg_code;
    /// `vg_client_dispatch`: Delivers the client's pending events to a vg_event_fn on this thread.
    fn vg_client_dispatch(client: *mut vg_client, timeout_seconds: c_double, on_event: vg_event_fn,
                          user_data: *mut c_void, dispatched: *mut usize) -> vg_code;

    /// `vg_client_list_tasks`: One page of the videos the service keeps (openai dialect).
    fn vg_client_list_tasks(client: *mut vg_client, query_json: *const c_char, out_page_json: *mut *mut c_char,
                            error: *mut *mut vg_error) -> vg_code;
    /// `vg_task_delete_remote`: Deletes the task's video on the service (openai dialect).
    fn vg_task_delete_remote(task: *mut vg_task, error: *mut *mut vg_error) -> vg_code;
    /// `vg_task_remix`: Remakes the finished video with a new prompt (openai dialect).
    fn vg_task_remix(task: *mut vg_task, remix_json: *const c_char, out: *mut *mut vg_task,
                     error: *mut *mut vg_error) -> vg_code;
    /// `vg_task_download_variant`: vg_task_download for the video, its thumbnail or its spritesheet.
    fn vg_task_download_variant(task: *mut vg_task, variant: *const c_char, path: *const c_char,
                                on_progress: vg_transfer_fn, user_data: *mut c_void,
                                error: *mut *mut vg_error) -> vg_code;

    /// `vg_task_poll_v2`: vg_task_poll reporting its result as a DONE update.
    fn vg_task_poll_v2(task: *mut vg_task, on_update: vg_update_fn, user_data: *mut c_void,
                       error: *mut *mut vg_error) -> vg_code;
    /// `vg_task_wait_v2`: vg_task_wait with updates carrying their values.
    fn vg_task_wait_v2(task: *mut vg_task, timeout_seconds: c_double, on_update: vg_update_fn,
                       user_data: *mut c_void, error: *mut *mut vg_error) -> vg_code;
    /// `vg_task_download_v2`: vg_task_download_variant with updates carrying their values.
    fn vg_task_download_v2(task: *mut vg_task, variant: *const c_char, path: *const c_char,
                           on_update: vg_update_fn, user_data: *mut c_void, error: *mut *mut vg_error) -> vg_code;
    /// `vg_client_dispatch_v2`: vg_client_dispatch delivering each event as a vg_update.
    fn vg_client_dispatch_v2(client: *mut vg_client, timeout_seconds: c_double, on_update: vg_update_fn,
                             user_data: *mut c_void, dispatched: *mut usize) -> vg_code;
    /// `vg_webhook_verify`: verifies one provider callback (no client).
    fn vg_webhook_verify(verifier_json: *const c_char, method: *const c_char, target: *const c_char,
                         headers: *const c_char, body: *const u8, body_len: usize, verdict: *mut vg_webhook_verdict,
                         result_json: *mut *mut c_char, error: *mut *mut vg_error) -> vg_code;
    /// `vg_client_webhook_apply`: verifies one callback and applies it to the task it names.
    fn vg_client_webhook_apply(client: *mut vg_client, verifier_json: *const c_char, method: *const c_char,
                               target: *const c_char, headers: *const c_char, body: *const u8, body_len: usize,
                               verdict: *mut vg_webhook_verdict, result_json: *mut *mut c_char,
                               error: *mut *mut vg_error) -> vg_code;
    /// `vg_task_download_output`: output `index` of a task that made several videos (since 0.4.0).
    fn vg_task_download_output(task: *mut vg_task, index: usize, path: *const c_char, on_update: vg_update_fn,
                               user_data: *mut c_void, error: *mut *mut vg_error) -> vg_code;
}
