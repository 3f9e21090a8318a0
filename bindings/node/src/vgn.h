/*
 * vgn.h: the shared declarations of the videogen Node addon (N-API, C).
 *
 * The addon is thin over libvideogen's C API: a client object owns a vg_client and a libuv poll handle on the
 * client's event descriptor; every operation (submit, wait, download) is started with the library's *_async call
 * and its updates are delivered by vg_client_dispatch_v2 on the JS thread when the descriptor is readable. Each
 * operation has one JS callback, called with every update as a plain object; the JS layer (lib/) turns them into
 * promises, progress callbacks and async iterators.
 */
#ifndef VGN_H
#define VGN_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>
#include <stddef.h>

#include "videogen.h"

/** One asynchronous operation in flight: the task it runs on and the JS callback that receives its updates. */
typedef struct vgn_op {
    struct vgn_op *next;  /**< next operation of the same client */
    vg_task *task;        /**< the task the operation runs on (the key of update routing) */
    napi_ref callback;    /**< strong reference to function(update) -> boolean (true: stop the operation) */
} vgn_op;

/** A native task handle whose vg_task_free waits for the end of the dispatch reporting it. */
typedef struct vgn_deferred_free {
    struct vgn_deferred_free *next;
    vg_task *task;
} vgn_deferred_free;

/** The native side of a JS client object. */
typedef struct vgn_client {
    vg_client *handle;              /**< NULL once closed */
    napi_env env;                   /**< the environment the client belongs to */
    uv_poll_t *poll;                /**< watches the event descriptor; freed by its close callback */
    napi_async_context context;     /**< async context of the callbacks run from the poll handle */
    vgn_op *ops;                    /**< operations in flight */
    size_t op_count;                /**< how many */
    int dispatching;                /**< inside vg_client_dispatch_v2: closes and frees are deferred */
    int close_pending;              /**< close() was called during a dispatch */
    vg_task *reporting;             /**< the task whose update is being delivered now */
    vgn_deferred_free *deferred;    /**< tasks to free once the dispatch returns */
    int refs;                       /**< 1 for the JS object + 1 per native task made by this client */
} vgn_client;

/** The native side of a JS task object. */
typedef struct vgn_task {
    vg_task *handle;      /**< NULL once freed */
    vgn_client *client;   /**< the client that made it (kept alive by `refs`) */
} vgn_task;

/* util.c: arguments, errors and values */

/** Throws the library error `error` (or one made from `code` alone) as a plain object the JS layer converts. */
void vgn_throw_vg(napi_env env, vg_code code, const vg_error *error);
/** A plain object describing a library error: {vgCode, message, httpStatus, providerCode, retryAfter}. */
napi_value vgn_error_value(napi_env env, vg_code code, const vg_error *error, const char *fallback);
/** Reads argument `value` as a UTF-8 string without NUL characters into a new malloc'd buffer (NULL: thrown). */
char *vgn_string_arg(napi_env env, napi_value value, const char *name);

/**
 * Reads exactly `count` arguments of a call into `argv`; with fewer, throws a TypeError (ERR_MISSING_ARGS) naming
 * the call's `usage` and returns -1. Returns 0 otherwise.
 */
int vgn_args(napi_env env, napi_callback_info info, size_t count, napi_value *argv, const char *usage);
/** Reads a JS number into *out; throws TypeError naming `name` otherwise. Returns 0 on success. */
int vgn_number_arg(napi_env env, napi_value value, const char *name, double *out);
/** Sets obj[name] = value for the common value kinds. */
void vgn_set_string(napi_env env, napi_value obj, const char *name, const char *value);
void vgn_set_number(napi_env env, napi_value obj, const char *name, double value);
void vgn_set_null(napi_env env, napi_value obj, const char *name);
void vgn_set_value(napi_env env, napi_value obj, const char *name, napi_value value);

/* client.c */

/** Type tags of the wrapped objects, so a task is never taken for a client or the reverse. */
extern const napi_type_tag VGN_CLIENT_TAG;
extern const napi_type_tag VGN_TASK_TAG;
/** The client wrapped by `value`, or NULL with a TypeError thrown. */
vgn_client *vgn_client_of(napi_env env, napi_value value);
/** Registers an operation started on `task` whose updates go to `callback`. 0 on success (else thrown). */
int vgn_client_track(vgn_client *client, vg_task *task, napi_value callback);
/** Ends the operation on `task`, if any, with a synthetic DONE (`code`, `message`) given to its callback. */
void vgn_client_end_op(vgn_client *client, vg_task *task, vg_code code, const char *message);
/** Frees a task handle now, or after the dispatch that is reporting it. */
void vgn_client_free_task(vgn_client *client, vg_task *task);
/** Drops one reference to the client's native side, freeing it at zero. */
void vgn_client_release(vgn_client *client);
/** Wraps a new vg_task into a JS task object holding a reference to `client`. */
napi_value vgn_task_wrap(napi_env env, vgn_client *client, vg_task *task);

napi_value vgn_client_create(napi_env env, napi_callback_info info);
napi_value vgn_client_close(napi_env env, napi_callback_info info);
napi_value vgn_client_submit(napi_env env, napi_callback_info info);
napi_value vgn_client_resume(napi_env env, napi_callback_info info);
napi_value vgn_client_pending(napi_env env, napi_callback_info info);

/* task.c */

/** The task of `value` when it is open (and, with need_client, its client too); NULL with an error thrown. */
vgn_task *vgn_open_task(napi_env env, napi_value value, int need_client);
napi_value vgn_task_wait(napi_env env, napi_callback_info info);
napi_value vgn_task_download(napi_env env, napi_callback_info info);
napi_value vgn_task_cancel(napi_env env, napi_callback_info info);
napi_value vgn_task_cancel_remote(napi_env env, napi_callback_info info);
napi_value vgn_task_close(napi_env env, napi_callback_info info);
napi_value vgn_task_snapshot(napi_env env, napi_callback_info info);
napi_value vgn_webhook_verify(napi_env env, napi_callback_info info);
napi_value vgn_webhook_apply(napi_env env, napi_callback_info info);

/* output.c */

napi_value vgn_task_download_output(napi_env env, napi_callback_info info);
napi_value vgn_idempotency_key(napi_env env, napi_callback_info info);

/* update.c */

/** The JS object for one update: {kind, code, error, state, progress, queuePosition, bytesReceived, bytesTotal,
 *  taskError, snapshot}. */
napi_value vgn_update_value(napi_env env, const vg_update *update);
/** A synthetic DONE update (the operation ended without the library reporting it: a task or client closed). */
napi_value vgn_done_value(napi_env env, vg_code code, const char *message);

#endif
