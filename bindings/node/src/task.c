/* task.c: the task object: starting its asynchronous operations, cancelling, closing, reading its record. */
#include <stdlib.h>

#include "vgn.h"

static void finalize_task(napi_env env, void *data, void *hint) {
    (void)env;
    (void)hint;
    vgn_task *task = data;
    /* Reached only without an operation in flight (its callback keeps the JS task reachable). */
    if (task->handle != NULL) vgn_client_free_task(task->client, task->handle);
    vgn_client_release(task->client);
    free(task);
}

napi_value vgn_task_wrap(napi_env env, vgn_client *client, vg_task *handle) {
    vgn_task *task = calloc(1, sizeof *task);
    napi_value obj;
    if (task == NULL || napi_create_object(env, &obj) != napi_ok) {
        free(task);
        vg_task_free(handle);
        napi_throw_error(env, "ERR_OUT_OF_MEMORY", "out of memory");
        return NULL;
    }
    task->handle = handle;
    task->client = client;
    client->refs++;
    napi_type_tag_object(env, obj, &VGN_TASK_TAG);
    napi_wrap(env, obj, task, finalize_task, NULL, NULL);
    return obj;
}

/** The task wrapped by `value`, or NULL with a TypeError thrown. */
static vgn_task *task_of(napi_env env, napi_value value) {
    bool tagged = false;
    void *data = NULL;
    napi_valuetype type;
    if (napi_typeof(env, value, &type) == napi_ok && type == napi_object &&
        napi_check_object_type_tag(env, value, &VGN_TASK_TAG, &tagged) == napi_ok && tagged &&
        napi_unwrap(env, value, &data) == napi_ok && data != NULL) {
        return data;
    }
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "not a videogen task");
    return NULL;
}

/** The task of argv[0] when it is open and its client too; NULL with an error thrown otherwise. */
vgn_task *vgn_open_task(napi_env env, napi_value value, int need_client) {
    vgn_task *task = task_of(env, value);
    if (task == NULL) return NULL;
    if (task->handle == NULL) {
        napi_throw(env, vgn_error_value(env, VG_E_INVALID_HANDLE, NULL, "the task is closed"));
        return NULL;
    }
    if (need_client && (task->client->handle == NULL || task->client->close_pending)) {
        napi_throw(env, vgn_error_value(env, VG_E_INVALID_HANDLE, NULL, "the client is closed"));
        return NULL;
    }
    return task;
}

static int function_arg(napi_env env, napi_value value) {
    napi_valuetype type;
    napi_typeof(env, value, &type);
    if (type == napi_function) return 1;
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "onUpdate must be a function");
    return 0;
}

static napi_value started(napi_env env, vgn_task *task, vg_code code, vg_error *error, napi_value callback) {
    if (code != VG_OK) {
        vgn_throw_vg(env, code, error);
        vg_error_free(error);
        return NULL;
    }
    if (vgn_client_track(task->client, task->handle, callback) != 0) return NULL;
    napi_value v;
    napi_get_undefined(env, &v);
    return v;
}

/** wait(task, timeoutSeconds, onUpdate): starts an asynchronous wait (timeout <= 0: the client's wait_timeout). */
napi_value vgn_task_wait(napi_env env, napi_callback_info info) {
    napi_value argv[3];
    if (vgn_args(env, info, 3, argv, "wait(task, timeoutSeconds, onUpdate)") != 0) return NULL;
    vgn_task *task = vgn_open_task(env, argv[0], 1);
    double timeout = 0;
    if (task == NULL || vgn_number_arg(env, argv[1], "timeout", &timeout) != 0 || !function_arg(env, argv[2]))
        return NULL;
    if (timeout != timeout) {
        napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "timeout must not be NaN");
        return NULL;
    }
    vg_error *error = NULL;
    vg_code code = vg_task_wait_async(task->handle, timeout, &error);
    return started(env, task, code, error, argv[2]);
}

/** download(task, path, onUpdate): starts an asynchronous download of the video to `path`. */
napi_value vgn_task_download(napi_env env, napi_callback_info info) {
    napi_value argv[3];
    if (vgn_args(env, info, 3, argv, "download(task, path, onUpdate)") != 0) return NULL;
    vgn_task *task = vgn_open_task(env, argv[0], 1);
    if (task == NULL || !function_arg(env, argv[2])) return NULL;
    char *path = vgn_string_arg(env, argv[1], "path");
    if (path == NULL) return NULL;
    vg_error *error = NULL;
    vg_code code = vg_task_download_async(task->handle, path, &error);
    free(path);
    return started(env, task, code, error, argv[2]);
}

/** cancel(task): cancels locally, now (never blocks): the operation in flight ends with VG_E_CANCELLED. */
napi_value vgn_task_cancel(napi_env env, napi_callback_info info) {
    napi_value argv[1];
    if (vgn_args(env, info, 1, argv, "cancel(task)") != 0) return NULL;
    vgn_task *task = vgn_open_task(env, argv[0], 0);
    if (task == NULL) return NULL;
    vg_error *error = NULL;
    vg_code code = vg_task_cancel(task->handle, VG_CANCEL_LOCAL, &error);
    if (code != VG_OK) {
        vgn_throw_vg(env, code, error);
        vg_error_free(error);
        return NULL;
    }
    napi_value v;
    napi_get_undefined(env, &v);
    return v;
}

/** The remote cancel's request runs on libuv's thread pool (vg_task_cancel may be called from any thread). */
typedef struct remote_cancel {
    napi_async_work work;
    napi_deferred deferred;
    vg_task *handle;
    vg_code code;
    vg_error *error;
} remote_cancel;

static void remote_cancel_run(napi_env env, void *data) {
    (void)env;
    remote_cancel *job = data;
    job->code = vg_task_cancel(job->handle, VG_CANCEL_REMOTE, &job->error);
}

static void remote_cancel_done(napi_env env, napi_status status, void *data) {
    remote_cancel *job = data;
    napi_value value;
    if (status == napi_ok && job->code == VG_OK) {
        napi_get_undefined(env, &value);
        napi_resolve_deferred(env, job->deferred, value);
    } else {
        vg_code code = status == napi_ok ? job->code : VG_E_CANCELLED;
        napi_reject_deferred(env, job->deferred, vgn_error_value(env, code, job->error, NULL));
    }
    vg_error_free(job->error);
    napi_delete_async_work(env, job->work);
    free(job);
}

/** cancelRemote(task): a promise of the remote cancel (local cancellation happens at once, on the pool thread). */
napi_value vgn_task_cancel_remote(napi_env env, napi_callback_info info) {
    napi_value argv[1], promise, name;
    if (vgn_args(env, info, 1, argv, "cancelRemote(task)") != 0) return NULL;
    vgn_task *task = vgn_open_task(env, argv[0], 1);
    if (task == NULL) return NULL;
    /* Local first, on this thread, so the operation in flight stops now whatever the request does. */
    vg_task_cancel(task->handle, VG_CANCEL_LOCAL, NULL);
    remote_cancel *job = calloc(1, sizeof *job);
    if (job == NULL) {
        napi_throw_error(env, "ERR_OUT_OF_MEMORY", "out of memory");
        return NULL;
    }
    job->handle = task->handle;
    napi_create_promise(env, &job->deferred, &promise);
    napi_create_string_utf8(env, "videogen.cancelRemote", NAPI_AUTO_LENGTH, &name);
    napi_create_async_work(env, NULL, name, remote_cancel_run, remote_cancel_done, job, &job->work);
    napi_queue_async_work(env, job->work);
    return promise;
}

/** closeTask(task): ends its operation (the promise rejects as cancelled) and frees the native task. Idempotent. */
napi_value vgn_task_close(napi_env env, napi_callback_info info) {
    napi_value argv[1], v;
    if (vgn_args(env, info, 1, argv, "closeTask(task)") != 0) return NULL;
    vgn_task *task = task_of(env, argv[0]);
    if (task == NULL) return NULL;
    if (task->handle != NULL) {
        vg_task *handle = task->handle;
        task->handle = NULL;
        vgn_client_end_op(task->client, handle, VG_E_CANCELLED, "the task was closed during the operation");
        vgn_client_free_task(task->client, handle);
    }
    napi_get_undefined(env, &v);
    return v;
}

/** snapshot(task): the task's record (vg_task_snapshot_json) as a JSON string. */
napi_value vgn_task_snapshot(napi_env env, napi_callback_info info) {
    napi_value argv[1], result;
    if (vgn_args(env, info, 1, argv, "snapshot(task)") != 0) return NULL;
    vgn_task *task = vgn_open_task(env, argv[0], 0);
    if (task == NULL) return NULL;
    char *json = NULL;
    vg_code code = vg_task_snapshot_json(task->handle, &json);
    if (code != VG_OK) {
        vgn_throw_vg(env, code, NULL);
        return NULL;
    }
    napi_status status = napi_create_string_utf8(env, json, NAPI_AUTO_LENGTH, &result);
    vg_string_free(json);
    return status == napi_ok ? result : NULL;
}
