/* util.c: argument reading, error values and object setters shared by the addon's files. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "vgn.h"

void vgn_set_value(napi_env env, napi_value obj, const char *name, napi_value value) {
    napi_set_named_property(env, obj, name, value);
}

void vgn_set_string(napi_env env, napi_value obj, const char *name, const char *value) {
    napi_value v;
    if (value == NULL) {
        napi_get_null(env, &v);
    } else if (napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &v) != napi_ok) {
        return;
    }
    vgn_set_value(env, obj, name, v);
}

void vgn_set_number(napi_env env, napi_value obj, const char *name, double value) {
    napi_value v;
    if (napi_create_double(env, value, &v) == napi_ok) vgn_set_value(env, obj, name, v);
}

void vgn_set_null(napi_env env, napi_value obj, const char *name) {
    napi_value v;
    napi_get_null(env, &v);
    vgn_set_value(env, obj, name, v);
}

napi_value vgn_error_value(napi_env env, vg_code code, const vg_error *error, const char *fallback) {
    napi_value obj;
    napi_create_object(env, &obj);
    vgn_set_number(env, obj, "vgCode", (double)code);
    const char *message = error != NULL ? vg_error_message(error) : "";
    if (message == NULL || message[0] == '\0') message = fallback != NULL ? fallback : vg_code_str(code);
    vgn_set_string(env, obj, "message", message);
    if (error != NULL && vg_error_http_status(error) > 0) {
        vgn_set_number(env, obj, "httpStatus", vg_error_http_status(error));
    } else {
        vgn_set_null(env, obj, "httpStatus");
    }
    vgn_set_string(env, obj, "providerCode", error != NULL ? vg_error_provider_code(error) : NULL);
    double retry = error != NULL ? vg_error_retry_after(error) : -1;
    if (retry >= 0) {
        vgn_set_number(env, obj, "retryAfter", retry);
    } else {
        vgn_set_null(env, obj, "retryAfter");
    }
    return obj;
}

void vgn_throw_vg(napi_env env, vg_code code, const vg_error *error) {
    napi_throw(env, vgn_error_value(env, code, error, NULL));
}

char *vgn_string_arg(napi_env env, napi_value value, const char *name) {
    char message[160];
    napi_valuetype type;
    if (napi_typeof(env, value, &type) != napi_ok || type != napi_string) {
        snprintf(message, sizeof message, "%s must be a string", name);
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
        return NULL;
    }
    size_t length = 0;
    if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) {
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", name);
        return NULL;
    }
    char *buffer = malloc(length + 1);
    if (buffer == NULL) {
        napi_throw_error(env, "ERR_OUT_OF_MEMORY", "out of memory");
        return NULL;
    }
    napi_get_value_string_utf8(env, value, buffer, length + 1, &length);
    if (strlen(buffer) != length) {
        /* A NUL inside would silently cut a path or a document short in C. */
        free(buffer);
        snprintf(message, sizeof message, "%s must not contain NUL characters", name);
        napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", message);
        return NULL;
    }
    return buffer;
}

int vgn_number_arg(napi_env env, napi_value value, const char *name, double *out) {
    napi_valuetype type;
    if (napi_typeof(env, value, &type) != napi_ok || type != napi_number) {
        char message[160];
        snprintf(message, sizeof message, "%s must be a number", name);
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
        return -1;
    }
    napi_get_value_double(env, value, out);
    return 0;
}

int vgn_args(napi_env env, napi_callback_info info, size_t count, napi_value *argv, const char *usage) {
    size_t argc = count;
    if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < count) {
        napi_throw_type_error(env, "ERR_MISSING_ARGS", usage);
        return -1;
    }
    return 0;
}
