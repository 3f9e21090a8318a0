/* update.c: a vg_update as the plain JS object the JS layer reads (every borrowed pointer copied out). */
#include <stddef.h>

#include "vgn.h"

/** Whether the library that filled `update` knows the member at `offset` (the header's growth rule). */
#define HAS_MEMBER(update, member) (offsetof(vg_update, member) < (update)->size)

static const char *kind_name(vg_event_kind kind) {
    switch (kind) {
    case VG_EVENT_UPDATE: return "update";
    case VG_EVENT_TRANSFER: return "transfer";
    case VG_EVENT_DONE: return "done";
    }
    return "unknown";
}

napi_value vgn_update_value(napi_env env, const vg_update *update) {
    napi_value obj;
    napi_create_object(env, &obj);
    vgn_set_string(env, obj, "kind", kind_name(update->kind));
    vgn_set_number(env, obj, "code", (double)update->code);
    if (update->kind == VG_EVENT_DONE && update->code != VG_OK) {
        vgn_set_value(env, obj, "error", vgn_error_value(env, update->code, update->error, NULL));
    } else {
        vgn_set_null(env, obj, "error");
    }
    vgn_set_string(env, obj, "state", vg_state_str(update->state));
    if (update->progress >= 0) vgn_set_number(env, obj, "progress", update->progress);
    else vgn_set_null(env, obj, "progress");
    if (update->queue_position >= 0) vgn_set_number(env, obj, "queuePosition", update->queue_position);
    else vgn_set_null(env, obj, "queuePosition");
    vgn_set_number(env, obj, "bytesReceived", (double)update->bytes_received);
    if (update->bytes_total >= 0) vgn_set_number(env, obj, "bytesTotal", (double)update->bytes_total);
    else vgn_set_null(env, obj, "bytesTotal");
    if (HAS_MEMBER(update, task_error) && update->task_error != NULL) {
        vg_code code = vg_error_code(update->task_error);
        vgn_set_value(env, obj, "taskError", vgn_error_value(env, code, update->task_error, "task failed"));
    } else {
        vgn_set_null(env, obj, "taskError");
    }
    if (HAS_MEMBER(update, snapshot_json)) vgn_set_string(env, obj, "snapshot", update->snapshot_json);
    else vgn_set_null(env, obj, "snapshot");
    return obj;
}

napi_value vgn_done_value(napi_env env, vg_code code, const char *message) {
    napi_value obj;
    napi_create_object(env, &obj);
    vgn_set_string(env, obj, "kind", "done");
    vgn_set_number(env, obj, "code", (double)code);
    vgn_set_value(env, obj, "error", vgn_error_value(env, code, NULL, message));
    vgn_set_null(env, obj, "snapshot");
    vgn_set_null(env, obj, "taskError");
    return obj;
}
