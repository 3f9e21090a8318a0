/*
 * client.c: the client object: its vg_client, the libuv poll handle on vg_client_event_fd, the operations in flight
 * and the dispatch that routes each update to its operation's JS callback on the JS thread.
 */
#include <stdlib.h>
#include <string.h>

#include "vgn.h"

const napi_type_tag VGN_CLIENT_TAG = {0x7667636c69656e74ULL, 0x6e6f64652d763031ULL};
const napi_type_tag VGN_TASK_TAG = {0x76677461736b2d2dULL, 0x6e6f64652d763031ULL};

/** How long close() waits for cancelled operations to report their DONE (dispatch rounds of 0.1 s). */
#define CLOSE_ROUNDS 50

static napi_value undefined(napi_env env) {
    napi_value v;
    napi_get_undefined(env, &v);
    return v;
}

vgn_client *vgn_client_of(napi_env env, napi_value value) {
    bool tagged = false;
    void *data = NULL;
    napi_valuetype type;
    if (napi_typeof(env, value, &type) == napi_ok && type == napi_object &&
        napi_check_object_type_tag(env, value, &VGN_CLIENT_TAG, &tagged) == napi_ok && tagged &&
        napi_unwrap(env, value, &data) == napi_ok && data != NULL) {
        return data;
    }
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "not a videogen client");
    return NULL;
}

void vgn_client_release(vgn_client *client) {
    if (--client->refs > 0) return;
    free(client);
}

/** The poll handle's refcount follows the operations: an idle client does not keep the process alive. */
static void update_liveness(vgn_client *client) {
    if (client->poll == NULL) return;
    if (client->op_count > 0) uv_ref((uv_handle_t *)client->poll);
    else uv_unref((uv_handle_t *)client->poll);
}

static vgn_op *unlink_op(vgn_client *client, vg_task *task) {
    for (vgn_op **at = &client->ops; *at != NULL; at = &(*at)->next) {
        if ((*at)->task == task) {
            vgn_op *op = *at;
            *at = op->next;
            client->op_count--;
            return op;
        }
    }
    return NULL;
}

int vgn_client_track(vgn_client *client, vg_task *task, napi_value callback) {
    vgn_op *op = calloc(1, sizeof *op);
    if (op == NULL || napi_create_reference(client->env, callback, 1, &op->callback) != napi_ok) {
        free(op);
        napi_throw_error(client->env, "ERR_OUT_OF_MEMORY", "out of memory");
        return -1;
    }
    op->task = task;
    op->next = client->ops;
    client->ops = op;
    client->op_count++;
    update_liveness(client);
    return 0;
}

/** Calls the callback of `op` with `value`; returns 1 when it asks to stop. An exception becomes uncaught. */
static int call_op(napi_env env, vgn_op *op, napi_value value) {
    napi_value callback, global, result;
    if (napi_get_reference_value(env, op->callback, &callback) != napi_ok || callback == NULL) return 0;
    napi_get_global(env, &global);
    napi_status status = napi_call_function(env, global, callback, 1, &value, &result);
    if (status == napi_pending_exception) {
        napi_value exception;
        napi_get_and_clear_last_exception(env, &exception);
        napi_fatal_exception(env, exception);
        return 1;
    }
    bool stop = false;
    if (status == napi_ok) napi_get_value_bool(env, result, &stop);
    return stop ? 1 : 0;
}

static void delete_op(napi_env env, vgn_op *op) {
    napi_delete_reference(env, op->callback);
    free(op);
}

void vgn_client_end_op(vgn_client *client, vg_task *task, vg_code code, const char *message) {
    vgn_op *op = unlink_op(client, task);
    if (op == NULL) return;
    napi_handle_scope scope;
    napi_open_handle_scope(client->env, &scope);
    call_op(client->env, op, vgn_done_value(client->env, code, message));
    napi_close_handle_scope(client->env, scope);
    delete_op(client->env, op);
    update_liveness(client);
}

void vgn_client_free_task(vgn_client *client, vg_task *task) {
    if (client->dispatching && client->reporting == task) {
        /* The header forbids freeing a task from the callback reporting it: free it after the dispatch. */
        vgn_deferred_free *entry = malloc(sizeof *entry);
        if (entry != NULL) {
            entry->task = task;
            entry->next = client->deferred;
            client->deferred = entry;
            return;
        }
    }
    vg_task_free(task);
}

/** vg_update_fn of the dispatch: routes one update to its operation's callback. */
static int on_update(vg_task *task, const vg_update *update, void *user_data) {
    vgn_client *client = user_data;
    napi_env env = client->env;
    vgn_op *op = NULL;
    for (vgn_op *it = client->ops; it != NULL; it = it->next) {
        if (it->task == task) {
            op = it;
            break;
        }
    }
    if (op == NULL) return 0;  /* an operation that was ended already (its task closed) */
    if (update->kind == VG_EVENT_DONE) {
        /* Unlinked before the callback, so that the callback's code may start the task's next operation. */
        unlink_op(client, task);
        update_liveness(client);
    }
    client->reporting = task;
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    int stop = call_op(env, op, vgn_update_value(env, update));
    napi_close_handle_scope(env, scope);
    client->reporting = NULL;
    if (update->kind == VG_EVENT_DONE) delete_op(env, op);
    return stop;
}

static void close_now(napi_env env, vgn_client *client);

/** Delivers every pending event (never waits) and then does what was deferred during the dispatch. */
static void dispatch(vgn_client *client, double timeout) {
    size_t count = 0;
    client->dispatching = 1;
    vg_client_dispatch_v2(client->handle, timeout, on_update, client, &count);
    client->dispatching = 0;
    while (client->deferred != NULL) {
        vgn_deferred_free *entry = client->deferred;
        client->deferred = entry->next;
        vg_task_free(entry->task);
        free(entry);
    }
}

static void on_readable(uv_poll_t *poll, int status, int events) {
    (void)status;
    (void)events;
    vgn_client *client = poll->data;
    if (client == NULL || client->handle == NULL) return;
    napi_env env = client->env;
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value resource;
    napi_create_object(env, &resource);
    napi_callback_scope callback_scope;
    /* One callback scope for the whole dispatch: promise continuations run after it, outside the library's call. */
    napi_open_callback_scope(env, resource, client->context, &callback_scope);
    dispatch(client, 0.0);
    if (client->close_pending) close_now(env, client);
    napi_close_callback_scope(env, callback_scope);
    napi_close_handle_scope(env, scope);
}

static void free_poll(uv_handle_t *handle) {
    free(handle);
}

/** Stops every operation, delivers their DONE updates, then frees the vg_client (see close() in the README). */
static void close_now(napi_env env, vgn_client *client) {
    if (client->handle == NULL) return;
    client->close_pending = 0;
    for (vgn_op *op = client->ops; op != NULL; op = op->next) vg_task_cancel(op->task, VG_CANCEL_LOCAL, NULL);
    for (int round = 0; round < CLOSE_ROUNDS && client->op_count > 0; round++) dispatch(client, 0.1);
    while (client->ops != NULL) vgn_client_end_op(client, client->ops->task, VG_E_CANCELLED, "the client was closed");
    if (client->poll != NULL) {
        uv_poll_stop(client->poll);
        client->poll->data = NULL;
        uv_close((uv_handle_t *)client->poll, free_poll);
        client->poll = NULL;
    }
    vg_client_free(client->handle);
    client->handle = NULL;
    napi_async_destroy(env, client->context);
    client->context = NULL;
}

static void finalize_client(napi_env env, void *data, void *hint) {
    (void)hint;
    vgn_client *client = data;
    /* Reached only without operations in flight: each one's callback keeps the JS client reachable. */
    if (client->handle != NULL && !client->dispatching) close_now(env, client);
    vgn_client_release(client);
}

/** createClient(configJson): a new client object, or throws the library's error. */
napi_value vgn_client_create(napi_env env, napi_callback_info info) {
    napi_value argv[1];
    if (vgn_args(env, info, 1, argv, "createClient(configJson)") != 0) return NULL;
    char *config = vgn_string_arg(env, argv[0], "config");
    if (config == NULL) return NULL;
    vg_client *handle = NULL;
    vg_error *error = NULL;
    vg_code code = vg_client_create(config, &handle, &error);
    /* The configuration may hold the key: wipe the copy before freeing it. */
    memset(config, 0, strlen(config));
    free(config);
    if (code != VG_OK) {
        vgn_throw_vg(env, code, error);
        vg_error_free(error);
        return NULL;
    }
    int fd = -1;
    code = vg_client_event_fd(handle, &fd);
    vgn_client *client = calloc(1, sizeof *client);
    uv_poll_t *poll = calloc(1, sizeof *poll);
    uv_loop_t *loop = NULL;
    if (code != VG_OK || client == NULL || poll == NULL || napi_get_uv_event_loop(env, &loop) != napi_ok ||
        uv_poll_init(loop, poll, fd) != 0) {
        free(poll);
        free(client);
        vg_client_free(handle);
        vgn_throw_vg(env, code != VG_OK ? code : VG_E_INTERNAL, NULL);
        return NULL;
    }
    client->handle = handle;
    client->env = env;
    client->poll = poll;
    client->refs = 1;
    poll->data = client;
    napi_value resource, name, obj;
    napi_create_object(env, &resource);
    napi_create_string_utf8(env, "videogen", NAPI_AUTO_LENGTH, &name);
    napi_async_init(env, resource, name, &client->context);
    uv_poll_start(poll, UV_READABLE, on_readable);
    update_liveness(client);
    napi_create_object(env, &obj);
    napi_type_tag_object(env, obj, &VGN_CLIENT_TAG);
    napi_wrap(env, obj, client, finalize_client, NULL, NULL);
    return obj;
}

/** closeClient(client): cancels every operation (their promises reject), then frees the client. Idempotent. */
napi_value vgn_client_close(napi_env env, napi_callback_info info) {
    napi_value argv[1];
    if (vgn_args(env, info, 1, argv, "closeClient(client)") != 0) return NULL;
    vgn_client *client = vgn_client_of(env, argv[0]);
    if (client == NULL) return NULL;
    if (client->dispatching) client->close_pending = 1;
    else close_now(env, client);
    return undefined(env);
}

/** Throws the error a closed client gives; returns NULL. */
static napi_value closed_error(napi_env env) {
    napi_throw(env, vgn_error_value(env, VG_E_INVALID_HANDLE, NULL, "the client is closed"));
    return NULL;
}

/** submit(client, requestJson, onUpdate): starts an asynchronous submit; returns the new task object. */
napi_value vgn_client_submit(napi_env env, napi_callback_info info) {
    napi_value argv[3];
    if (vgn_args(env, info, 3, argv, "submit(client, requestJson, onUpdate)") != 0) return NULL;
    vgn_client *client = vgn_client_of(env, argv[0]);
    if (client == NULL) return NULL;
    napi_valuetype type;
    napi_typeof(env, argv[2], &type);
    if (type != napi_function) {
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "onUpdate must be a function");
        return NULL;
    }
    if (client->handle == NULL || client->close_pending) return closed_error(env);
    char *request = vgn_string_arg(env, argv[1], "request");
    if (request == NULL) return NULL;
    vg_task *task = NULL;
    vg_error *error = NULL;
    vg_code code = vg_client_submit_async(client->handle, request, &task, &error);
    free(request);
    if (code != VG_OK) {
        vgn_throw_vg(env, code, error);
        vg_error_free(error);
        return NULL;
    }
    napi_value obj = vgn_task_wrap(env, client, task);
    if (obj == NULL || vgn_client_track(client, task, argv[2]) != 0) return NULL;
    return obj;
}

/** resume(client, recordJson): a task object for the record (no network traffic). */
napi_value vgn_client_resume(napi_env env, napi_callback_info info) {
    napi_value argv[2];
    if (vgn_args(env, info, 2, argv, "resume(client, recordJson)") != 0) return NULL;
    vgn_client *client = vgn_client_of(env, argv[0]);
    if (client == NULL) return NULL;
    if (client->handle == NULL || client->close_pending) return closed_error(env);
    char *record = vgn_string_arg(env, argv[1], "record");
    if (record == NULL) return NULL;
    vg_task *task = NULL;
    vg_error *error = NULL;
    vg_code code = vg_client_resume(client->handle, record, &task, &error);
    free(record);
    if (code != VG_OK) {
        vgn_throw_vg(env, code, error);
        vg_error_free(error);
        return NULL;
    }
    return vgn_task_wrap(env, client, task);
}

/** pending(client): how many operations are in flight (for tests and close()). */
napi_value vgn_client_pending(napi_env env, napi_callback_info info) {
    napi_value argv[1], result;
    if (vgn_args(env, info, 1, argv, "pending(client)") != 0) return NULL;
    vgn_client *client = vgn_client_of(env, argv[0]);
    if (client == NULL) return NULL;
    napi_create_uint32(env, (uint32_t)client->op_count, &result);
    return result;
}
