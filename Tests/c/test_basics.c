/*
 * test_basics.c: versions, code and state names, client configuration and request validation. No test here
 * needs the network: request validation runs against a client whose base URL has no listener, so a request that
 * reached the network would fail with VG_E_NETWORK instead of the expected validation code.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A loopback URL nothing listens on (port 1, tcpmux, is not served on a test machine). */
#define DEAD_URL "http://127.0.0.1:1"

/* Creates a client from `config` expecting failure with `expected`; returns the error (caller frees). */
static vg_error *create_expecting(const char *config, vg_code expected, const char *file, int line)
{
    vg_client *client = (vg_client *)(uintptr_t)0x1; /* garbage: must be set to NULL on failure */
    vg_error *error = NULL;
    vg_code code = vg_client_create(config, &client, &error);
    if (code != expected) {
        t_fail(file, line, "vg_client_create(%s) returned %d (%s: %s), expected %d (%s)", config, (int)code,
               vg_code_str(code), vg_error_message(error), (int)expected, vg_code_str(expected));
    }
    if (code != VG_OK) {
        if (client != NULL) t_fail(file, line, "vg_client_create failed but did not set *out to NULL");
        if (error == NULL) t_fail(file, line, "vg_client_create failed but set no error");
        else if (vg_error_code(error) != code)
            t_fail(file, line, "vg_error_code is %d, the call returned %d", (int)vg_error_code(error), (int)code);
    } else {
        vg_client_free(client);
    }
    return error;
}

#define CREATE_EXPECTING(config, expected) create_expecting((config), (expected), __FILE__, __LINE__)

/* ---- Versions and names. ---- */

void version_numbers(void)
{
    char expected[32];
    CHECKF(vg_version_number() == VG_VERSION_NUM, "vg_version_number() = 0x%x, header says 0x%x",
           vg_version_number(), (unsigned int)VG_VERSION_NUM);
    CHECK(vg_version_string() != NULL);
    CHECK_STR_EQ(vg_version_string(), VG_VERSION_STRING);
    CHECKF(vg_abi_version() == VG_ABI_VERSION, "vg_abi_version() = %u, header says %d", vg_abi_version(),
           VG_ABI_VERSION);
    snprintf(expected, sizeof expected, "%d.%d.%d", VG_VERSION_MAJOR, VG_VERSION_MINOR, VG_VERSION_PATCH);
    CHECK_STR_EQ(VG_VERSION_STRING, expected);
    CHECK_STR_EQ(vg_version_string(), expected);
    CHECK(vg_version_number() == (unsigned int)((VG_VERSION_MAJOR << 16) | (VG_VERSION_MINOR << 8) | VG_VERSION_PATCH));
    /* Static text: the same pointer, unchanged, on every call. */
    CHECK(vg_version_string() == vg_version_string());
}

void code_strings(void)
{
    int i, j;
/* The last code this header knows; bump it when a code is appended. */
#define LAST_CODE VG_E_NOMEM
    const char *texts[LAST_CODE + 1];
    const vg_code bad[] = {(vg_code)(LAST_CODE + 1), (vg_code)100, (vg_code)1000, (vg_code)0x7fffffff,
                           (vg_code)-1};
    for (i = VG_OK; i <= LAST_CODE; i++) {
        texts[i] = vg_code_str((vg_code)i);
        CHECKF(texts[i] != NULL, "vg_code_str(%d) is NULL", i);
        if (texts[i] == NULL) continue;
        CHECKF(texts[i][0] != '\0', "vg_code_str(%d) is empty", i);
        CHECKF(strcmp(texts[i], "unknown error code") != 0, "vg_code_str(%d) says \"unknown error code\"", i);
        CHECKF(vg_code_str((vg_code)i) == texts[i], "vg_code_str(%d) is not static text", i);
    }
    for (i = VG_OK; i <= LAST_CODE; i++) {
        for (j = i + 1; j <= LAST_CODE; j++) {
            if (texts[i] && texts[j]) CHECKF(strcmp(texts[i], texts[j]) != 0, "codes %d and %d share \"%s\"", i, j, texts[i]);
        }
    }
    /* The examples of the header. */
    CHECK_STR_EQ(vg_code_str(VG_E_RATE_LIMITED), "rate limited");
    for (i = 0; i < (int)(sizeof bad / sizeof bad[0]); i++) {
        CHECK_STR_EQ(vg_code_str(bad[i]), "unknown error code");
    }
    /* The numbering is part of the ABI. */
    CHECK(VG_OK == 0 && VG_E_INVALID_HANDLE == 4 && VG_E_AUTH == 6 && VG_E_CANCELLED == 17 && VG_E_INTERNAL == 25 &&
          VG_E_BUSY == 26 && VG_E_NOMEM == 27);
}

void state_strings(void)
{
    const char *names[] = {"queued", "running", "succeeded", "failed", "cancelled", "expired"};
    const vg_state bad[] = {(vg_state)6, (vg_state)7, (vg_state)1000, (vg_state)-1};
    int i;
    CHECK(VG_STATE_QUEUED == 0 && VG_STATE_EXPIRED == 5);
    for (i = VG_STATE_QUEUED; i <= VG_STATE_EXPIRED; i++) {
        CHECK_STR_EQ(vg_state_str((vg_state)i), names[i]);
    }
    for (i = 0; i < (int)(sizeof bad / sizeof bad[0]); i++) {
        CHECK_STR_EQ(vg_state_str(bad[i]), "unknown");
    }
}

/* ---- Idempotency keys from job ids. ---- */

/* The key of (job_id, scope), which must succeed; the caller frees it. */
static char *key_of(const char *job_id, const char *scope)
{
    char *key = (char *)(uintptr_t)0x1;
    vg_error *error = NULL;
    CHECK_CODE_E(vg_idempotency_key(job_id, scope, &key, &error), VG_OK, error);
    vg_error_free(error);
    return key;
}

/* The call fails with VG_E_INVALID_ARGUMENT, sets *out_key to NULL, and its message names `field`. */
static void key_refused(const char *job_id, const char *scope, const char *field)
{
    char *key = (char *)(uintptr_t)0x1;
    vg_error *error = NULL;
    CHECK_CODE(vg_idempotency_key(job_id, scope, &key, &error), VG_E_INVALID_ARGUMENT);
    CHECK(key == NULL);
    CHECK(vg_error_code(error) == VG_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(vg_error_message(error), field);
    vg_error_free(error);
}

void idempotency_keys(void)
{
    /* Known answers, computed apart from the library (Python's hashlib and uuid: RFC 9562's SHA-256 name-based
     * version-8 UUID over the namespace's 16 bytes, the scope, a zero byte and the job id). */
    struct { const char *job, *scope, *key; } known[] = {
        {"order-42", NULL, "e2489364-9895-8ee0-8db3-7ffd4e039868"},
        {"order-42", "", "e2489364-9895-8ee0-8db3-7ffd4e039868"},
        {"order-42", "batch-2026-12", "be18f1c0-9ac7-8dea-a32a-3fae0141c839"},
        {"\xc3\xa9/\xc3\xbc \xe6\xbc\xa2", NULL, "b1f3028a-46f2-886f-a2d8-9d3c26f0223a"},
    };
    char long_text[4098];
    char *key;
    size_t i;
    for (i = 0; i < sizeof known / sizeof known[0]; i++) {
        key = key_of(known[i].job, known[i].scope);
        CHECK_STR_EQ(key, known[i].key);
        vg_string_free(key);
    }
    /* Deterministic, and different for another job or scope; the name is unambiguous ("a" + "b\0c" cannot occur). */
    {
        char *first = key_of("job-1", "s"), *again = key_of("job-1", "s"), *other = key_of("job-2", "s"),
             *scoped = key_of("job-1", "t");
        CHECK_STR_EQ(first, again);
        CHECK(first && other && strcmp(first, other) != 0);
        CHECK(first && scoped && strcmp(first, scoped) != 0);
        CHECK(first && strlen(first) == 36 && first[14] == '8' && strchr("89ab", first[19]) != NULL);
        vg_string_free(first);
        vg_string_free(again);
        vg_string_free(other);
        vg_string_free(scoped);
    }
    /* 4096 bytes are taken, 4097 refused, for each text. */
    memset(long_text, 'j', 4096);
    long_text[4096] = '\0';
    key = key_of(long_text, long_text);
    CHECK(key != NULL);
    vg_string_free(key);
    long_text[4096] = 'j';
    long_text[4097] = '\0';
    key_refused(long_text, NULL, "job_id");
    key_refused("job", long_text, "scope");
    key_refused(NULL, NULL, "job_id");
    key_refused("", "scope", "job_id");
    key_refused("\xff\xfe", NULL, "job_id");
    key_refused("job", "\xc3", "scope");
    CHECK_CODE(vg_idempotency_key("job", NULL, NULL, NULL), VG_E_INVALID_ARGUMENT);
}

/* ---- Client configuration. ---- */

void config_literal_key(void)
{
    char config[512];
    vg_client *client = NULL;
    vg_error *error = (vg_error *)(uintptr_t)0x1; /* garbage: must be set to NULL on success */
    snprintf(config, sizeof config, "{\"dialect\": \"openai\", \"base_url\": \"%s\", \"api_key\": \"%s\"}",
             g_base_url, TEST_API_KEY);
    CHECK_CODE(vg_client_create(config, &client, &error), VG_OK);
    CHECK(client != NULL);
    CHECK(error == NULL);
    vg_client_free(client);
    /* The other dialect, https to a remote host, a trailing /v1. */
    client = NULL;
    CHECK_CODE(vg_client_create("{\"dialect\": \"unified\", \"base_url\": \"https://api.example.com/v1\","
                                " \"api_key\": \"sk-x\"}", &client, NULL), VG_OK);
    CHECK(client != NULL);
    vg_client_free(client);
}

void config_env_key(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    CHECK(client != NULL);
    vg_client_free(client);
    client = make_client("unified", g_base_url, "\"wait_timeout\": 60, \"stall_timeout\": 10");
    CHECK(client != NULL);
    vg_client_free(client);
}

void config_missing_key_env(void)
{
    char config[512];
    vg_error *error;
    snprintf(config, sizeof config,
             "{\"dialect\": \"openai\", \"base_url\": \"%s\", \"api_key_env\": \"VG_TEST_UNSET_VARIABLE\"}",
             g_base_url);
    error = CREATE_EXPECTING(config, VG_E_AUTH);
    CHECK_CONTAINS(vg_error_message(error), "VG_TEST_UNSET_VARIABLE");
    CHECK(vg_error_http_status(error) == 0);
    vg_error_free(error);
}

void config_empty_key_env(void)
{
    char config[512];
    vg_error *error;
    setenv("VG_TEST_EMPTY_VARIABLE", "", 1);
    snprintf(config, sizeof config,
             "{\"dialect\": \"openai\", \"base_url\": \"%s\", \"api_key_env\": \"VG_TEST_EMPTY_VARIABLE\"}",
             g_base_url);
    error = CREATE_EXPECTING(config, VG_E_AUTH);
    vg_error_free(error);
    unsetenv("VG_TEST_EMPTY_VARIABLE");
}

void config_no_key(void)
{
    char config[512];
    snprintf(config, sizeof config, "{\"dialect\": \"openai\", \"base_url\": \"%s\"}", g_base_url);
    vg_error_free(CREATE_EXPECTING(config, VG_E_AUTH));
}

void config_unknown_dialect(void)
{
    char config[512];
    vg_error *error;
    snprintf(config, sizeof config, "{\"dialect\": \"klingon\", \"base_url\": \"%s\", \"api_key\": \"sk-x\"}",
             g_base_url);
    error = CREATE_EXPECTING(config, VG_E_UNSUPPORTED);
    CHECK_CONTAINS(vg_error_message(error), "klingon");
    vg_error_free(error);
}

void config_relative_url(void)
{
    const char *configs[] = {
        "{\"dialect\": \"openai\", \"base_url\": \"/v1\", \"api_key\": \"sk-x\"}",
        "{\"dialect\": \"openai\", \"base_url\": \"api.example.com/v1\", \"api_key\": \"sk-x\"}",
        "{\"dialect\": \"openai\", \"base_url\": \"\", \"api_key\": \"sk-x\"}",
    };
    size_t i;
    for (i = 0; i < sizeof configs / sizeof configs[0]; i++) {
        vg_error_free(CREATE_EXPECTING(configs[i], VG_E_INVALID_ARGUMENT));
    }
}

void config_ftp_url(void)
{
    vg_error_free(CREATE_EXPECTING("{\"dialect\": \"openai\", \"base_url\": \"ftp://127.0.0.1/videos\","
                                   " \"api_key\": \"sk-x\"}", VG_E_INVALID_ARGUMENT));
    vg_error_free(CREATE_EXPECTING("{\"dialect\": \"unified\", \"base_url\": \"file:///etc/passwd\","
                                   " \"api_key\": \"sk-x\"}", VG_E_INVALID_ARGUMENT));
}

void config_insecure_http(void)
{
    vg_client *client = NULL;
    vg_error *error = NULL;
    error = CREATE_EXPECTING("{\"dialect\": \"openai\", \"base_url\": \"http://example.com\", \"api_key\": \"sk-x\"}",
                             VG_E_INSECURE);
    vg_error_free(error);
    error = CREATE_EXPECTING("{\"dialect\": \"unified\", \"base_url\": \"http://10.1.2.3:8080/v1\","
                             " \"api_key\": \"sk-x\", \"allow_insecure_http\": false}", VG_E_INSECURE);
    vg_error_free(error);
    error = NULL;
    CHECK_CODE_E(vg_client_create("{\"dialect\": \"openai\", \"base_url\": \"http://example.com\","
                                  " \"api_key\": \"sk-x\", \"allow_insecure_http\": true}", &client, &error),
                 VG_OK, error);
    CHECK(client != NULL);
    vg_client_free(client);
    vg_error_free(error);
    /* Loopback http needs no permission. */
    client = NULL;
    CHECK_CODE(vg_client_create("{\"dialect\": \"openai\", \"base_url\": \"http://localhost:9\", \"api_key\": \"sk-x\"}",
                                &client, NULL), VG_OK);
    vg_client_free(client);
}

void config_malformed_json(void)
{
    const char *configs[] = {
        "",
        "{",
        "not json",
        "{\"dialect\": \"openai\", \"base_url\": \"http://127.0.0.1:9\", \"api_key\": \"sk-x\"",
        "{\"dialect\": \"openai\", \"base_url\": \"http://127.0.0.1:9\", \"api_key\": \"sk-x\"} trailing",
        "{'dialect': 'openai'}",
        "[\"openai\"]",
        "42",
        "null",
    };
    size_t i;
    for (i = 0; i < sizeof configs / sizeof configs[0]; i++) {
        vg_error_free(CREATE_EXPECTING(configs[i], VG_E_INVALID_JSON));
    }
}

void config_unknown_key(void)
{
    vg_error *error;
    error = CREATE_EXPECTING("{\"dialect\": \"openai\", \"base_url\": \"http://127.0.0.1:9\", \"api_key\": \"sk-x\","
                             " \"frobnicate_level\": 3}", VG_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(vg_error_message(error), "frobnicate_level");
    vg_error_free(error);
    /* Unknown keys inside a nested object are refused by name too. */
    error = CREATE_EXPECTING("{\"dialect\": \"openai\", \"base_url\": \"http://127.0.0.1:9\", \"api_key\": \"sk-x\","
                             " \"poll\": {\"interval\": 1, \"wobble\": 2}}", VG_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(vg_error_message(error), "wobble");
    vg_error_free(error);
}

void config_wrong_type(void)
{
    vg_error *error;
    error = CREATE_EXPECTING("{\"dialect\": \"openai\", \"base_url\": \"http://127.0.0.1:9\", \"api_key\": \"sk-x\","
                             " \"request_timeout\": \"ten\"}", VG_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(vg_error_message(error), "request_timeout");
    vg_error_free(error);
    error = CREATE_EXPECTING("{\"dialect\": \"openai\", \"base_url\": \"http://127.0.0.1:9\", \"api_key\": \"sk-x\","
                             " \"allow_insecure_http\": \"yes\"}", VG_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(vg_error_message(error), "allow_insecure_http");
    vg_error_free(error);
    error = CREATE_EXPECTING("{\"dialect\": \"openai\", \"base_url\": 42, \"api_key\": \"sk-x\"}",
                             VG_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(vg_error_message(error), "base_url");
    vg_error_free(error);
    error = CREATE_EXPECTING("{\"dialect\": \"openai\", \"base_url\": \"http://127.0.0.1:9\", \"api_key\": \"sk-x\","
                             " \"request_timeout\": -5}", VG_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(vg_error_message(error), "request_timeout");
    vg_error_free(error);
}

void config_secret_not_in_messages(void)
{
    const char *secret = "sk-SECRET-d41d8cd98f00b204";
    const char *templates[] = {
        "{\"dialect\": \"openai\", \"base_url\": \"http://127.0.0.1:9\", \"api_key\": \"%s\", \"bogus\": 1}",
        "{\"dialect\": \"openai\", \"base_url\": \"http://example.com\", \"api_key\": \"%s\"}",
        "{\"dialect\": \"nope\", \"base_url\": \"http://127.0.0.1:9\", \"api_key\": \"%s\"}",
        "{\"dialect\": \"openai\", \"base_url\": \"http://127.0.0.1:9\", \"api_key\": \"%s\", \"api_key_env\": \"X\"}",
        "{\"dialect\": \"openai\", \"base_url\": \"http://127.0.0.1:9\", \"api_key\": \"%s\", \"poll\": 3}",
        "{\"dialect\": \"openai\", \"base_url\": \"http://127.0.0.1:9\", \"api_key\": \"%s\" broken",
    };
    size_t i;
    for (i = 0; i < sizeof templates / sizeof templates[0]; i++) {
        char config[512];
        vg_client *client = NULL;
        vg_error *error = NULL;
        vg_code code;
        snprintf(config, sizeof config, templates[i], secret);
        code = vg_client_create(config, &client, &error);
        CHECKF(code != VG_OK, "config %u was accepted: %s", (unsigned int)i, config);
        CHECKF(strstr(vg_error_message(error), secret) == NULL, "the message of config %u contains the key: %s",
               (unsigned int)i, vg_error_message(error));
        CHECKF(strstr(vg_error_message(error), "d41d8cd98f00b204") == NULL,
               "the message of config %u contains part of the key: %s", (unsigned int)i, vg_error_message(error));
        vg_client_free(client);
        vg_error_free(error);
    }
    /* Credentials in the base URL are refused, without echoing them. */
    {
        vg_error *error = CREATE_EXPECTING("{\"dialect\": \"openai\", \"base_url\": "
                                           "\"https://user:sk-SECRET-d41d8cd98f00b204@api.example.com\","
                                           " \"api_key\": \"sk-x\"}", VG_E_INVALID_ARGUMENT);
        CHECK_NOT_CONTAINS(vg_error_message(error), "d41d8cd98f00b204");
        vg_error_free(error);
    }
}

void config_out_cleared_on_failure(void)
{
    vg_client *client = (vg_client *)(uintptr_t)0x1234;
    vg_error *error = (vg_error *)(uintptr_t)0x5678;
    vg_code code = vg_client_create("{\"dialect\": \"openai\"}", &client, &error);
    CHECK(code != VG_OK);
    CHECK(client == NULL);
    CHECK(error != NULL && error != (vg_error *)(uintptr_t)0x5678);
    CHECK(vg_error_code(error) == code);
    vg_error_free(error);
    /* error may be NULL: the code alone comes back. */
    client = (vg_client *)(uintptr_t)0x1234;
    CHECK_CODE(vg_client_create("{\"dialect\": \"openai\", \"base_url\": \"ftp://x\", \"api_key\": \"k\"}", &client,
                                NULL), VG_E_INVALID_ARGUMENT);
    CHECK(client == NULL);
}

/* ---- Request validation (before any network traffic). ---- */

/* Submits `request` on a client of `dialect` that points at nothing; expects `expected`; returns the error. */
static vg_error *submit_expecting(const char *dialect, const char *request, vg_code expected, const char *file,
                                  int line)
{
    vg_client *client = make_client(dialect, DEAD_URL, NULL);
    vg_task *task = (vg_task *)(uintptr_t)0x1;
    vg_error *error = NULL;
    vg_code code;
    if (client == NULL) return NULL;
    code = vg_client_submit(client, request, &task, &error);
    if (code != expected) {
        t_fail(file, line, "%s: vg_client_submit(%s) returned %d (%s: %s), expected %d (%s)", dialect, request,
               (int)code, vg_code_str(code), vg_error_message(error), (int)expected, vg_code_str(expected));
    }
    if (code != VG_OK && task != NULL) t_fail(file, line, "vg_client_submit failed but did not set *out to NULL");
    if (code != VG_OK && vg_error_code(error) != code) t_fail(file, line, "the error's code differs from the result");
    if (code == VG_OK) vg_task_free(task);
    vg_client_free(client);
    return error;
}

#define SUBMIT_EXPECTING(dialect, request, expected) submit_expecting((dialect), (request), (expected), __FILE__, __LINE__)

static const char *const dialects[] = {"openai", "unified"};

void request_missing_model(void)
{
    size_t i;
    for (i = 0; i < 2; i++) {
        vg_error *error = SUBMIT_EXPECTING(dialects[i], "{\"prompt\": \"a fox\"}", VG_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(vg_error_message(error), "model");
        vg_error_free(error);
        error = SUBMIT_EXPECTING(dialects[i], "{\"model\": \"\", \"prompt\": \"a fox\"}", VG_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(vg_error_message(error), "model");
        vg_error_free(error);
    }
}

void request_missing_prompt(void)
{
    size_t i;
    for (i = 0; i < 2; i++) {
        vg_error *error = SUBMIT_EXPECTING(dialects[i], "{\"model\": \"sora-2\"}", VG_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(vg_error_message(error), "prompt");
        vg_error_free(error);
        error = SUBMIT_EXPECTING(dialects[i], "{\"model\": \"sora-2\", \"prompt\": null}", VG_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(vg_error_message(error), "prompt");
        vg_error_free(error);
    }
}

void request_unknown_field(void)
{
    size_t i;
    for (i = 0; i < 2; i++) {
        vg_error *error = SUBMIT_EXPECTING(dialects[i], "{\"model\": \"sora-2\", \"prompt\": \"a fox\", \"colour\": \"red\"}",
                                           VG_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(vg_error_message(error), "colour");
        vg_error_free(error);
    }
}

void request_wrong_type(void)
{
    size_t i;
    for (i = 0; i < 2; i++) {
        vg_error *error = SUBMIT_EXPECTING(dialects[i], "{\"model\": \"sora-2\", \"prompt\": \"a fox\", \"duration\": \"4\"}",
                                           VG_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(vg_error_message(error), "duration");
        vg_error_free(error);
        error = SUBMIT_EXPECTING(dialects[i], "{\"model\": 7, \"prompt\": \"a fox\"}", VG_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(vg_error_message(error), "model");
        vg_error_free(error);
        error = SUBMIT_EXPECTING(dialects[i], "{\"model\": \"sora-2\", \"prompt\": \"a fox\", \"watermark\": 1}",
                                 VG_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(vg_error_message(error), "watermark");
        vg_error_free(error);
        error = SUBMIT_EXPECTING(dialects[i], "{\"model\": \"sora-2\", \"prompt\": \"a fox\", \"size\": \"big\"}",
                                 VG_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(vg_error_message(error), "size");
        vg_error_free(error);
    }
}

void request_malformed_json(void)
{
    const char *requests[] = {"", "{", "{\"model\": \"sora-2\", \"prompt\": \"a fox\"", "[1, 2]", "\"text\"",
                              "{\"model\": \"sora-2\", \"prompt\": \"a fox\"} {}"};
    size_t i, d;
    for (d = 0; d < 2; d++) {
        for (i = 0; i < sizeof requests / sizeof requests[0]; i++) {
            vg_error_free(SUBMIT_EXPECTING(dialects[d], requests[i], VG_E_INVALID_JSON));
        }
    }
}

void request_openai_seed_unsupported(void)
{
    vg_error *error = SUBMIT_EXPECTING("openai", "{\"model\": \"sora-2\", \"prompt\": \"a fox\", \"seed\": 42}",
                                       VG_E_UNSUPPORTED);
    CHECK_CONTAINS(vg_error_message(error), "seed");
    vg_error_free(error);
}
