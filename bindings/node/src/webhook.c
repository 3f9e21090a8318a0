/* webhook.c: vg_webhook_verify and vg_client_webhook_apply: verify a provider's callback, apply it to the task it
 * names. Both run on the JS thread and return at once (a verifier with jwks_url fetches fal's keys on its first
 * callback: give "jwks" to keep the thread free). */
#include <stdlib.h>
#include <string.h>

#include "vgn.h"

/* The four string arguments and the body Buffer at argv[first...]; 0 on success (all set), -1 with a JS error thrown
 * (all freed). */
static int webhook_args(napi_env env, napi_value *argv, char **strings, void **body, size_t *length) {
    static const char *names[4] = {"verifier", "method", "target", "headers"};
    for (int i = 0; i < 4; i++) {
        strings[i] = vgn_string_arg(env, argv[i], names[i]);
        if (strings[i] == NULL) {
            for (int j = 0; j < i; j++) free(strings[j]);
            return -1;
        }
    }
    bool is_buffer = false;
    if (napi_is_buffer(env, argv[4], &is_buffer) != napi_ok || !is_buffer ||
        napi_get_buffer_info(env, argv[4], body, length) != napi_ok) {
        for (int j = 0; j < 4; j++) free(strings[j]);
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "body must be a Buffer (the raw bytes received)");
        return -1;
    }
    return 0;
}

/* {verdict, result} of a call, or NULL with the error thrown. */
static napi_value webhook_result(napi_env env, vg_code code, vg_webhook_verdict verdict, char *result, vg_error *error) {
    if (code != VG_OK) {
        vgn_throw_vg(env, code, error);
        vg_error_free(error);
        vg_string_free(result);
        return NULL;
    }
    napi_value obj;
    napi_create_object(env, &obj);
    vgn_set_number(env, obj, "verdict", (double)verdict);
    vgn_set_string(env, obj, "result", result != NULL ? result : "{}");
    vg_string_free(result);
    return obj;
}

/** webhookVerify(verifierJson, method, target, headers, body): {verdict, result}. */
napi_value vgn_webhook_verify(napi_env env, napi_callback_info info) {
    napi_value argv[5];
    if (vgn_args(env, info, 5, argv, "webhookVerify(verifierJson, method, target, headers, body)") != 0) return NULL;
    char *s[4];
    void *body = NULL;
    size_t length = 0;
    if (webhook_args(env, argv, s, &body, &length) != 0) return NULL;
    vg_webhook_verdict verdict = VG_WEBHOOK_ACCEPTED;
    char *result = NULL;
    vg_error *error = NULL;
    vg_code code = vg_webhook_verify(s[0], s[1], s[2], s[3], body, length, &verdict, &result, &error);
    memset(s[0], 0, strlen(s[0])); /* the verifier holds the secret */
    for (int i = 0; i < 4; i++) free(s[i]);
    return webhook_result(env, code, verdict, result, error);
}

/** webhookApply(client, verifierJson, method, target, headers, body): {verdict, result}. */
napi_value vgn_webhook_apply(napi_env env, napi_callback_info info) {
    napi_value argv[6];
    if (vgn_args(env, info, 6, argv, "webhookApply(client, verifierJson, method, target, headers, body)") != 0) {
        return NULL;
    }
    vgn_client *client = vgn_client_of(env, argv[0]);
    if (client == NULL) return NULL;
    if (client->handle == NULL || client->close_pending) {
        napi_throw(env, vgn_error_value(env, VG_E_INVALID_HANDLE, NULL, "the client is closed"));
        return NULL;
    }
    char *s[4];
    void *body = NULL;
    size_t length = 0;
    if (webhook_args(env, argv + 1, s, &body, &length) != 0) return NULL;
    vg_webhook_verdict verdict = VG_WEBHOOK_ACCEPTED;
    char *result = NULL;
    vg_error *error = NULL;
    vg_code code = vg_client_webhook_apply(client->handle, s[0], s[1], s[2], s[3], body, length, &verdict, &result,
                                           &error);
    memset(s[0], 0, strlen(s[0]));
    for (int i = 0; i < 4; i++) free(s[i]);
    return webhook_result(env, code, verdict, result, error);
}
