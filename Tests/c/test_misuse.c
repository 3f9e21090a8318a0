/*
 * test_misuse.c: NULL arguments on every entry point, handle misuse (NULL, freed, stale, wrong-kind and forged
 * handles, double frees), the out-parameter conventions, and the refusal of bad records. The library must answer
 * with the documented code or empty value, never crash. No test here needs the network: tasks are made with
 * vg_client_resume from records written by hand.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEAD_URL "http://127.0.0.1:1"

static void make_record(char *buffer, size_t size, const char *dialect, const char *base_url, const char *id,
                        const char *state)
{
    snprintf(buffer, size,
             "{\"record_version\": 1, \"id\": \"%s\", \"dialect\": \"%s\", \"base_url\": \"%s\", \"state\": \"%s\"%s}",
             id, dialect, base_url, state,
             strcmp(state, "succeeded") == 0 ? ", \"video_url\": \"http://127.0.0.1:1/v1/videos/x/content\"" : "");
}

/* A task of a client on DEAD_URL, made from a record (no network). */
static vg_task *resumed_task(vg_client *client, const char *id, const char *state)
{
    char record[1024];
    vg_task *task = NULL;
    vg_error *error = NULL;
    vg_code code;
    make_record(record, sizeof record, "openai", DEAD_URL, id, state);
    code = vg_client_resume(client, record, &task, &error);
    if (code != VG_OK) {
        t_fail(__FILE__, __LINE__, "vg_client_resume(%s) failed: %s: %s", record, vg_code_str(code),
               vg_error_message(error));
        vg_error_free(error);
        return NULL;
    }
    return task;
}

/* An error handle: the error of a refused configuration. */
static vg_error *some_error(void)
{
    vg_error *error = NULL;
    vg_client *client = NULL;
    vg_client_create("{\"dialect\": \"openai\", \"base_url\": \"ftp://x\", \"api_key\": \"k\"}", &client, &error);
    if (error == NULL) t_fail(__FILE__, __LINE__, "a refused configuration gave no error handle");
    vg_client_free(client);
    return error;
}

/* 1 when the client handle works: it accepts a record of its own service (no network). */
static int client_works(vg_client *client)
{
    char record[1024];
    vg_task *task = NULL;
    vg_code code;
    make_record(record, sizeof record, "openai", DEAD_URL, "video_probe", "queued");
    code = vg_client_resume(client, record, &task, NULL);
    vg_task_free(task);
    return code == VG_OK;
}

/* Checks every task getter and call on an invalid task handle. */
static void check_invalid_task(vg_task *task, const char *what)
{
    vg_error *error = NULL;
    char *json = (char *)(uintptr_t)0x1;
    CHECKF(strcmp(vg_task_id(task), "") == 0, "%s: vg_task_id is \"%s\"", what, vg_task_id(task));
    CHECKF(vg_task_state(task) == VG_STATE_FAILED, "%s: vg_task_state is %d", what, (int)vg_task_state(task));
    CHECKF(vg_task_progress(task) == -1, "%s: vg_task_progress is %d", what, vg_task_progress(task));
    CHECKF(vg_task_queue_position(task) == -1, "%s: vg_task_queue_position is %d", what, vg_task_queue_position(task));
    CHECKF(vg_task_video_url(task) == NULL, "%s: vg_task_video_url is not NULL", what);
    CHECKF(vg_task_error_code(task) == VG_E_INVALID_HANDLE, "%s: vg_task_error_code is %d", what,
           (int)vg_task_error_code(task));
    CHECKF(vg_task_error_message(task) == NULL, "%s: vg_task_error_message is not NULL", what);
    CHECKF(vg_task_snapshot_json(task, &json) == VG_E_INVALID_HANDLE, "%s: vg_task_snapshot_json accepted it", what);
    CHECKF(json == NULL, "%s: vg_task_snapshot_json did not set *out to NULL", what);
    CHECKF(vg_task_poll(task, &error) == VG_E_INVALID_HANDLE, "%s: vg_task_poll accepted it", what);
    CHECKF(vg_error_code(error) == VG_E_INVALID_HANDLE, "%s: vg_task_poll's error has code %d", what,
           (int)vg_error_code(error));
    vg_error_free(error);
    error = NULL;
    CHECKF(vg_task_wait(task, 1, NULL, NULL, &error) == VG_E_INVALID_HANDLE, "%s: vg_task_wait accepted it", what);
    vg_error_free(error);
    error = NULL;
    CHECKF(vg_task_download(task, "/tmp/vg-never-written.mp4", NULL, NULL, &error) == VG_E_INVALID_HANDLE,
           "%s: vg_task_download accepted it", what);
    vg_error_free(error);
    error = NULL;
    CHECKF(vg_task_cancel(task, VG_CANCEL_LOCAL, &error) == VG_E_INVALID_HANDLE, "%s: vg_task_cancel accepted it",
           what);
    vg_error_free(error);
    CHECKF(vg_task_poll(task, NULL) == VG_E_INVALID_HANDLE, "%s: vg_task_poll(error NULL) accepted it", what);
    CHECKF(!file_exists("/tmp/vg-never-written.mp4"), "%s: a download to an invalid task wrote a file", what);
}

/* Checks every error getter on an invalid error handle. */
static void check_invalid_error(const vg_error *error, const char *what)
{
    CHECKF(vg_error_code(error) == VG_E_INVALID_HANDLE, "%s: vg_error_code is %d", what, (int)vg_error_code(error));
    CHECKF(vg_error_message(error) != NULL && strcmp(vg_error_message(error), "") == 0,
           "%s: vg_error_message is not \"\"", what);
    CHECKF(vg_error_http_status(error) == 0, "%s: vg_error_http_status is %d", what, vg_error_http_status(error));
    CHECKF(vg_error_provider_code(error) == NULL, "%s: vg_error_provider_code is not NULL", what);
    CHECKF(vg_error_retry_after(error) == -1, "%s: vg_error_retry_after is %g", what, vg_error_retry_after(error));
}

/* Checks every client call on an invalid client handle. */
static void check_invalid_client(vg_client *client, const char *what)
{
    char record[1024];
    vg_task *task = (vg_task *)(uintptr_t)0x1;
    vg_error *error = NULL;
    make_record(record, sizeof record, "openai", DEAD_URL, "video_x", "queued");
    CHECKF(vg_client_submit(client, "{\"model\": \"m\", \"prompt\": \"p\"}", &task, &error) == VG_E_INVALID_HANDLE,
           "%s: vg_client_submit accepted it", what);
    CHECKF(task == NULL, "%s: vg_client_submit did not set *out to NULL", what);
    CHECKF(vg_error_code(error) == VG_E_INVALID_HANDLE, "%s: the submit error has code %d", what,
           (int)vg_error_code(error));
    vg_error_free(error);
    error = NULL;
    task = (vg_task *)(uintptr_t)0x1;
    CHECKF(vg_client_resume(client, record, &task, &error) == VG_E_INVALID_HANDLE, "%s: vg_client_resume accepted it",
           what);
    CHECKF(task == NULL, "%s: vg_client_resume did not set *out to NULL", what);
    vg_error_free(error);
}

void null_args_client_create(void)
{
    char config[512];
    vg_client *client = (vg_client *)(uintptr_t)0x1;
    vg_error *error = NULL;
    snprintf(config, sizeof config, "{\"dialect\": \"openai\", \"base_url\": \"%s\", \"api_key\": \"k\"}", DEAD_URL);

    CHECK_CODE(vg_client_create(NULL, &client, &error), VG_E_INVALID_ARGUMENT);
    CHECK(client == NULL);
    CHECK(vg_error_code(error) == VG_E_INVALID_ARGUMENT);
    vg_error_free(error);
    error = NULL;

    CHECK_CODE(vg_client_create(config, NULL, &error), VG_E_INVALID_ARGUMENT);
    CHECK(error != NULL && vg_error_code(error) == VG_E_INVALID_ARGUMENT);
    vg_error_free(error);

    CHECK_CODE(vg_client_create(config, NULL, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_client_create(NULL, NULL, NULL), VG_E_INVALID_ARGUMENT);

    client = NULL;
    CHECK_CODE(vg_client_create(config, &client, NULL), VG_OK);
    CHECK(client != NULL);
    vg_client_free(client);
}

void null_args_client_submit(void)
{
    vg_client *client = make_client("openai", DEAD_URL, NULL);
    vg_task *task = (vg_task *)(uintptr_t)0x1;
    vg_error *error = NULL;
    const char *request = "{\"model\": \"sora-2\", \"prompt\": \"a fox\"}";
    REQUIRE(client != NULL);

    CHECK_CODE(vg_client_submit(NULL, request, &task, &error), VG_E_INVALID_HANDLE);
    CHECK(task == NULL);
    CHECK(vg_error_code(error) == VG_E_INVALID_HANDLE);
    vg_error_free(error);
    error = NULL;

    task = (vg_task *)(uintptr_t)0x1;
    CHECK_CODE(vg_client_submit(client, NULL, &task, &error), VG_E_INVALID_ARGUMENT);
    CHECK(task == NULL);
    CHECK(vg_error_code(error) == VG_E_INVALID_ARGUMENT);
    vg_error_free(error);
    error = NULL;

    CHECK_CODE(vg_client_submit(client, request, NULL, &error), VG_E_INVALID_ARGUMENT);
    CHECK(vg_error_code(error) == VG_E_INVALID_ARGUMENT);
    vg_error_free(error);

    CHECK_CODE(vg_client_submit(client, NULL, NULL, NULL), VG_E_INVALID_ARGUMENT);
    CHECK(vg_client_submit(NULL, NULL, NULL, NULL) != VG_OK);
    /* error NULL is allowed: a call that fails later (no listener) still returns its code. */
    task = (vg_task *)(uintptr_t)0x1;
    CHECK_CODE(vg_client_submit(client, "{\"model\": \"sora-2\"}", &task, NULL), VG_E_INVALID_ARGUMENT);
    CHECK(task == NULL);
done:
    vg_client_free(client);
}

void null_args_client_resume(void)
{
    vg_client *client = make_client("openai", DEAD_URL, NULL);
    vg_task *task = (vg_task *)(uintptr_t)0x1;
    vg_error *error = NULL;
    char record[1024];
    make_record(record, sizeof record, "openai", DEAD_URL, "video_abc", "queued");
    REQUIRE(client != NULL);

    CHECK_CODE(vg_client_resume(NULL, record, &task, &error), VG_E_INVALID_HANDLE);
    CHECK(task == NULL);
    CHECK(vg_error_code(error) == VG_E_INVALID_HANDLE);
    vg_error_free(error);
    error = NULL;

    task = (vg_task *)(uintptr_t)0x1;
    CHECK_CODE(vg_client_resume(client, NULL, &task, &error), VG_E_INVALID_ARGUMENT);
    CHECK(task == NULL);
    vg_error_free(error);
    error = NULL;

    CHECK_CODE(vg_client_resume(client, record, NULL, &error), VG_E_INVALID_ARGUMENT);
    CHECK(vg_error_code(error) == VG_E_INVALID_ARGUMENT);
    vg_error_free(error);

    CHECK(vg_client_resume(NULL, NULL, NULL, NULL) != VG_OK);

    task = NULL;
    CHECK_CODE(vg_client_resume(client, record, &task, NULL), VG_OK);
    CHECK(task != NULL);
    CHECK_STR_EQ(vg_task_id(task), "video_abc");
    vg_task_free(task);
done:
    vg_client_free(client);
}

void null_args_task_calls(void)
{
    vg_client *client = make_client("openai", DEAD_URL, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    char *json = (char *)(uintptr_t)0x1;
    char path[512];
    REQUIRE(client != NULL);
    task = resumed_task(client, "video_null_args", "succeeded");
    REQUIRE(task != NULL);
    work_path(path, sizeof path, "null-args.mp4");

    /* NULL task everywhere. */
    CHECK_CODE(vg_task_poll(NULL, &error), VG_E_INVALID_HANDLE);
    CHECK(vg_error_code(error) == VG_E_INVALID_HANDLE);
    vg_error_free(error);
    error = NULL;
    CHECK_CODE(vg_task_poll(NULL, NULL), VG_E_INVALID_HANDLE);
    CHECK_CODE(vg_task_wait(NULL, 1, NULL, NULL, &error), VG_E_INVALID_HANDLE);
    CHECK(vg_error_code(error) == VG_E_INVALID_HANDLE);
    vg_error_free(error);
    error = NULL;
    CHECK_CODE(vg_task_wait(NULL, 0, NULL, NULL, NULL), VG_E_INVALID_HANDLE);
    CHECK_CODE(vg_task_download(NULL, path, NULL, NULL, &error), VG_E_INVALID_HANDLE);
    CHECK(vg_error_code(error) == VG_E_INVALID_HANDLE);
    vg_error_free(error);
    error = NULL;
    CHECK(vg_task_download(NULL, NULL, NULL, NULL, NULL) != VG_OK);
    CHECK(!file_exists(path));
    CHECK_CODE(vg_task_cancel(NULL, VG_CANCEL_LOCAL, &error), VG_E_INVALID_HANDLE);
    CHECK(vg_error_code(error) == VG_E_INVALID_HANDLE);
    vg_error_free(error);
    error = NULL;
    CHECK_CODE(vg_task_cancel(NULL, VG_CANCEL_REMOTE, NULL), VG_E_INVALID_HANDLE);
    CHECK_CODE(vg_task_snapshot_json(NULL, &json), VG_E_INVALID_HANDLE);
    CHECK(json == NULL);
    CHECK(vg_task_snapshot_json(NULL, NULL) != VG_OK);

    /* NULL pointer arguments with a valid task. */
    CHECK_CODE(vg_task_download(task, NULL, NULL, NULL, &error), VG_E_INVALID_ARGUMENT);
    CHECK(vg_error_code(error) == VG_E_INVALID_ARGUMENT);
    vg_error_free(error);
    error = NULL;
    CHECK_CODE(vg_task_download(task, NULL, NULL, NULL, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_task_snapshot_json(task, NULL), VG_E_INVALID_ARGUMENT);
    json = NULL;
    CHECK_CODE(vg_task_snapshot_json(task, &json), VG_OK);
    CHECK(json != NULL);
    vg_string_free(json);
    /* The task is unharmed. */
    CHECK_STR_EQ(vg_task_id(task), "video_null_args");
    CHECK(vg_task_state(task) == VG_STATE_SUCCEEDED);
done:
    vg_task_free(task);
    vg_client_free(client);
}

void null_handle_getters(void)
{
    check_invalid_task(NULL, "NULL task");
    check_invalid_error(NULL, "NULL error");
}

void free_null_is_noop(void)
{
    vg_client_free(NULL);
    vg_task_free(NULL);
    vg_error_free(NULL);
    vg_string_free(NULL);
    CHECK(1); /* reaching here is the test */
}

void double_free(void)
{
    vg_client *client = make_client("openai", DEAD_URL, NULL);
    vg_client *other = make_client("openai", DEAD_URL, NULL);
    vg_task *task = NULL;
    vg_error *error = some_error();
    REQUIRE(client != NULL && other != NULL);
    task = resumed_task(client, "video_double", "queued");
    REQUIRE(task != NULL);

    vg_task_free(task);
    vg_task_free(task);
    vg_error_free(error);
    vg_error_free(error);
    vg_client_free(client);
    vg_client_free(client);
    vg_client_free(client);
    /* Other handles survive the double frees. */
    CHECK(client_works(other));
done:
    vg_client_free(other);
}

void use_after_free(void)
{
    vg_client *client = make_client("openai", DEAD_URL, NULL);
    vg_client *live = make_client("openai", DEAD_URL, NULL);
    vg_task *task = NULL;
    vg_error *error = some_error();
    REQUIRE(client != NULL && live != NULL);
    task = resumed_task(live, "video_uaf", "succeeded");
    REQUIRE(task != NULL);
    REQUIRE(error != NULL);

    vg_client_free(client);
    check_invalid_client(client, "freed client");

    vg_task_free(task);
    check_invalid_task(task, "freed task");

    vg_error_free(error);
    check_invalid_error(error, "freed error");
done:
    vg_client_free(live);
}

void stale_handle_after_reuse(void)
{
    int round;
    for (round = 0; round < 3; round++) {
        vg_client *old_client = make_client("openai", DEAD_URL, NULL);
        vg_client *new_client = NULL;
        vg_task *old_task = NULL, *new_task = NULL;
        vg_error *old_error = NULL, *new_error = NULL;
        if (old_client == NULL) return;
        old_task = resumed_task(old_client, "video_old", "queued");
        old_error = some_error();
        vg_task_free(old_task);
        vg_error_free(old_error);
        vg_client_free(old_client);

        /* New objects, likely in the freed slots. */
        new_client = make_client("openai", DEAD_URL, NULL);
        if (new_client == NULL) return;
        new_task = resumed_task(new_client, "video_new", "queued");
        new_error = some_error();

        check_invalid_client(old_client, "stale client");
        check_invalid_task(old_task, "stale task");
        check_invalid_error(old_error, "stale error");
        /* Freeing the stale handles again must not free the new objects. */
        vg_task_free(old_task);
        vg_error_free(old_error);
        vg_client_free(old_client);
        CHECK(client_works(new_client));
        CHECK_STR_EQ(vg_task_id(new_task), "video_new");
        CHECK(vg_error_code(new_error) == VG_E_INVALID_ARGUMENT);
        vg_task_free(new_task);
        vg_error_free(new_error);
        vg_client_free(new_client);
    }
}

void wrong_kind_handles(void)
{
    vg_client *client = make_client("openai", DEAD_URL, NULL);
    vg_task *task = NULL;
    vg_error *error = some_error();
    REQUIRE(client != NULL && error != NULL);
    task = resumed_task(client, "video_kind", "succeeded");
    REQUIRE(task != NULL);

    check_invalid_task((vg_task *)client, "client as task");
    check_invalid_task((vg_task *)error, "error as task");
    check_invalid_client((vg_client *)task, "task as client");
    check_invalid_client((vg_client *)error, "error as client");
    check_invalid_error((const vg_error *)task, "task as error");
    check_invalid_error((const vg_error *)client, "client as error");

    /* Freeing through the wrong kind frees nothing. */
    vg_task_free((vg_task *)client);
    vg_task_free((vg_task *)error);
    vg_client_free((vg_client *)task);
    vg_client_free((vg_client *)error);
    vg_error_free((vg_error *)task);
    vg_error_free((vg_error *)client);
    CHECK(client_works(client));
    CHECK_STR_EQ(vg_task_id(task), "video_kind");
    CHECK(vg_task_state(task) == VG_STATE_SUCCEEDED);
    CHECK(vg_error_code(error) == VG_E_INVALID_ARGUMENT);
done:
    vg_task_free(task);
    vg_error_free(error);
    vg_client_free(client);
}

void forged_handles(void)
{
    long on_stack[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    unsigned char *on_heap = malloc(256);
    uintptr_t values[12];
    size_t count = 6;
    size_t i;
    if (on_heap != NULL) memset(on_heap, 0xA5, 256);
    values[0] = 0x1234;
    values[1] = 0x1;
    values[2] = (uintptr_t)-1;
    values[3] = (uintptr_t)on_stack;
    values[4] = (uintptr_t)on_heap;
    values[5] = (uintptr_t)0xdeadbeefUL;
#if UINTPTR_MAX > 0xFFFFFFFFUL
    /* Values with high bits set in every pattern a handle encoding might use, small and huge low parts. */
    {
        uintptr_t high;
        for (high = 1; high <= 3; high++) {
            values[count++] = (high << 60) | ((uintptr_t)0x0FFFFFFEUL << 32) | 1u;
            values[count++] = (high << 60) | ((uintptr_t)0x0FFFFFFEUL << 32) | 0xFFFFFFFFUL;
        }
    }
#endif
    for (i = 0; i < count; i++) {
        char what[64];
        if (values[i] == 0) continue;
        snprintf(what, sizeof what, "forged handle %#lx", (unsigned long)values[i]);
        check_invalid_task((vg_task *)values[i], what);
        check_invalid_client((vg_client *)values[i], what);
        check_invalid_error((const vg_error *)values[i], what);
        vg_task_free((vg_task *)values[i]);
        vg_client_free((vg_client *)values[i]);
        vg_error_free((vg_error *)values[i]);
    }
    /* The memory behind the forged pointers was not touched. */
    for (i = 0; i < 8; i++) CHECK(on_stack[i] == (long)i);
    if (on_heap != NULL) {
        for (i = 0; i < 256; i++) {
            if (on_heap[i] != 0xA5) {
                t_fail(__FILE__, __LINE__, "byte %u of the heap block behind a forged handle changed", (unsigned int)i);
                break;
            }
        }
    }
    free(on_heap);
}

void error_cleared_on_success(void)
{
    vg_client *client = NULL;
    vg_task *task = NULL;
    vg_error *error = (vg_error *)(uintptr_t)0x77;
    char record[1024];
    char config[512];
    snprintf(config, sizeof config, "{\"dialect\": \"openai\", \"base_url\": \"%s\", \"api_key\": \"k\"}", DEAD_URL);
    CHECK_CODE(vg_client_create(config, &client, &error), VG_OK);
    CHECK(error == NULL);
    REQUIRE(client != NULL);
    make_record(record, sizeof record, "openai", DEAD_URL, "video_clear", "queued");
    error = (vg_error *)(uintptr_t)0x77;
    CHECK_CODE(vg_client_resume(client, record, &task, &error), VG_OK);
    CHECK(error == NULL);
    REQUIRE(task != NULL);
    error = (vg_error *)(uintptr_t)0x77;
    CHECK_CODE(vg_task_cancel(task, VG_CANCEL_LOCAL, &error), VG_OK);
    CHECK(error == NULL);
done:
    vg_task_free(task);
    vg_client_free(client);
}

void resume_refuses_bad_records(void)
{
    vg_client *client = make_client("openai", DEAD_URL, NULL);
    char record[1024];
    struct {
        const char *record;
        vg_code code;
        const char *named;
    } cases[] = {
        {"{", VG_E_INVALID_JSON, NULL},
        {"", VG_E_INVALID_JSON, NULL},
        {"[]", VG_E_INVALID_JSON, NULL},
        {"{\"record_version\": 1, \"id\": \"video_1\", \"dialect\": \"unified\", \"base_url\": \"" DEAD_URL
         "\", \"state\": \"queued\"}", VG_E_INVALID_ARGUMENT, NULL},
        {"{\"record_version\": 1, \"id\": \"video_1\", \"dialect\": \"openai\", \"base_url\": \"http://127.0.0.1:2\","
         " \"state\": \"queued\"}", VG_E_INVALID_ARGUMENT, NULL},
        {"{\"record_version\": 1, \"id\": \"video_1\", \"dialect\": \"openai\", \"base_url\": \"https://evil.example\","
         " \"state\": \"queued\"}", VG_E_INVALID_ARGUMENT, NULL},
        {"{\"record_version\": 99, \"id\": \"video_1\", \"dialect\": \"openai\", \"base_url\": \"" DEAD_URL
         "\", \"state\": \"queued\"}", VG_E_INVALID_ARGUMENT, "record_version"},
        {"{\"record_version\": 1, \"id\": \"video_1\", \"dialect\": \"openai\", \"base_url\": \"" DEAD_URL
         "\", \"state\": \"dreaming\"}", VG_E_INVALID_ARGUMENT, "state"},
        {"{\"record_version\": 1, \"id\": \"video_1\", \"dialect\": \"openai\", \"base_url\": \"" DEAD_URL
         "\", \"state\": \"queued\", \"api_key\": \"sk-x\"}", VG_E_INVALID_ARGUMENT, "api_key"},
        {"{\"record_version\": 1, \"id\": \"\", \"dialect\": \"openai\", \"base_url\": \"" DEAD_URL
         "\", \"state\": \"queued\"}", VG_E_INVALID_ARGUMENT, NULL},
        {"{\"record_version\": 1, \"dialect\": \"openai\", \"base_url\": \"" DEAD_URL "\", \"state\": \"queued\"}",
         VG_E_INVALID_ARGUMENT, "id"},
    };
    size_t i;
    REQUIRE(client != NULL);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vg_task *task = (vg_task *)(uintptr_t)0x1;
        vg_error *error = NULL;
        vg_code code = vg_client_resume(client, cases[i].record, &task, &error);
        CHECKF(code == cases[i].code, "vg_client_resume(%s) returned %d (%s: %s), expected %d", cases[i].record,
               (int)code, vg_code_str(code), vg_error_message(error), (int)cases[i].code);
        CHECKF(task == NULL, "vg_client_resume(%s) failed but did not set *out to NULL", cases[i].record);
        if (cases[i].named) CHECK_CONTAINS(vg_error_message(error), cases[i].named);
        if (code == VG_OK) vg_task_free(task);
        vg_error_free(error);
    }
    /* A good record still goes through. */
    make_record(record, sizeof record, "openai", DEAD_URL, "video_good", "running");
    {
        vg_task *task = NULL;
        CHECK_CODE(vg_client_resume(client, record, &task, NULL), VG_OK);
        CHECK(vg_task_state(task) == VG_STATE_RUNNING);
        vg_task_free(task);
    }
done:
    vg_client_free(client);
}

void cancel_bad_flags(void)
{
    vg_client *client = make_client("openai", DEAD_URL, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    REQUIRE(client != NULL);
    task = resumed_task(client, "video_flags", "queued");
    REQUIRE(task != NULL);
    CHECK_CODE(vg_task_cancel(task, 2, &error), VG_E_INVALID_ARGUMENT);
    CHECK(vg_error_code(error) == VG_E_INVALID_ARGUMENT);
    vg_error_free(error);
    CHECK_CODE(vg_task_cancel(task, -1, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_task_cancel(task, 0x100, NULL), VG_E_INVALID_ARGUMENT);
    /* Cancelling is idempotent. */
    CHECK_CODE(vg_task_cancel(task, VG_CANCEL_LOCAL, NULL), VG_OK);
    CHECK_CODE(vg_task_cancel(task, VG_CANCEL_LOCAL, NULL), VG_OK);
    CHECK_STR_EQ(vg_task_id(task), "video_flags");
done:
    vg_task_free(task);
    vg_client_free(client);
}

void wait_nan_timeout(void)
{
    vg_client *client = make_client("openai", DEAD_URL, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    REQUIRE(client != NULL);
    task = resumed_task(client, "video_nan", "queued");
    REQUIRE(task != NULL);
    CHECK_CODE_E(vg_task_wait(task, NAN, NULL, NULL, &error), VG_E_INVALID_ARGUMENT, error);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}
