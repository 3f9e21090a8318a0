/*
 * test_providers2.c: Wan on DashScope, Vidu and OpenRouter through the C API against the emulator: whole jobs with
 * their usage in the snapshot, the outputs of a task that made several downloaded by index
 * (vg_task_download_output, its argument checks), Vidu's cover as the thumbnail variant, a task resumed from its
 * record on a new client, and provider errors as vg_code values.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_LIMIT 30.0

static vg_task *submit_json(vg_client *client, const char *request)
{
    vg_task *task = NULL;
    vg_error *error = NULL;
    vg_code code = vg_client_submit(client, request, &task, &error);
    if (code != VG_OK) t_fail(__FILE__, __LINE__, "submit %s: %s: %s", request, vg_code_str(code), vg_error_message(error));
    vg_error_free(error);
    return task;
}

static int wait_ok(vg_task *task)
{
    vg_error *error = NULL;
    vg_code code = vg_task_wait(task, WAIT_LIMIT, NULL, NULL, &error);
    if (code != VG_OK) t_fail(__FILE__, __LINE__, "wait: %s: %s", vg_code_str(code), vg_error_message(error));
    vg_error_free(error);
    return code == VG_OK && vg_task_state(task) == VG_STATE_SUCCEEDED;
}

static char *snapshot_of(vg_task *task)
{
    char *json = NULL;
    if (vg_task_snapshot_json(task, &json) != VG_OK) return NULL;
    return json;
}

/* Counts the DONE update of vg_task_download_output. */
static int count_done(vg_task *task, const vg_update *update, void *user_data)
{
    (void)task;
    if (update->kind == VG_EVENT_DONE) ++*(int *)user_data;
    return 0;
}

/* A job per provider: the video, byte for byte, and the usage under the provider's names. */
void providers2_whole_jobs(void)
{
    static const char *const dialects[] = {"dashscope", "vidu", "openrouter"};
    static const char *const usage[] = {"\"video_duration\"", "\"credits\"", "\"cost\""};
    size_t i;
    for (i = 0; i < 3; i++) {
        vg_client *client = make_client(dialects[i], g_base_url, NULL);
        vg_task *task = NULL;
        vg_error *error = NULL;
        char *snapshot = NULL;
        char path[512], name[64];
        REQUIRE(client != NULL);
        task = submit_json(client, "{\"model\": \"m\", \"prompt\": \"a lantern\", \"duration\": 5, \"seed\": 9,"
                                   " \"image\": \"https://img.example.com/a.png\"}");
        REQUIRE(task != NULL && wait_ok(task));
        snprintf(name, sizeof name, "p2.%s.mp4", dialects[i]);
        work_path(path, sizeof path, name);
        remove_download(path);
        CHECK_CODE_E(vg_task_download(task, path, NULL, NULL, &error), VG_OK, error);
        if (g_asset_path) CHECK(files_equal(path, g_asset_path));
        snapshot = snapshot_of(task);
        CHECK_CONTAINS(snapshot, "\"usage\"");
        CHECK_CONTAINS(snapshot, usage[i]);
        vg_string_free(snapshot);
        vg_task_free(task);
        vg_client_free(client);
    }
done:;
}

/* Output 1 of a task that made three videos, by index; a fourth is refused naming how many there are. */
void providers2_download_output(void)
{
    static const char *const dialects[] = {"vidu", "openrouter"};
    size_t i;
    for (i = 0; i < 2; i++) {
        vg_client *client = make_client(dialects[i], g_base_url, NULL);
        vg_task *task = NULL;
        vg_error *error = NULL;
        char *snapshot = NULL;
        char path[512], name[64];
        int done = 0;
        REQUIRE(client != NULL);
        task = submit_json(client, "{\"model\": \"m emu-outputs-3\", \"prompt\": \"three lanterns\"}");
        REQUIRE(task != NULL && wait_ok(task));
        snapshot = snapshot_of(task);
        CHECK_CONTAINS(snapshot, "\"outputs\"");
        vg_string_free(snapshot);
        snprintf(name, sizeof name, "p2.%s.out1.mp4", dialects[i]);
        work_path(path, sizeof path, name);
        remove_download(path);
        CHECK_CODE_E(vg_task_download_output(task, 1, path, count_done, &done, &error), VG_OK, error);
        CHECK(done == 1);
        if (g_asset_path) CHECK(files_equal(path, g_asset_path));
        snapshot = snapshot_of(task);
        CHECK_CONTAINS(snapshot, "\"output\"");
        vg_string_free(snapshot);
        /* output 0 is the video, recorded without an output number */
        CHECK_CODE_E(vg_task_download_output(task, 0, path, NULL, NULL, &error), VG_OK, error);
        snapshot = snapshot_of(task);
        CHECK_NOT_CONTAINS(snapshot, "\"output\"");
        vg_string_free(snapshot);
        CHECK_CODE(vg_task_download_output(task, 3, path, NULL, NULL, &error), VG_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(vg_error_message(error), "3 outputs");
        vg_error_free(error);
        error = NULL;
        vg_task_free(task);
        vg_client_free(client);
    }
done:;
}

/* Hostile arguments: no task, no path, an index past any task's, a task not finished, a single-video task. */
void providers2_output_argument_checks(void)
{
    vg_client *client = make_client("dashscope", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    char path[512];
    REQUIRE(client != NULL);
    work_path(path, sizeof path, "p2.args.mp4");
    CHECK_CODE(vg_task_download_output(NULL, 0, path, NULL, NULL, &error), VG_E_INVALID_HANDLE);
    vg_error_free(error);
    error = NULL;
    CHECK_CODE(vg_task_download_output((vg_task *)&error, 0, path, NULL, NULL, NULL), VG_E_INVALID_HANDLE);
    task = submit_json(client, "{\"model\": \"m\", \"prompt\": \"p\"}");
    REQUIRE(task != NULL);
    CHECK_CODE(vg_task_download_output(task, 0, NULL, NULL, NULL, &error), VG_E_INVALID_ARGUMENT);
    vg_error_free(error);
    error = NULL;
    CHECK_CODE(vg_task_download_output(task, (size_t)-1, path, NULL, NULL, &error), VG_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(vg_error_message(error), "out of range");
    vg_error_free(error);
    error = NULL;
    CHECK_CODE(vg_task_download_output(task, 0, path, NULL, NULL, &error), VG_E_NOT_READY);
    vg_error_free(error);
    error = NULL;
    REQUIRE(wait_ok(task));
    CHECK_CODE(vg_task_download_output(task, 1, path, NULL, NULL, &error), VG_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(vg_error_message(error), "1 output (index 0)");
    vg_error_free(error);
    error = NULL;
    CHECK(!file_exists(path));
done:
    vg_task_free(task);
    vg_client_free(client);
}

/* Vidu's cover as the thumbnail; its record resumed on a new client still names the cover and the outputs. */
void providers2_vidu_cover_and_resume(void)
{
    vg_client *client = make_client("vidu", g_base_url, NULL);
    vg_client *second = NULL;
    vg_task *task = NULL, *resumed = NULL;
    vg_error *error = NULL;
    char *record = NULL;
    char path[512], expected[512];
    const char *slash = g_asset_path ? strrchr(g_asset_path, '/') : NULL;
    REQUIRE(client != NULL);
    task = submit_json(client, "{\"model\": \"viduq2 emu-outputs-2\", \"prompt\": \"a cover\"}");
    REQUIRE(task != NULL && wait_ok(task));
    REQUIRE(vg_task_snapshot_json(task, &record) == VG_OK);
    CHECK_CONTAINS(record, "\"cover_url\"");
    second = make_client("vidu", g_base_url, NULL);
    REQUIRE(second != NULL);
    REQUIRE_CODE_E(vg_client_resume(second, record, &resumed, &error), VG_OK, error);
    work_path(path, sizeof path, "p2.cover.jpg");
    remove_download(path);
    CHECK_CODE_E(vg_task_download_v2(resumed, "thumbnail", path, NULL, NULL, &error), VG_OK, error);
    if (slash != NULL) {
        snprintf(expected, sizeof expected, "%.*s/thumbnail.jpg", (int)(slash - g_asset_path), g_asset_path);
        CHECK(files_equal(path, expected));
    }
    work_path(path, sizeof path, "p2.resumed.out1.mp4");
    remove_download(path);
    CHECK_CODE_E(vg_task_download_output(resumed, 1, path, NULL, NULL, &error), VG_OK, error);
    if (g_asset_path) CHECK(files_equal(path, g_asset_path));
    work_path(path, sizeof path, "p2.sprite.jpg");
    CHECK_CODE(vg_task_download_v2(resumed, "spritesheet", path, NULL, NULL, &error), VG_E_NOT_READY);
    vg_error_free(error);
    error = NULL;
done:
    vg_string_free(record);
    vg_task_free(resumed);
    vg_task_free(task);
    vg_client_free(second);
    vg_client_free(client);
}

/* Provider errors arrive as videogen's codes. */
void providers2_errors(void)
{
    static const struct {
        const char *dialect, *model;
        vg_code code;
    } cases[] = {
        {"dashscope", "m emu-error-datainspectionfailed", VG_E_CONTENT_POLICY},
        {"dashscope", "m emu-error-arrearage", VG_E_QUOTA},
        {"vidu", "m emu-error-creditinsufficient", VG_E_QUOTA},
        {"vidu", "m emu-error-taskpromptpolicyviolation", VG_E_CONTENT_POLICY},
        {"openrouter", "m emu-error-moderation", VG_E_CONTENT_POLICY},
        {"openrouter", "m emu-error-insufficient_credits", VG_E_QUOTA},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vg_client *client = make_client(cases[i].dialect, g_base_url, NULL);
        vg_task *task = NULL;
        vg_error *error = NULL;
        char request[256];
        REQUIRE(client != NULL);
        snprintf(request, sizeof request, "{\"model\": \"%s\", \"prompt\": \"p\"}", cases[i].model);
        CHECK_CODE(vg_client_submit(client, request, &task, &error), cases[i].code);
        CHECK(task == NULL);
        vg_error_free(error);
        vg_client_free(client);
    }
done:;
}
