/* addon.c: the module's entry point: checks the loaded library's ABI and version, exports the native functions. */
#include <stdio.h>

#include "vgn.h"

/** The binding needs the *_v2 calls (vg_update), which came with libvideogen 0.3.0. */
#define VGN_MIN_VERSION 0x000300u

static napi_value version_info(napi_env env) {
    napi_value obj;
    napi_create_object(env, &obj);
    vgn_set_string(env, obj, "library", vg_version_string());
    vgn_set_number(env, obj, "libraryNumber", vg_version_number());
    vgn_set_number(env, obj, "abi", vg_abi_version());
    vgn_set_string(env, obj, "header", VG_VERSION_STRING);
    return obj;
}

/** codeNames: vg_code_str of every code this header knows, indexed by value. */
static napi_value code_texts(napi_env env) {
    napi_value array;
    napi_create_array(env, &array);
    for (int code = VG_OK; code <= VG_E_NOMEM; code++) {
        napi_value text;
        napi_create_string_utf8(env, vg_code_str((vg_code)code), NAPI_AUTO_LENGTH, &text);
        napi_set_element(env, array, (uint32_t)code, text);
    }
    return array;
}

static napi_value init(napi_env env, napi_value exports) {
    if (vg_abi_version() != VG_ABI_VERSION || vg_version_number() < VGN_MIN_VERSION) {
        char message[200];
        snprintf(message, sizeof message,
                 "libvideogen %s (ABI %u) cannot serve this binding: it needs ABI %d and version 0.3.0 or later",
                 vg_version_string(), vg_abi_version(), VG_ABI_VERSION);
        napi_throw_error(env, "ERR_VIDEOGEN_LIBRARY", message);
        return NULL;
    }
    napi_property_descriptor functions[] = {
        {"createClient", NULL, vgn_client_create, NULL, NULL, NULL, napi_enumerable, NULL},
        {"closeClient", NULL, vgn_client_close, NULL, NULL, NULL, napi_enumerable, NULL},
        {"submit", NULL, vgn_client_submit, NULL, NULL, NULL, napi_enumerable, NULL},
        {"resume", NULL, vgn_client_resume, NULL, NULL, NULL, napi_enumerable, NULL},
        {"pending", NULL, vgn_client_pending, NULL, NULL, NULL, napi_enumerable, NULL},
        {"wait", NULL, vgn_task_wait, NULL, NULL, NULL, napi_enumerable, NULL},
        {"download", NULL, vgn_task_download, NULL, NULL, NULL, napi_enumerable, NULL},
        {"cancel", NULL, vgn_task_cancel, NULL, NULL, NULL, napi_enumerable, NULL},
        {"cancelRemote", NULL, vgn_task_cancel_remote, NULL, NULL, NULL, napi_enumerable, NULL},
        {"closeTask", NULL, vgn_task_close, NULL, NULL, NULL, napi_enumerable, NULL},
        {"snapshot", NULL, vgn_task_snapshot, NULL, NULL, NULL, napi_enumerable, NULL},
        {"downloadOutput", NULL, vgn_task_download_output, NULL, NULL, NULL, napi_enumerable, NULL},
        {"idempotencyKey", NULL, vgn_idempotency_key, NULL, NULL, NULL, napi_enumerable, NULL},
        {"webhookVerify", NULL, vgn_webhook_verify, NULL, NULL, NULL, napi_enumerable, NULL},
        {"webhookApply", NULL, vgn_webhook_apply, NULL, NULL, NULL, napi_enumerable, NULL},
    };
    napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
    napi_set_named_property(env, exports, "version", version_info(env));
    napi_set_named_property(env, exports, "codeTexts", code_texts(env));
    return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
