/*
 * test_videos.c: the videos a service keeps, through the C API against the emulator: vg_client_list_tasks (cursor
 * pages), vg_task_delete_remote, vg_task_remix and vg_task_download_variant, their argument checks, and
 * VG_E_UNSUPPORTED on dialects without them.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_LIMIT 30.0

/* A Veo task on the openai dialect, as gateways serve it (the ratio travels as size=16x9). */
static vg_task *submit_veo(vg_client *client, const char *model)
{
    char request[256];
    vg_task *task = NULL;
    vg_error *error = NULL;
    vg_code code;
    snprintf(request, sizeof request,
             "{\"model\": \"%s\", \"prompt\": \"a lighthouse at dusk\", \"duration\": 8, \"aspect_ratio\": \"16:9\"}",
             model);
    code = vg_client_submit(client, request, &task, &error);
    if (code != VG_OK) t_fail(__FILE__, __LINE__, "submit %s: %s: %s", model, vg_code_str(code), vg_error_message(error));
    vg_error_free(error);
    return task;
}

static int wait_ok(vg_task *task)
{
    vg_error *error = NULL;
    vg_code code = vg_task_wait(task, WAIT_LIMIT, NULL, NULL, &error);
    if (code != VG_OK) t_fail(__FILE__, __LINE__, "wait: %s: %s", vg_code_str(code), vg_error_message(error));
    vg_error_free(error);
    return code == VG_OK;
}

/* The emulator's asset NAME, beside the sample video given with --asset. */
static void asset_path(char *buffer, size_t size, const char *name)
{
    const char *slash = g_asset_path ? strrchr(g_asset_path, '/') : NULL;
    if (slash == NULL) {
        snprintf(buffer, size, "%s", name);
        return;
    }
    snprintf(buffer, size, "%.*s/%s", (int)(slash - g_asset_path), g_asset_path, name);
}

static char *snapshot_of(vg_task *task)
{
    char *json = NULL;
    if (vg_task_snapshot_json(task, &json) != VG_OK) return NULL;
    return json;
}

void videos_argument_checks(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_task *remixed = (vg_task *)&task; /* must be cleared on failure */
    vg_error *error = NULL;
    char *page = (char *)&task;
    char path[512];
    REQUIRE(client != NULL);
    work_path(path, sizeof path, "args.jpg");

    CHECK_CODE(vg_client_list_tasks(client, NULL, NULL, &error), VG_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(vg_error_message(error), "out_page_json");
    vg_error_free(error);
    CHECK_CODE(vg_client_list_tasks(NULL, NULL, &page, NULL), VG_E_INVALID_HANDLE);
    CHECK(page == NULL);
    CHECK_CODE(vg_client_list_tasks((vg_client *)&error, NULL, &page, NULL), VG_E_INVALID_HANDLE);
    CHECK_CODE(vg_client_list_tasks(client, "{not json", &page, NULL), VG_E_INVALID_JSON);
    CHECK_CODE(vg_client_list_tasks(client, "[]", &page, NULL), VG_E_INVALID_JSON);
    CHECK_CODE(vg_client_list_tasks(client, "{\"page\": 2}", &page, &error), VG_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(vg_error_message(error), "'page'");
    vg_error_free(error);
    CHECK_CODE(vg_client_list_tasks(client, "{\"limit\": 0}", &page, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_client_list_tasks(client, "{\"limit\": 101}", &page, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_client_list_tasks(client, "{\"order\": \"up\"}", &page, NULL), VG_E_INVALID_ARGUMENT);
    CHECK(page == NULL);

    CHECK_CODE(vg_task_delete_remote(NULL, NULL), VG_E_INVALID_HANDLE);
    CHECK_CODE(vg_task_delete_remote((vg_task *)client, NULL), VG_E_INVALID_HANDLE);
    CHECK_CODE(vg_task_remix(NULL, "{\"prompt\": \"p\"}", &remixed, NULL), VG_E_INVALID_HANDLE);
    CHECK(remixed == NULL);
    CHECK_CODE(vg_task_download_variant(NULL, "thumbnail", path, NULL, NULL, NULL), VG_E_INVALID_HANDLE);

    task = submit_veo(client, "veo-3.1");
    REQUIRE(task != NULL);
    remixed = (vg_task *)&task;
    CHECK_CODE(vg_task_remix(task, "{\"prompt\": \"p\"}", NULL, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_task_remix(task, NULL, &remixed, &error), VG_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(vg_error_message(error), "remix_json");
    CHECK(remixed == NULL);
    vg_error_free(error);
    CHECK_CODE(vg_task_remix(task, "{\"prompt\": ", &remixed, NULL), VG_E_INVALID_JSON);
    CHECK_CODE(vg_task_remix(task, "{\"prompt\": \"\"}", &remixed, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_task_remix(task, "{\"prompt\": \"p\", \"seconds\": \"8\"}", &remixed, &error), VG_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(vg_error_message(error), "'seconds'");
    vg_error_free(error);
    CHECK_CODE(vg_task_download_variant(task, NULL, path, NULL, NULL, &error), VG_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(vg_error_message(error), "variant");
    vg_error_free(error);
    CHECK_CODE(vg_task_download_variant(task, "gif", path, NULL, NULL, &error), VG_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(vg_error_message(error), "video, thumbnail, spritesheet");
    vg_error_free(error);
    error = NULL;
    CHECK_CODE(vg_task_download_variant(task, "thumbnail", NULL, NULL, NULL, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_task_download_variant(task, "thumbnail", "", NULL, NULL, NULL), VG_E_INVALID_ARGUMENT);
    /* before the task finished, a still is not ready, like the video */
    CHECK_CODE(vg_task_download_variant(task, "thumbnail", path, NULL, NULL, NULL), VG_E_NOT_READY);
    CHECK(!file_exists(path));
done:
    vg_task_free(task);
    vg_client_free(client);
}

void videos_list_pages(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *tasks[3] = {NULL, NULL, NULL};
    vg_error *error = NULL;
    char *page = NULL;
    char query[256];
    char first[128], last[128];
    const char *ids[3];
    int i;
    REQUIRE(client != NULL);
    for (i = 0; i < 3; i++) {
        tasks[i] = submit_veo(client, "veo-3.1-fast");
        REQUIRE(tasks[i] != NULL);
        ids[i] = vg_task_id(tasks[i]);
    }
    for (i = 0; i < 3; i++) REQUIRE(wait_ok(tasks[i]));
    ids[0] = vg_task_id(tasks[0]);
    ids[1] = vg_task_id(tasks[1]);
    ids[2] = vg_task_id(tasks[2]);

    /* newest first: the three just made, two to a page */
    REQUIRE_CODE_E(vg_client_list_tasks(client, "{\"order\": \"desc\", \"limit\": 2}", &page, &error), VG_OK, error);
    CHECK(error == NULL);
    REQUIRE(page != NULL);
    CHECK(json_string_member(page, "first_id", first, sizeof first) && strcmp(first, ids[2]) == 0);
    CHECK(json_string_member(page, "last_id", last, sizeof last) && strcmp(last, ids[1]) == 0);
    CHECK_CONTAINS(page, "\"has_more\":true");
    CHECK(strstr(page, ids[2]) != NULL && strstr(page, ids[1]) != NULL && strstr(page, ids[0]) == NULL);
    CHECK(strstr(page, ids[2]) < strstr(page, ids[1]));
    CHECK_CONTAINS(page, "\"state\":\"succeeded\"");
    CHECK_CONTAINS(page, "\"dialect\":\"openai\"");
    CHECK_NOT_CONTAINS(page, TEST_API_KEY);
    vg_string_free(page);
    page = NULL;

    /* the next page starts after the last id */
    snprintf(query, sizeof query, "{\"order\": \"desc\", \"limit\": 1, \"after\": \"%s\"}", last);
    REQUIRE_CODE_E(vg_client_list_tasks(client, query, &page, &error), VG_OK, error);
    CHECK(json_string_member(page, "first_id", first, sizeof first) && strcmp(first, ids[0]) == 0);
    vg_string_free(page);
    page = NULL;

    /* oldest first from the first of the three */
    snprintf(query, sizeof query, "{\"order\": \"asc\", \"after\": \"%s\", \"limit\": 100}", ids[0]);
    REQUIRE_CODE_E(vg_client_list_tasks(client, query, &page, &error), VG_OK, error);
    CHECK(strstr(page, ids[1]) != NULL && strstr(page, ids[1]) < strstr(page, ids[2]));
    CHECK(strstr(page, ids[0]) == NULL);
    CHECK_CONTAINS(page, "\"has_more\":false");
    vg_string_free(page);
    page = NULL;

    /* NULL is the service's default page; an unknown cursor is the service's refusal */
    REQUIRE_CODE_E(vg_client_list_tasks(client, NULL, &page, &error), VG_OK, error);
    CHECK_CONTAINS(page, ids[2]);
    vg_string_free(page);
    page = NULL;
    CHECK_CODE_E(vg_client_list_tasks(client, "{\"after\": \"video_unknown\"}", &page, &error), VG_E_BAD_REQUEST, error);
    CHECK(vg_error_http_status(error) == 400);
    CHECK(page == NULL);
done:
    vg_error_free(error);
    vg_string_free(page);
    for (i = 0; i < 3; i++) vg_task_free(tasks[i]);
    vg_client_free(client);
}

void videos_delete(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_task *stuck = NULL;
    vg_error *error = NULL;
    REQUIRE(client != NULL);
    task = submit_veo(client, "veo-3.1");
    REQUIRE(task != NULL && wait_ok(task));
    CHECK_CODE_E(vg_task_delete_remote(task, &error), VG_OK, error);
    CHECK(error == NULL);
    CHECK(vg_task_state(task) == VG_STATE_SUCCEEDED); /* the handle keeps its last snapshot */
    CHECK_CODE(vg_task_poll(task, NULL), VG_E_NOT_FOUND);
    CHECK_CODE_E(vg_task_delete_remote(task, &error), VG_E_NOT_FOUND, error);
    CHECK(vg_error_http_status(error) == 404);
    vg_error_free(error);
    error = NULL;

    /* a video still being generated is refused by the service */
    stuck = submit_veo(client, "veo-3.1-emu-stuck");
    REQUIRE(stuck != NULL);
    CHECK_CODE_E(vg_task_delete_remote(stuck, &error), VG_E_BAD_REQUEST, error);
    CHECK_CONTAINS(vg_error_message(error), "only completed or failed videos");
    vg_error_free(error);
    error = NULL;
    /* after vg_task_cancel the task makes no more requests */
    CHECK_CODE(vg_task_cancel(stuck, VG_CANCEL_LOCAL, NULL), VG_OK);
    CHECK_CODE(vg_task_delete_remote(stuck, NULL), VG_E_CANCELLED);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_task_free(stuck);
    vg_client_free(client);
}

void videos_remix(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *source = NULL;
    vg_task *remixed = NULL;
    vg_task *refused = (vg_task *)&source;
    vg_task *stuck = NULL;
    vg_error *error = NULL;
    char *snapshot = NULL;
    char value[128];
    char path[512];
    REQUIRE(client != NULL);
    source = submit_veo(client, "veo-3.1");
    REQUIRE(source != NULL && wait_ok(source));
    REQUIRE_CODE_E(vg_task_remix(source, "{\"prompt\": \"the same lighthouse in a storm\", \"idempotency_key\": \"c-remix-1\"}",
                                 &remixed, &error), VG_OK, error);
    REQUIRE(remixed != NULL);
    CHECK(strcmp(vg_task_id(remixed), vg_task_id(source)) != 0);
    CHECK(vg_task_state(remixed) == VG_STATE_QUEUED);
    snapshot = snapshot_of(remixed);
    CHECK(json_string_member(snapshot, "remixed_from", value, sizeof value) && strcmp(value, vg_task_id(source)) == 0);
    CHECK(json_string_member(snapshot, "idempotency_key", value, sizeof value) && strcmp(value, "c-remix-1") == 0);
    CHECK(json_string_member(snapshot, "model", value, sizeof value) && strcmp(value, "veo-3.1") == 0);
    vg_string_free(snapshot);
    snapshot = NULL;
    REQUIRE(wait_ok(remixed));
    work_path(path, sizeof path, "remix.mp4");
    remove_download(path);
    CHECK_CODE_E(vg_task_download(remixed, path, NULL, NULL, &error), VG_OK, error);
    if (g_asset_path) CHECK(files_equal(path, g_asset_path));
    snapshot = snapshot_of(remixed);
    CHECK(json_string_member(snapshot, "remixed_from", value, sizeof value) && strcmp(value, vg_task_id(source)) == 0);

    /* a source that is not finished is refused, and no task is made */
    stuck = submit_veo(client, "veo-3.1-emu-stuck");
    REQUIRE(stuck != NULL);
    CHECK_CODE_E(vg_task_remix(stuck, "{\"prompt\": \"p\"}", &refused, &error), VG_E_BAD_REQUEST, error);
    CHECK_CONTAINS(vg_error_message(error), "only completed videos can be remixed");
    CHECK(refused == NULL);
done:
    vg_error_free(error);
    vg_string_free(snapshot);
    vg_task_free(source);
    vg_task_free(remixed);
    vg_task_free(stuck);
    vg_client_free(client);
}

struct transfer_log {
    pthread_t thread;
    int calls;
    int wrong_thread;
    uint64_t last_received;
    int64_t last_total;
};

static int log_transfer(vg_task *task, uint64_t received, int64_t total, void *user_data)
{
    struct transfer_log *log = user_data;
    (void)task;
    log->calls++;
    if (!pthread_equal(pthread_self(), log->thread)) log->wrong_thread++;
    log->last_received = received;
    log->last_total = total;
    return 0;
}

void videos_download_variants(void)
{
    static const char *const variants[] = {"thumbnail", "spritesheet"};
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    char *snapshot = NULL;
    char path[512], expected[512], value[64];
    struct transfer_log log;
    size_t i;
    REQUIRE(client != NULL);
    task = submit_veo(client, "veo-3.1");
    REQUIRE(task != NULL && wait_ok(task));
    for (i = 0; i < 2; i++) {
        char name[64];
        snprintf(name, sizeof name, "variant.%s.jpg", variants[i]);
        work_path(path, sizeof path, name);
        remove_download(path);
        memset(&log, 0, sizeof log);
        log.thread = pthread_self();
        REQUIRE_CODE_E(vg_task_download_variant(task, variants[i], path, log_transfer, &log, &error), VG_OK, error);
        CHECK(log.calls >= 1 && log.wrong_thread == 0);
        CHECK((int64_t)log.last_received == log.last_total && log.last_total == file_size(path));
        snprintf(name, sizeof name, "%s.jpg", variants[i]);
        asset_path(expected, sizeof expected, name);
        if (g_asset_path) CHECK(files_equal(path, expected));
        snapshot = snapshot_of(task);
        CHECK(json_string_member(snapshot, "variant", value, sizeof value) && strcmp(value, variants[i]) == 0);
        CHECK_CONTAINS(snapshot, "/content\""); /* the video URL stays the video's */
        vg_string_free(snapshot);
        snapshot = NULL;
        CHECK(vg_task_bytes_received(task) == (uint64_t)file_size(path));
    }
    /* "video" is vg_task_download: the sample, recorded without a variant */
    work_path(path, sizeof path, "variant.video.mp4");
    remove_download(path);
    CHECK_CODE_E(vg_task_download_variant(task, "video", path, NULL, NULL, &error), VG_OK, error);
    if (g_asset_path) CHECK(files_equal(path, g_asset_path));
    snapshot = snapshot_of(task);
    CHECK_NOT_CONTAINS(snapshot, "\"variant\"");
done:
    vg_error_free(error);
    vg_string_free(snapshot);
    vg_task_free(task);
    vg_client_free(client);
}

void videos_unsupported_dialects(void)
{
    vg_client *client = make_client("unified", g_base_url, NULL);
    vg_task *task = NULL;
    vg_task *remixed = (vg_task *)&task;
    vg_error *error = NULL;
    char *page = (char *)&task;
    char path[512];
    REQUIRE(client != NULL);
    CHECK_CODE_E(vg_client_list_tasks(client, NULL, &page, &error), VG_E_UNSUPPORTED, error);
    CHECK_CONTAINS(vg_error_message(error), "no list operation");
    CHECK(page == NULL);
    vg_error_free(error);
    error = NULL;
    task = submit_model(client, "kling-v1");
    REQUIRE(task != NULL && wait_ok(task));
    CHECK_CODE_E(vg_task_delete_remote(task, &error), VG_E_UNSUPPORTED, error);
    CHECK_CONTAINS(vg_error_message(error), "no delete operation");
    vg_error_free(error);
    error = NULL;
    CHECK_CODE_E(vg_task_remix(task, "{\"prompt\": \"p\"}", &remixed, &error), VG_E_UNSUPPORTED, error);
    CHECK_CONTAINS(vg_error_message(error), "no remix operation");
    CHECK(remixed == NULL);
    vg_error_free(error);
    error = NULL;
    work_path(path, sizeof path, "unified.thumbnail.jpg");
    CHECK_CODE_E(vg_task_download_variant(task, "thumbnail", path, NULL, NULL, &error), VG_E_UNSUPPORTED, error);
    CHECK(!file_exists(path));
    vg_error_free(error);
    error = NULL;
    /* the video itself downloads as everywhere */
    work_path(path, sizeof path, "unified.video.mp4");
    remove_download(path);
    CHECK_CODE_E(vg_task_download_variant(task, "video", path, NULL, NULL, &error), VG_OK, error);
    if (g_asset_path) CHECK(files_equal(path, g_asset_path));
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}
