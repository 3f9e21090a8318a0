/*
 * videogen.h: the C contract of libvideogen.
 *
 * libvideogen submits video-generation tasks to a provider, polls them until they end and downloads the result,
 * behind one request model, one task model and one error model, whatever the provider's dialect.
 *
 * Conventions (read once, they hold for every function below):
 *
 * - Names: functions are vg_<noun>_<verb>, constants VG_. Only vg_ symbols are exported.
 * - Handles (vg_client, vg_task, vg_error) are opaque. They are not pointers to memory: the library validates
 *   every handle it is given, so a NULL, freed, stale or wrong-kind handle yields VG_E_INVALID_HANDLE (or, for
 *   getters, the documented "empty" value) instead of undefined behaviour. Every *_free accepts NULL and a handle
 *   that was already freed, and does nothing then.
 * - Results: functions that can fail return a vg_code. VG_OK is 0; codes are only ever appended, never renumbered.
 *   Outputs go through out-parameters, which are set only on success (an out-handle is set to NULL on failure).
 * - Error details: functions that can fail take a last parameter `vg_error **error`. It may be NULL when the caller
 *   only wants the code. Otherwise *error is set to NULL on success and to a new vg_error on failure; the caller
 *   owns it and frees it with vg_error_free. There is no thread-local "last error".
 * - Strings: input strings are UTF-8, NUL-terminated, and copied; the caller keeps ownership. Input that is not
 *   valid UTF-8 is refused with VG_E_INVALID_ARGUMENT naming the argument (or the JSON field), never repaired with
 *   U+FFFD: a prompt, a model or a path is used exactly as given or not at all. Strings returned
 *   through a `char **` out-parameter belong to the caller and are freed with vg_string_free. `const char *`
 *   results of getters belong to the handle and stay valid until the next call that takes that handle, or until
 *   the handle is freed.
 * - JSON: configuration, requests and task snapshots cross the boundary as JSON documents (schemas in README.md).
 *   Unknown fields are refused by name, never silently dropped.
 * - Threads: a vg_client may be used from any number of threads at once. A vg_task may be used by one thread at a
 *   time, except vg_task_cancel, which any thread may call at any time. Callbacks run only on the thread that
 *   called the function they were passed to (vg_task_wait, vg_task_download, vg_client_dispatch, ...), never on a
 *   thread of the library's own; they must not call vg_task_free on the task they are reporting.
 * - Operations: every network call on a task (poll, wait, download, delete, remix) is the task's one operation, run
 *   by the library's event loop whether the call blocks or not: a blocking call starts it and drains its events on
 *   the calling thread until it is done; an asynchronous one leaves its events queued on the client for
 *   vg_client_dispatch. Both follow the same rules for results, callbacks that ask to stop, and vg_task_cancel.
 * - Memory: when a string for the caller cannot be allocated, a function that returns a vg_code returns VG_E_NOMEM,
 *   and a getter returns its empty value ("" for those that never return NULL, NULL for the others).
 * - Secrets: the API key is read once at vg_client_create, is sent only to the configured origin, and never appears
 *   in an error message, a snapshot, a record or a log line.
 */
#ifndef VIDEOGEN_H
#define VIDEOGEN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Major version: changes when the C ABI breaks. */
#define VG_VERSION_MAJOR 0
/** Minor version: changes when features are added compatibly. */
#define VG_VERSION_MINOR 4
/** Patch version: changes for fixes only. */
#define VG_VERSION_PATCH 0
/** The version as one number, (MAJOR << 16) | (MINOR << 8) | PATCH, comparable with vg_version_number(). */
#define VG_VERSION_NUM ((VG_VERSION_MAJOR << 16) | (VG_VERSION_MINOR << 8) | VG_VERSION_PATCH)
/** The version as text. */
#define VG_VERSION_STRING "0.4.0"
/**
 * ABI number of this header. A binding compares it with vg_abi_version() when it loads the library and refuses a
 * library whose number differs: the layout of a call (arguments, enums, callback types) may have changed.
 * ABI 1 only ever grows: 0.3.0 added the update callbacks (vg_update, vg_update_fn and the *_v2 calls) beside the
 * handle-only ones, which keep working unchanged, so the number stayed 1. A binding that needs the *_v2 calls
 * checks vg_version_number() >= 0x000300 (or looks the symbols up). 0.4.0 added vg_idempotency_key, the webhook
 * calls (vg_webhook_verify, vg_client_webhook_apply) and vg_task_download_output.
 */
#define VG_ABI_VERSION 1

/** Result of every fallible call. 0 is success; values are stable and only ever appended. */
typedef enum vg_code {
    VG_OK = 0,                  /**< Success. */
    VG_E_INVALID_ARGUMENT = 1,  /**< A NULL or out-of-range argument, or a bad value in a configuration or request. */
    VG_E_INVALID_JSON = 2,      /**< A configuration, request or record is not valid JSON of the documented shape. */
    VG_E_UNSUPPORTED = 3,       /**< A field or operation this provider dialect does not support (named in the message). */
    VG_E_INVALID_HANDLE = 4,    /**< NULL, freed, stale or wrong-kind handle. */
    VG_E_INSECURE = 5,          /**< Refused for safety: plain http to a remote host, https-to-http redirect, ... */
    VG_E_AUTH = 6,              /**< The service rejected the credentials (HTTP 401), or no API key was available. */
    VG_E_PERMISSION = 7,        /**< The credentials lack permission (HTTP 403). */
    VG_E_NOT_FOUND = 8,         /**< Unknown task or resource (HTTP 404, or a provider's "task does not exist"). */
    VG_E_BAD_REQUEST = 9,       /**< The service refused the request as invalid (HTTP 400, 409, 422, ...). */
    VG_E_RATE_LIMITED = 10,     /**< Too many requests (HTTP 429); vg_error_retry_after() tells when to retry. */
    VG_E_QUOTA = 11,            /**< Out of balance, credits or quota. */
    VG_E_CONTENT_POLICY = 12,   /**< The service refused the request for its content. */
    VG_E_SERVER = 13,           /**< The service failed (HTTP 5xx) and retries did not help. */
    VG_E_NETWORK = 14,          /**< Connection refused, reset or lost; DNS failure. */
    VG_E_TIMEOUT = 15,          /**< A single request or download stalled past its timeout. */
    VG_E_DEADLINE = 16,         /**< vg_task_wait's deadline passed; the task is still running on the service. */
    VG_E_CANCELLED = 17,        /**< vg_task_cancel was called on this task. */
    VG_E_ABORTED_BY_CALLBACK = 18, /**< A callback returned non-zero. */
    VG_E_TASK_FAILED = 19,      /**< The task ended failed, cancelled or expired on the service (reason in the error). */
    VG_E_NOT_READY = 20,        /**< The operation needs a succeeded task (e.g. download before completion). */
    VG_E_PROTOCOL = 21,         /**< The service answered something that is not its documented protocol. */
    VG_E_TOO_LARGE = 22,        /**< A response, file or download exceeds its size limit. */
    VG_E_IO = 23,               /**< A local file could not be read or written. */
    VG_E_UNKNOWN_OUTCOME = 24,  /**< A submit may or may not have reached the service; it was not retried. */
    VG_E_INTERNAL = 25,         /**< A bug in libvideogen; please report it. */
    VG_E_BUSY = 26,             /**< The task already has an operation in progress (see the asynchronous calls), or
                                     another download is writing the same destination (vg_task_download). */
    VG_E_NOMEM = 27             /**< Memory for a result (a string returned to the caller) could not be allocated. */
} vg_code;

/** The one task-state vocabulary, whatever the provider calls its states. */
typedef enum vg_state {
    VG_STATE_QUEUED = 0,    /**< Accepted, waiting to start. */
    VG_STATE_RUNNING = 1,   /**< Being generated. */
    VG_STATE_SUCCEEDED = 2, /**< Finished with a video. A "finished" task without a video is reported FAILED;
                                 in the openai dialect the video is the content route by contract, so a missing one
                                 shows only when vg_task_download returns VG_E_NOT_FOUND. */
    VG_STATE_FAILED = 3,    /**< Finished without a video. */
    VG_STATE_CANCELLED = 4, /**< Cancelled on the service. */
    VG_STATE_EXPIRED = 5    /**< The service says the task or its result expired. */
} vg_state;

/** Flags for vg_task_cancel. */
typedef enum vg_cancel_flags {
    VG_CANCEL_LOCAL = 0,  /**< Stop local work only; the service keeps generating (it can be resumed from a record). */
    VG_CANCEL_REMOTE = 1  /**< Also ask the service to cancel the generation, where the dialect supports it. */
} vg_cancel_flags;

/** A client: one provider configuration and its connections. Thread-safe. */
typedef struct vg_client vg_client;
/** One generation task on a provider, as last seen by this process. */
typedef struct vg_task vg_task;
/** Details of one failure: code, message, HTTP status, provider's code, retry hint. */
typedef struct vg_error vg_error;

/**
 * Progress callback of vg_task_wait: called on the waiting thread each time the task's state, progress or queue
 * position changes (and once at the start). Read the new values with the vg_task_* getters on `task`.
 * @param task       the task being waited on (valid for the duration of the call; do not free it here).
 * @param user_data  the pointer given to vg_task_wait.
 * @return 0 to go on waiting; non-zero to stop, and vg_task_wait returns VG_E_ABORTED_BY_CALLBACK.
 */
typedef int (*vg_progress_fn)(vg_task *task, void *user_data);

/**
 * Byte-progress callback of vg_task_download: called on the downloading thread as bytes arrive (coalesced, at most
 * a few dozen times a second) and once when the download completes.
 * @param task       the task whose video is being downloaded.
 * @param received   bytes of the file written so far.
 * @param total      the file's full size in bytes, or -1 when the server did not say.
 * @param user_data  the pointer given to vg_task_download.
 * @return 0 to go on; non-zero to stop, and vg_task_download returns VG_E_ABORTED_BY_CALLBACK (the destination
 *         is not written; a part file that can be continued stays, as for any failed download).
 */
typedef int (*vg_transfer_fn)(vg_task *task, uint64_t received, int64_t total, void *user_data);

/** What an event (vg_client_dispatch) or an update (vg_update_fn) reports. */
typedef enum vg_event_kind {
    VG_EVENT_UPDATE = 1,   /**< The task's state, progress or queue position changed (read them with the getters). */
    VG_EVENT_TRANSFER = 2, /**< Bytes of a download arrived (vg_task_bytes_received / vg_task_bytes_total). */
    VG_EVENT_DONE = 3      /**< An asynchronous operation on the task finished; its result is in `code`/`error`. */
} vg_event_kind;

/**
 * Event callback of vg_client_dispatch, called on the dispatching thread once per pending event.
 * @param task       the task the event is about (do not free it here).
 * @param kind       what happened.
 * @param code       for VG_EVENT_DONE, the operation's result (as the blocking call would have returned it);
 *                   VG_OK for the other kinds.
 * @param error      for a VG_EVENT_DONE that failed, the error details, valid only during the call (do not free);
 *                   NULL otherwise.
 * @param user_data  the pointer given to vg_client_dispatch.
 * @return 0 to go on; non-zero on an UPDATE or TRANSFER event stops that task's operation, whose DONE event then
 *         reports VG_E_ABORTED_BY_CALLBACK. The return value of a DONE event is ignored.
 */
typedef int (*vg_event_fn)(vg_task *task, vg_event_kind kind, vg_code code, const vg_error *error, void *user_data);

/**
 * One update of an operation on a task, with the values it changed (since 0.3.0): what vg_update_fn receives, so a
 * caller never has to read the task back to learn what an update said. The library fills it on the stack for the
 * duration of one callback; every pointer in it is borrowed and valid only during that call (copy what you keep;
 * never free or store them).
 *
 * Growth: members are only ever appended. `size` is the size of the struct as the library that filled it knows it;
 * a caller built against a newer header reads a member only when offsetof(vg_update, member) < update->size
 * (libgit2's versioned structs, curl's appended members). Layout frozen for ABI 1 up to `snapshot_json`.
 */
typedef struct vg_update {
    size_t size;                /**< sizeof(vg_update) in the library that filled it (see "Growth" above). */
    vg_event_kind kind;         /**< UPDATE (state, progress or queue position changed), TRANSFER (bytes of a
                                     download arrived) or DONE (the operation finished). */
    vg_code code;               /**< DONE: the operation's result, as the blocking call returns it; else VG_OK. */
    const vg_error *error;      /**< DONE that failed: the operation's error details (borrowed; do not free); else
                                     NULL. */
    vg_state state;             /**< The task's state after this update. */
    int progress;               /**< Its progress 0-100, or -1 when the service does not report it. */
    int queue_position;         /**< Its position in the service's queue (0 = next), or -1 when unknown. */
    uint64_t bytes_received;    /**< Bytes written by the current or last download of the task (0 before any). */
    int64_t bytes_total;        /**< The download's full size as announced, or -1 when unknown. */
    const vg_error *task_error; /**< Why the task ended unsuccessfully (the provider's reason, as
                                     vg_task_error_code/vg_task_error_message tell it; borrowed), or NULL while it
                                     has not. */
    const char *snapshot_json;  /**< UPDATE and DONE: the task's whole snapshot after this update (the document of
                                     vg_task_snapshot_json, borrowed); NULL for TRANSFER, whose news is the bytes. */
} vg_update;

/**
 * Update callback (since 0.3.0) of vg_task_wait_v2, vg_task_download_v2, vg_task_poll_v2 and
 * vg_client_dispatch_v2: called on the thread that called that function, with the values the update changed.
 * @param task       the task the update is about (valid for the duration of the call; do not free it here).
 * @param update     what changed (never NULL; valid only during the call).
 * @param user_data  the pointer given with the callback.
 * @return 0 to go on; non-zero on an UPDATE or TRANSFER stops the operation, which then ends with
 *         VG_E_ABORTED_BY_CALLBACK (a download's destination is not written). The return value of DONE is ignored.
 */
typedef int (*vg_update_fn)(vg_task *task, const vg_update *update, void *user_data);

/* ---------------------------------------------------------------------------------------------------------------
 * Versions, codes and strings
 * ------------------------------------------------------------------------------------------------------------- */

/**
 * The library's version as (MAJOR << 16) | (MINOR << 8) | PATCH, to compare with VG_VERSION_NUM.
 * Thread-safe; never fails.
 */
unsigned int vg_version_number(void);

/**
 * The library's version as static text, e.g. "0.2.0". Never NULL; do not free. Thread-safe.
 */
const char *vg_version_string(void);

/**
 * The library's ABI number; a caller built against this header requires it to equal VG_ABI_VERSION.
 * Thread-safe; never fails.
 */
unsigned int vg_abi_version(void);

/**
 * A short static description of a code, e.g. "rate limited". Unknown values give "unknown error code".
 * Never NULL; do not free. Thread-safe.
 */
const char *vg_code_str(vg_code code);

/**
 * The state's name in the snapshot vocabulary: "queued", "running", "succeeded", "failed", "cancelled", "expired";
 * unknown values give "unknown". Never NULL; do not free. Thread-safe.
 */
const char *vg_state_str(vg_state state);

/**
 * Frees a string the library returned through a `char **` out-parameter. NULL is a no-op. Thread-safe.
 */
void vg_string_free(char *string);

/**
 * The Idempotency-Key of a submit derived from your own job id (since 0.4.0): the same job id and scope give the
 * same key in every process, on every machine and in every version of the library. Give it as the request's
 * "idempotency_key" and a job re-run after a crash, or after VG_E_UNKNOWN_OUTCOME, re-sends the key of its first
 * attempt: a service that honours Idempotency-Key answers with the task it already made instead of a second one.
 * The key is a version-8 UUID built as RFC 9562's SHA-256 name-based example: the first 128 bits of
 * SHA-256(namespace 33ff1169-419f-45f2-9c2a-14dd7fcf6f7c, 16 bytes || scope || one zero byte || job_id), version
 * and variant bits set, 36 characters of lower-case hex and hyphens.
 * @param job_id   your job's id (required, UTF-8, 1 to 4096 bytes).
 * @param scope    NULL or "" for none; else a batch, tenant or revision name (UTF-8, at most 4096 bytes): the same
 *                 job id in another scope is another task, on purpose.
 * @param out_key  receives a new string, freed with vg_string_free; NULL on failure.
 * @param error    optional error details.
 * @return VG_OK; VG_E_INVALID_ARGUMENT (job_id NULL or empty, a text longer than 4096 bytes or not UTF-8, out_key
 *         NULL); VG_E_NOMEM. Thread-safe; no traffic.
 */
vg_code vg_idempotency_key(const char *job_id, const char *scope, char **out_key, vg_error **error);

/* ---------------------------------------------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------------------------------------------- */

/**
 * The error's code. An invalid handle gives VG_E_INVALID_HANDLE.
 */
vg_code vg_error_code(const vg_error *error);

/**
 * A human-readable message naming the cause (never containing the API key). Valid until the error is freed;
 * an invalid handle gives "". Never NULL.
 */
const char *vg_error_message(const vg_error *error);

/**
 * The HTTP status of the answer that caused the error, or 0 when none (local or network error).
 */
int vg_error_http_status(const vg_error *error);

/**
 * The provider's own error code (e.g. "invalid_api_key", "task_not_exist", "1302"), or NULL when none.
 * Valid until the error is freed.
 */
const char *vg_error_provider_code(const vg_error *error);

/**
 * Seconds the service asked to wait before retrying (Retry-After and similar hints), or -1 when unknown.
 */
double vg_error_retry_after(const vg_error *error);

/**
 * Frees an error. NULL or an already-freed error is a no-op. Thread-safe.
 */
void vg_error_free(vg_error *error);

/* ---------------------------------------------------------------------------------------------------------------
 * Clients
 * ------------------------------------------------------------------------------------------------------------- */

/**
 * Creates a client from a JSON configuration (schema in README.md), e.g.
 *   {"provider": "applerouter", "dialect": "openai", "api_key_env": "APPLEROUTER_KEY"}
 * or {"dialect": "openai", "base_url": "https://gw.example.com", "api_key_env": "GATEWAY_KEY"}
 * The configuration is checked completely here: unknown keys, an unknown dialect, a relative or non-http(s) base
 * URL, plain http to a host other than loopback (unless "allow_insecure_http" is true) and a missing key are
 * refused. No network traffic happens here.
 * @param config_json  the configuration (copied).
 * @param out          receives the new client; set to NULL on failure. Free it with vg_client_free.
 * @param error        optional error details (see the conventions above).
 * @return VG_OK, VG_E_INVALID_ARGUMENT, VG_E_INVALID_JSON, VG_E_UNSUPPORTED, VG_E_INSECURE or VG_E_AUTH.
 * Thread-safe.
 */
vg_code vg_client_create(const char *config_json, vg_client **out, vg_error **error);

/**
 * Frees a client and wipes its copy of the API key once no task needs it. Tasks created by the client stay
 * usable until they are freed. Events of asynchronous operations can no longer be dispatched: pending ones are
 * dropped, and so are those of operations still running, which end unseen (their task is VG_E_BUSY until then).
 * NULL or an already-freed client is a no-op. Thread-safe.
 */
void vg_client_free(vg_client *client);

/* ---------------------------------------------------------------------------------------------------------------
 * Tasks
 * ------------------------------------------------------------------------------------------------------------- */

/**
 * Submits a generation request (JSON, schema in README.md), e.g.
 *   {"model": "veo-3.1", "prompt": "a red fox in the snow", "duration": 8, "aspect_ratio": "16:9"}
 * The request is validated before any network traffic: unknown fields, wrong types, a missing model or prompt, and
 * fields the client's dialect does not support are refused by name. Blocks for the submit round trip (with the
 * client's retry rules: a submit is retried only when it provably did not reach the service).
 * @param client        the client.
 * @param request_json  the request (copied).
 * @param out           receives the new task, in its first reported state; set to NULL on failure.
 * @param error         optional error details.
 * @return VG_OK or an error code; VG_E_UNKNOWN_OUTCOME when the request may have reached the service. To re-send
 *         such a submit without risking a duplicate task on services that honour Idempotency-Key, give the request
 *         an "idempotency_key" of your own and send the same request again with the same key (the same request
 *         always encodes to the same bytes, so services that check the body per key accept the copy). The record
 *         of a task started with vg_client_submit_async (vg_task_snapshot_json) carries the key it was sent with.
 * Thread-safe (any number of submits at once on one client).
 */
vg_code vg_client_submit(vg_client *client, const char *request_json, vg_task **out, vg_error **error);

/**
 * A reference image given as bytes to vg_client_submit_images. This layout is frozen for ABI version 1.
 */
typedef struct vg_image {
    const char *field;     /**< the request field it fills: "image", "images" (appended in order), "image_tail" or
                                "input_reference" */
    const void *data;      /**< the image's bytes (copied); PNG, JPEG, WebP or GIF, decided by its magic bytes */
    size_t size;           /**< their length, at most 20 MiB */
    const char *mime_type; /**< "image/png", ... or NULL; when given it must be an image/ type */
} vg_image;

/**
 * vg_client_submit with reference images given as bytes instead of URLs or paths in the JSON. Each image is
 * checked (size, magic bytes) before anything is sent, and each dialect gets the form it takes (multipart upload,
 * data URI, bare base64); a dialect that takes only URLs refuses bytes by name (VG_E_UNSUPPORTED).
 * @param client        the client.
 * @param request_json  the request (copied); it must not also set a single-image field given here.
 * @param images        `count` images (copied); may be NULL when `count` is 0.
 * @param count         how many images.
 * @param out           receives the new task; set to NULL on failure.
 * @param error         optional error details.
 * @return as vg_client_submit; VG_E_INVALID_ARGUMENT for a bad vg_image (NULL data, unknown field, a field given
 *         twice), VG_E_TOO_LARGE above 20 MiB. Thread-safe.
 */
vg_code vg_client_submit_images(vg_client *client, const char *request_json, const vg_image *images, size_t count,
                                vg_task **out, vg_error **error);

/**
 * Re-creates a task from a record made by vg_task_snapshot_json (possibly in another process), to go on polling or
 * downloading it. The record holds no secret; the client supplies the key. The record's dialect and base URL must
 * match the client's (so a record can never send the key to another host); a record that leaves them out takes the
 * client's, so {"record_version": 1, "id": "...", "state": "queued"} finds a task by its id. No network traffic
 * happens here.
 * @param client       the client.
 * @param record_json  a snapshot document (copied).
 * @param out          receives the task; set to NULL on failure.
 * @param error        optional error details.
 * @return VG_OK, VG_E_INVALID_JSON, VG_E_INVALID_ARGUMENT or VG_E_INVALID_HANDLE. Thread-safe.
 */
vg_code vg_client_resume(vg_client *client, const char *record_json, vg_task **out, vg_error **error);

/**
 * Refreshes the task's status once, now (retrying transient failures within the client's request timeout).
 * @param task   the task.
 * @param error  optional error details.
 * @return VG_OK when the status was read (whatever the state: check vg_task_state), else an error code.
 */
vg_code vg_task_poll(vg_task *task, vg_error **error);

/**
 * Polls the task on the client's schedule until it ends or the deadline passes. Server hints (Retry-After,
 * openai-poll-after-ms) override the schedule; failed polls are retried with backoff and never fail the task
 * before the deadline (except errors that cannot heal: auth, permission, not found).
 * @param task             the task.
 * @param timeout_seconds  the deadline from now; <= 0 uses the client's "wait_timeout".
 * @param on_progress      optional; called on this thread at the start and on every change of state, progress or
 *                         queue position.
 * @param user_data        passed to on_progress.
 * @param error            optional error details.
 * @return VG_OK when the task succeeded; VG_E_TASK_FAILED (or a more specific code such as VG_E_CONTENT_POLICY
 *         when the provider says so) when it ended otherwise, with the provider's reason in the error;
 *         VG_E_DEADLINE, VG_E_CANCELLED, VG_E_ABORTED_BY_CALLBACK, or the error that stopped polling.
 */
vg_code vg_task_wait(vg_task *task, double timeout_seconds, vg_progress_fn on_progress, void *user_data,
                     vg_error **error);

/**
 * Downloads the succeeded task's video to `path`, streaming to "<path>.part" in the same directory (never holding
 * the video in memory), checking its length, computing its SHA-256 (reported in the snapshot), then syncing and
 * renaming it into place: `path` never holds a partial file. The API key is sent only when the video is on the
 * configured origin. A "<path>.part" that a killed process left for the same task (noted in "<path>.part.resume")
 * is continued: its bytes are hashed again and only the rest is fetched (Range + If-Range). A download that fails
 * or is cancelled leaves "<path>.part" and "<path>.part.resume" in place when they can be continued (the part holds
 * bytes and the server gave an ETag or Last-Modified), for the next download of the same task to the same path, in
 * this process or another; otherwise (no validator, nothing received, bytes over the size limit, a failed write or
 * sync) it removes them. A caller that gives up on a destination deletes both files. Two downloads to the same path
 * never run at once: while one (in this process or another) holds "<path>.part", another fails at once with
 * VG_E_BUSY and leaves that file alone. "<path>.part", "<path>.part.resume" and "<path>.part.resume.tmp" are never
 * opened through a symbolic link: an existing link (planted in a shared directory) fails with VG_E_IO naming it and
 * its target is not touched; a part file that is not a regular file of the calling user with one link is refused
 * the same way.
 * @param task         a task in state VG_STATE_SUCCEEDED (else VG_E_NOT_READY).
 * @param path         the destination file: absent, a regular file (replaced) or a symbolic link (the link is
 *                     replaced, not its target); a directory, FIFO, device or socket is refused with VG_E_IO. UTF-8
 *                     (other bytes: VG_E_INVALID_ARGUMENT).
 * @param on_progress  optional byte-progress callback, called on this thread.
 * @param user_data    passed to on_progress.
 * @param error        optional error details.
 * @return VG_OK, or an error code (VG_E_IO for local file errors, VG_E_BUSY while another download writes `path`).
 */
vg_code vg_task_download(vg_task *task, const char *path, vg_transfer_fn on_progress, void *user_data,
                         vg_error **error);

/**
 * Cancels the task: any vg_task_poll, vg_task_wait or vg_task_download in progress on it returns VG_E_CANCELLED
 * promptly, no callback for it runs once this function has returned (unless called from inside that callback), and
 * later network calls on the task return VG_E_CANCELLED. Getters and vg_task_snapshot_json still work, so the task
 * can be resumed later from its record. Callable from any thread, at any time, any number of times.
 * @param task   the task.
 * @param flags  VG_CANCEL_LOCAL, or VG_CANCEL_REMOTE to also cancel the generation on the service.
 * @param error  optional error details.
 * @return VG_OK; VG_E_UNSUPPORTED when VG_CANCEL_REMOTE was asked and the dialect has no cancel operation (local
 *         cancellation still happened); or the error of the remote cancel request.
 */
vg_code vg_task_cancel(vg_task *task, int flags, vg_error **error);

/**
 * Frees a task. If an operation is still running on it in another thread, that operation is cancelled first.
 * NULL or an already-freed task is a no-op.
 */
void vg_task_free(vg_task *task);

/**
 * The task's id on the provider. Valid until the next call on the task; "" for an invalid handle. Never NULL.
 */
const char *vg_task_id(vg_task *task);

/**
 * The task's state as last seen. VG_STATE_FAILED for an invalid handle.
 */
vg_state vg_task_state(vg_task *task);

/**
 * The task's progress as last seen, 0 to 100, or -1 when the service does not report it (never invented).
 */
int vg_task_progress(vg_task *task);

/**
 * The task's position in the service's queue as last seen (0 = next), or -1 when unknown.
 */
int vg_task_queue_position(vg_task *task);

/**
 * The URL the video will be downloaded from, once succeeded; NULL before that or when unknown. Signed URLs carry
 * secrets of their own: treat it as sensitive. Valid until the next call on the task.
 */
const char *vg_task_video_url(vg_task *task);

/**
 * The code of the task's failure once it ended unsuccessfully (VG_E_TASK_FAILED, or a more specific code such as
 * VG_E_CONTENT_POLICY when the provider says so), else VG_OK.
 */
vg_code vg_task_error_code(vg_task *task);

/**
 * The reason the task failed as the provider gave it, or NULL. Valid until the next call on the task.
 */
const char *vg_task_error_message(vg_task *task);

/**
 * The whole task snapshot as JSON (schema in README.md): id, dialect, base URL, state, progress, queue position,
 * video URL, error, timestamps, and the last download's path, size and SHA-256. It is also the record that
 * vg_client_resume accepts. It contains no secret.
 * @param task  the task.
 * @param out   receives a new string; free it with vg_string_free.
 * @return VG_OK, VG_E_INVALID_HANDLE, VG_E_INVALID_ARGUMENT (out is NULL) or VG_E_NOMEM.
 */
vg_code vg_task_snapshot_json(vg_task *task, char **out);

/**
 * Bytes of the video written by the current or last download of this task, as last seen (0 before any).
 */
uint64_t vg_task_bytes_received(vg_task *task);

/**
 * The video's full size as announced by the server during the current or last download, or -1 when unknown.
 */
int64_t vg_task_bytes_total(vg_task *task);

/* ---------------------------------------------------------------------------------------------------------------
 * Asynchronous operations and event dispatch (for event loops and many tasks per thread)
 *
 * The *_async calls start an operation and return at once; the operation runs on the library's own loop threads
 * (a waiting task is one timer there: no thread per task), and everything it reports is queued on its client as events. The caller collects
 * them with vg_client_dispatch (or vg_client_dispatch_v2, whose callback gets each event's values as a vg_update),
 * on a thread of its choosing: callbacks still never run on a library thread. It is the same operation a blocking
 * call runs; only who drains its events differs. An
 * event loop can watch vg_client_event_fd and dispatch when it becomes readable (asyncio: loop.add_reader).
 *
 * A task has at most one operation at a time: starting another, blocking or asynchronous, before the first one's
 * VG_EVENT_DONE has been dispatched returns VG_E_BUSY. vg_task_cancel stops an asynchronous operation like a
 * blocking one; after it returns, the task's only event still delivered is its VG_EVENT_DONE (VG_E_CANCELLED), so
 * that every started operation ends with exactly one DONE. Events of a task freed in the meantime are dropped.
 * ------------------------------------------------------------------------------------------------------------- */

/**
 * Starts a submit. The new task exists at once (id "" and state VG_STATE_QUEUED until the submit is answered); its
 * VG_EVENT_DONE carries the submit's result. A task whose submit failed keeps id "" and reports VG_STATE_FAILED
 * with the submit's error.
 * @param client        the client.
 * @param request_json  the request (copied), validated here as by vg_client_submit before anything is queued.
 * @param out           receives the new task; set to NULL on failure.
 * @param error         optional error details (validation errors; network errors come with the DONE event).
 * @return VG_OK when the submit was started. Thread-safe.
 */
vg_code vg_client_submit_async(vg_client *client, const char *request_json, vg_task **out, vg_error **error);

/**
 * Starts a wait (see vg_task_wait): UPDATE events on every change, then DONE with vg_task_wait's result.
 * @param task             the task.
 * @param timeout_seconds  the deadline from now; <= 0 uses the client's "wait_timeout".
 * @param error            optional error details.
 * @return VG_OK when started; VG_E_BUSY, VG_E_CANCELLED, VG_E_INVALID_HANDLE, VG_E_INVALID_ARGUMENT.
 */
vg_code vg_task_wait_async(vg_task *task, double timeout_seconds, vg_error **error);

/**
 * Starts a download (see vg_task_download): TRANSFER events as bytes arrive, then DONE with vg_task_download's
 * result.
 * @param task   a succeeded task (else VG_E_NOT_READY, returned here).
 * @param path   the destination file (copied).
 * @param error  optional error details.
 * @return VG_OK when started; VG_E_BUSY, VG_E_NOT_READY, VG_E_CANCELLED, VG_E_INVALID_HANDLE, VG_E_INVALID_ARGUMENT.
 */
vg_code vg_task_download_async(vg_task *task, const char *path, vg_error **error);

/**
 * A file descriptor that is readable while the client has undispatched events. Owned by the client: do not read,
 * write or close it; it stays valid until vg_client_free.
 * @param client  the client.
 * @param fd      receives the descriptor.
 * @return VG_OK, VG_E_INVALID_HANDLE or VG_E_INVALID_ARGUMENT.
 */
vg_code vg_client_event_fd(vg_client *client, int *fd);

/**
 * Delivers the client's pending events to `on_event`, on this thread, in the order they happened. Waits up to
 * `timeout_seconds` for the first event when none is pending (0: do not wait; < 0: wait until one arrives).
 * Several threads may dispatch the same client; each event is delivered once, but the order across events handled
 * by different threads is then not guaranteed: dispatch a client from one thread at a time to keep it.
 * @param client      the client.
 * @param timeout_seconds  how long to wait for an event.
 * @param on_event    the callback (required).
 * @param user_data   passed to on_event.
 * @param dispatched  optional; receives the number of events delivered.
 * @return VG_OK (also when none arrived in time), VG_E_INVALID_HANDLE or VG_E_INVALID_ARGUMENT.
 */
vg_code vg_client_dispatch(vg_client *client, double timeout_seconds, vg_event_fn on_event, void *user_data,
                           size_t *dispatched);

/* ---------------------------------------------------------------------------------------------------------------
 * Videos kept by the service: list, delete, remix, other assets (since 0.2.0)
 *
 * Services of the openai dialect (the /v1/videos shape: new-api deployments, applerouter's Veo models, LiteLLM's
 * proxy, ...) keep the videos they made: they list them, delete them, remix a finished one into a new task, and
 * serve a thumbnail and a spritesheet beside each finished video. Other dialects return VG_E_UNSUPPORTED naming the
 * operation, before any traffic. Each call blocks the calling thread for its request; the vg_task_* calls run as
 * the task's one operation (VG_E_BUSY while another runs on it, VG_E_CANCELLED after vg_task_cancel).
 * ------------------------------------------------------------------------------------------------------------- */

/**
 * Lists the videos the service keeps, one page at a time (openai dialect: GET /v1/videos?after&limit&order).
 * @param client         the client.
 * @param query_json     the page wanted, or NULL for the service's defaults (OpenAI's: the 20 newest):
 *                         {"after": "<last_id of the previous page>", "limit": 1-100, "order": "asc" | "desc"}
 *                       Every member is optional; unknown members are refused by name.
 * @param out_page_json  receives a new string, freed with vg_string_free; NULL on failure. The page:
 *                         {"data": [record, ...], "first_id": "...", "last_id": "...", "has_more": true}
 *                       Each record is a task snapshot of this client, in the service's order: vg_client_resume
 *                       turns it into a task (to download, delete or remix it). While "has_more" is true, give
 *                       "last_id" as "after" for the next page.
 * @param error          optional error details.
 * @return VG_OK; VG_E_INVALID_JSON or VG_E_INVALID_ARGUMENT for a bad query; VG_E_UNSUPPORTED for a dialect without
 *         a list; VG_E_NOMEM; VG_E_INVALID_HANDLE; or the service's error (e.g. VG_E_BAD_REQUEST for a cursor it does
 *         not know). The request is retried like a poll.
 * Thread-safe.
 */
vg_code vg_client_list_tasks(vg_client *client, const char *query_json, char **out_page_json, vg_error **error);

/**
 * Deletes the task's video and its assets on the service (openai dialect: DELETE /v1/videos/{id}; OpenAI's shape
 * deletes completed or failed videos only). The task handle stays valid and keeps its last snapshot; a later
 * vg_task_poll returns VG_E_NOT_FOUND. A delete whose answer was lost is retried, and reports VG_E_NOT_FOUND when the
 * lost attempt had already deleted the video (gone either way).
 * @param task   the task.
 * @param error  optional error details.
 * @return VG_OK when the service confirmed the deletion; VG_E_UNSUPPORTED for a dialect without delete; VG_E_BUSY;
 *         VG_E_CANCELLED; VG_E_INVALID_HANDLE; or the service's error (VG_E_NOT_FOUND, VG_E_BAD_REQUEST for a video
 *         still being generated, ...).
 */
vg_code vg_task_delete_remote(vg_task *task, vg_error **error);

/**
 * Remakes the task's finished video with a new prompt (openai dialect: POST /v1/videos/{id}/remix with {"prompt"}).
 * The service starts a new task (same model, size and length); follow and download it like any other. Its
 * snapshot names the source as "remixed_from". Sent like a submit: with an Idempotency-Key, and retried only when it
 * provably did not reach the service.
 * @param task        the finished task to remix (it is not changed).
 * @param remix_json  the remix (copied): {"prompt": "...", "extra": {...}, "idempotency_key": "..."}; "prompt" is
 *                    required, "extra" members are sent verbatim beside it, "idempotency_key" as for
 *                    vg_client_submit. Unknown members are refused by name.
 * @param out         receives the new task, in its first reported state; set to NULL on failure. Free it with
 *                    vg_task_free.
 * @param error       optional error details.
 * @return VG_OK; VG_E_INVALID_JSON or VG_E_INVALID_ARGUMENT for a bad remix; VG_E_UNSUPPORTED for a dialect without
 *         remix; VG_E_UNKNOWN_OUTCOME when the remix may have reached the service; VG_E_BUSY; VG_E_CANCELLED;
 *         VG_E_INVALID_HANDLE; or the service's error (VG_E_BAD_REQUEST for a source that is not completed, ...).
 */
vg_code vg_task_remix(vg_task *task, const char *remix_json, vg_task **out, vg_error **error);

/**
 * vg_task_download for one asset of the succeeded task: "video" (exactly vg_task_download), "thumbnail" or
 * "spritesheet" (the stills the openai dialect serves: GET /v1/videos/{id}/content?variant=...). The asset is
 * fetched like the video (through "<path>.part", resumable, length-checked, hashed, renamed into place) and the
 * snapshot's "download" record names it ("variant": "thumbnail"); the task's video URL is unchanged.
 * @param task         a task in state VG_STATE_SUCCEEDED (else VG_E_NOT_READY).
 * @param variant      "video", "thumbnail" or "spritesheet" (else VG_E_INVALID_ARGUMENT).
 * @param path         the destination file (overwritten if it exists).
 * @param on_progress  optional byte-progress callback, called on this thread.
 * @param user_data    passed to on_progress.
 * @param error        optional error details.
 * @return as vg_task_download; VG_E_UNSUPPORTED for a still on a dialect that serves none.
 */
vg_code vg_task_download_variant(vg_task *task, const char *variant, const char *path, vg_transfer_fn on_progress,
                                 void *user_data, vg_error **error);

/* ---------------------------------------------------------------------------------------------------------------
 * Updates with their values (since 0.3.0)
 *
 * The calls below are the blocking calls and the dispatch above with a vg_update_fn instead of a handle-only
 * callback: every update carries the values it changed (state, progress, queue position, bytes, the task's error,
 * the new snapshot), and the blocking calls also report their DONE, just before they return, with the task's
 * snapshot after it. They run the same operation as the calls above and follow the same rules (VG_E_BUSY,
 * VG_E_CANCELLED, callbacks never after vg_task_cancel returned, a non-zero return stops the operation). The calls
 * above are unchanged; a program may mix both forms.
 * ------------------------------------------------------------------------------------------------------------- */

/**
 * vg_task_poll with its result as an update: after the status was read (or the poll failed), `on_update` gets one
 * DONE update on this thread with the poll's result and the task's snapshot.
 * @param task       the task.
 * @param on_update  optional (NULL: exactly vg_task_poll).
 * @param user_data  passed to on_update.
 * @param error      optional error details.
 * @return as vg_task_poll.
 */
vg_code vg_task_poll_v2(vg_task *task, vg_update_fn on_update, void *user_data, vg_error **error);

/**
 * vg_task_wait with updates: `on_update` gets an UPDATE at the start and on every change of state, progress or queue
 * position, then one DONE with the wait's result, all on this thread. Not called once vg_task_cancel has returned.
 * @param task             the task.
 * @param timeout_seconds  the deadline from now; <= 0 uses the client's "wait_timeout"; NaN is refused.
 * @param on_update        optional (NULL: exactly vg_task_wait without a callback).
 * @param user_data        passed to on_update.
 * @param error            optional error details.
 * @return as vg_task_wait.
 */
vg_code vg_task_wait_v2(vg_task *task, double timeout_seconds, vg_update_fn on_update, void *user_data,
                        vg_error **error);

/**
 * vg_task_download_variant with updates: `on_update` gets TRANSFER updates as bytes arrive (coalesced; the last one
 * has bytes_received == bytes_total), then one DONE whose snapshot_json holds the download record, all on this
 * thread. A non-zero return from a TRANSFER stops the download and `path` is not written.
 * @param task       a task in state VG_STATE_SUCCEEDED (else VG_E_NOT_READY).
 * @param variant    "video", "thumbnail" or "spritesheet"; NULL means "video".
 * @param path       the destination file (see vg_task_download).
 * @param on_update  optional.
 * @param user_data  passed to on_update.
 * @param error      optional error details.
 * @return as vg_task_download_variant.
 */
vg_code vg_task_download_v2(vg_task *task, const char *variant, const char *path, vg_update_fn on_update,
                            void *user_data, vg_error **error);

/**
 * vg_client_dispatch delivering each pending event as a vg_update (the *_async calls start the operations; their
 * DONE update carries the task's snapshot after the operation, e.g. the id an asynchronous submit got).
 * @param client           the client.
 * @param timeout_seconds  how long to wait for the first event (0: do not wait; < 0: until one arrives; NaN is
 *                         refused).
 * @param on_update        the callback (required).
 * @param user_data        passed to on_update.
 * @param dispatched       optional; receives the number of updates delivered.
 * @return VG_OK (also when none arrived in time), VG_E_INVALID_HANDLE or VG_E_INVALID_ARGUMENT.
 */
vg_code vg_client_dispatch_v2(vg_client *client, double timeout_seconds, vg_update_fn on_update, void *user_data,
                              size_t *dispatched);

/* ---------------------------------------------------------------------------------------------------------------
 * Webhooks (since 0.4.0): verify a provider's callback, and apply it to the task it names
 * ------------------------------------------------------------------------------------------------------------- */

/** What vg_webhook_verify / vg_client_webhook_apply concluded about a callback. Values are only ever appended. */
typedef enum vg_webhook_verdict {
    VG_WEBHOOK_ACCEPTED = 0,                    /**< Verified (or, scheme "unsigned" with accept_unsigned, taken as
                                                     a hint: it only makes the client poll, never sets the result). */
    VG_WEBHOOK_BAD_SIGNATURE = 1,               /**< No signature matches the body under the secret or keys. */
    VG_WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE = 2, /**< The signed time is further from the clock than the tolerance
                                                     (stale, replayed, or from the future). */
    VG_WEBHOOK_MALFORMED_HEADER = 3,            /**< A signature header is missing or not of its documented form. */
    VG_WEBHOOK_UNKNOWN_KEY_ID = 4,              /**< The callback names a key id the configured keys lack. */
    VG_WEBHOOK_BODY_TOO_LARGE = 5,              /**< The body exceeds max_body_bytes. */
    VG_WEBHOOK_UNSIGNED = 6,                    /**< The provider does not sign and accept_unsigned is false. */
    VG_WEBHOOK_NO_KEY = 7,                      /**< The verifier has no usable secret or key for its scheme. */
    VG_WEBHOOK_UNREADABLE_PAYLOAD = 8           /**< It verified, but the client's dialect cannot read which task it
                                                     is about (vg_client_webhook_apply only). */
} vg_webhook_verdict;

/**
 * Verifies one callback as it reached your HTTP server. Needs no client: the verifier document carries the scheme
 * and the secret or keys (never logged, never in a message):
 *   {"scheme": "standard_webhooks" | "fal" | "vidu" | "openrouter" | "unsigned",
 *    "secret": "whsec_..." (standard_webhooks) | the API token (vidu) | the signing secret (openrouter),
 *    "jwks": {"keys": [...]} (fal: its /.well-known/jwks.json document),
 *    "jwks_url": "https://..." (fal, vg_client_webhook_apply only: the client fetches the document without the API
 *                key, keeps it a day, and fetches it again when no key verifies and it is 5 minutes old; the first
 *                callback then blocks the calling thread for that one GET),
 *    "tolerance": 300, "max_body_bytes": 1048576, "accept_unsigned": false (unsigned only),
 *    "now": Unix seconds (fixes the clock, for tests; the system clock otherwise)}
 * A refusal is an answer, not a failure: the call returns VG_OK with *verdict saying which check failed.
 * @param verifier_json  the verifier document (required).
 * @param method         the request method, e.g. "POST" (required; Vidu signs it).
 * @param target         the request target, path and query, e.g. "/hooks?x=1" (required; Vidu signs it).
 * @param headers        the raw header block, "Name: value" lines separated by CRLF or LF (required).
 * @param body           the raw body, exactly as received (may be NULL when body_len is 0).
 * @param body_len       its length in bytes.
 * @param verdict        receives the verdict (required).
 * @param result_json    optional; receives a new string (vg_string_free): {"verdict": "accepted", "scheme",
 *                       "signed", "delivery_id", "timestamp"} or {"verdict": "<reason>", "message": "..."}.
 * @param error          optional error details.
 * @return VG_OK when a verdict was reached; VG_E_INVALID_ARGUMENT / VG_E_INVALID_JSON for bad arguments; VG_E_NOMEM.
 */
vg_code vg_webhook_verify(const char *verifier_json, const char *method, const char *target, const char *headers,
                          const uint8_t *body, size_t body_len, vg_webhook_verdict *verdict, char **result_json,
                          vg_error **error);

/**
 * Verifies one callback (as vg_webhook_verify) and applies it to the task it names: every wait of this client on
 * that task (vg_task_wait, the _v2 and asynchronous waits) takes it as an update, like a poll's answer, and ends
 * when it says the task ended; envelope-only events (OpenAI's video.completed) and accepted unsigned callbacks make
 * those waits poll at once. The same delivery twice changes nothing; an event older than the task's state does not
 * move it back. The download still goes through vg_task_download. Thread-safe: call it from your server's thread.
 * @param client       the client whose tasks the callback is about.
 * @param result_json  optional; on acceptance {"verdict": "accepted", "kind": "applied" | "hint" | "duplicate" |
 *                     "unwatched", "task_id", "state" (applied only), "event_type", "waits", "scheme", "signed",
 *                     "delivery_id"}; on refusal {"verdict": "<reason>", "message"}.
 * Other parameters and the result as vg_webhook_verify (VG_E_INVALID_HANDLE for a bad client).
 */
vg_code vg_client_webhook_apply(vg_client *client, const char *verifier_json, const char *method, const char *target,
                                const char *headers, const uint8_t *body, size_t body_len, vg_webhook_verdict *verdict,
                                char **result_json, vg_error **error);

/* ---------------------------------------------------------------------------------------------------------------
 * Several outputs (since 0.4.0)
 *
 * A task that made several videos (a request with "n" > 1, or a service that returns a list: Vidu's creations,
 * OpenRouter's outputs) lists them all in its snapshot's "outputs" array, in the service's order; the first is
 * its "video_url". Each is downloadable by its index.
 * ------------------------------------------------------------------------------------------------------------- */

/**
 * vg_task_download_v2 for output `index` of the succeeded task (0-based, in the snapshot's "outputs" order; output
 * 0 is the video vg_task_download fetches, and a task with one video has only output 0). The output is fetched like
 * the video (through "<path>.part", resumable, length-checked, hashed, renamed into place; an expired signed URL is
 * replaced by polling the task again and taking the same output's fresh URL); the snapshot's "download" record names
 * it ("output": 2) when it is not output 0. `on_update` gets TRANSFER updates, then one DONE, as for
 * vg_task_download_v2.
 * @param task       a task in state VG_STATE_SUCCEEDED (else VG_E_NOT_READY).
 * @param index      the output (VG_E_INVALID_ARGUMENT, naming how many the task has, for one it does not have).
 * @param path       the destination file (see vg_task_download).
 * @param on_update  optional.
 * @param user_data  passed to on_update.
 * @param error      optional error details.
 * @return as vg_task_download_v2.
 */
vg_code vg_task_download_output(vg_task *task, size_t index, const char *path, vg_update_fn on_update,
                                void *user_data, vg_error **error);

#ifdef __cplusplus
}
#endif

#endif /* VIDEOGEN_H */
