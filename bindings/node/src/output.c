/* output.c: downloadOutput (vg_task_download_output, a blocking call run on libuv's thread pool) and
 * idempotencyKey (vg_idempotency_key, no traffic). */
#include <stdlib.h>

#include "vgn.h"

/** One output download in flight on the thread pool; the JS task is referenced so that it outlives the call. */
typedef struct output_job {
    napi_async_work work;
    napi_deferred deferred;
    napi_ref task_ref;
    vg_task *handle;
    size_t index;
    char *path;
    vg_code code;
    vg_error *error;
} output_job;

static void output_run(napi_env env, void *data) {
    (void)env;
    output_job *job = data;
    /* No callback: its updates would come on this pool thread; the promise carries the result. */
    job->code = vg_task_download_output(job->handle, job->index, job->path, NULL, NULL, &job->error);
}

static void output_done(napi_env env, napi_status status, void *data) {
    output_job *job = data;
    napi_value value;
    if (status == napi_ok && job->code == VG_OK) {
        napi_get_undefined(env, &value);
        napi_resolve_deferred(env, job->deferred, value);
    } else {
        vg_code code = status == napi_ok ? job->code : VG_E_CANCELLED;
        napi_reject_deferred(env, job->deferred, vgn_error_value(env, code, job->error, NULL));
    }
    vg_error_free(job->error);
    napi_delete_reference(env, job->task_ref);
    napi_delete_async_work(env, job->work);
    free(job->path);
    free(job);
}

/** downloadOutput(task, index, path): a promise of the download of output `index` (an integer >= 0). */
napi_value vgn_task_download_output(napi_env env, napi_callback_info info) {
    napi_value argv[3], promise, name;
    if (vgn_args(env, info, 3, argv, "downloadOutput(task, index, path)") != 0) return NULL;
    vgn_task *task = vgn_open_task(env, argv[0], 1);
    if (task == NULL) return NULL;
    double index = 0;
    if (vgn_number_arg(env, argv[1], "index", &index) != 0) return NULL;
    if (!(index >= 0 && index <= 9007199254740991.0) || index != (double)(size_t)index) {
        napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "index must be an integer >= 0");
        return NULL;
    }
    char *path = vgn_string_arg(env, argv[2], "path");
    if (path == NULL) return NULL;
    output_job *job = calloc(1, sizeof *job);
    if (job == NULL) {
        free(path);
        napi_throw_error(env, "ERR_OUT_OF_MEMORY", "out of memory");
        return NULL;
    }
    job->handle = task->handle;
    job->index = (size_t)index;
    job->path = path;
    napi_create_reference(env, argv[0], 1, &job->task_ref);
    napi_create_promise(env, &job->deferred, &promise);
    napi_create_string_utf8(env, "videogen.downloadOutput", NAPI_AUTO_LENGTH, &name);
    napi_create_async_work(env, NULL, name, output_run, output_done, job, &job->work);
    napi_queue_async_work(env, job->work);
    return promise;
}

/** idempotencyKey(jobId, scope): the key vg_idempotency_key derives (scope may be null or ''). */
napi_value vgn_idempotency_key(napi_env env, napi_callback_info info) {
    napi_value argv[2], result;
    if (vgn_args(env, info, 2, argv, "idempotencyKey(jobId, scope)") != 0) return NULL;
    char *job = vgn_string_arg(env, argv[0], "jobId");
    if (job == NULL) return NULL;
    napi_valuetype type;
    char *scope = NULL;
    if (napi_typeof(env, argv[1], &type) == napi_ok && type != napi_null && type != napi_undefined) {
        scope = vgn_string_arg(env, argv[1], "scope");
        if (scope == NULL) {
            free(job);
            return NULL;
        }
    }
    char *key = NULL;
    vg_error *error = NULL;
    vg_code code = vg_idempotency_key(job, scope, &key, &error);
    free(job);
    free(scope);
    if (code != VG_OK) {
        vgn_throw_vg(env, code, error);
        vg_error_free(error);
        return NULL;
    }
    napi_status status = napi_create_string_utf8(env, key, NAPI_AUTO_LENGTH, &result);
    vg_string_free(key);
    return status == napi_ok ? result : NULL;
}
