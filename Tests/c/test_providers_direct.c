/*
 * test_providers_direct.c: the MiniMax (v1 and v2), Runway, Luma and Ark dialects end to end through the C API
 * against the emulator: submit, wait, download (compared with the asset), what each record keeps (MiniMax's file
 * id, usage), resume from the record in a new client, errors and refusals as codes, and the remote cancel.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <stdio.h>
#include <string.h>

#define DIRECT_WAIT 30.0

struct direct_case {
    const char *dialect;
    const char *config;   /* spliced into the configuration, or NULL */
    const char *request;  /* the request document */
    const char *kept;     /* a text the finished record holds */
};

static const struct direct_case cases[] = {
    {"minimax", NULL, "{\"model\": \"MiniMax-Hailuo-02\", \"prompt\": \"a fox\", \"duration\": 6}", "\"file_id\""},
    {"minimax", "\"minimax_api\": \"v2\"",
     "{\"model\": \"MiniMax-H3\", \"prompt\": \"a fox\", \"image\": \"https://img.example/a.png\"}", "\"output_seconds\""},
    {"runway", "\"runway_version\": \"2024-11-06\"",
     "{\"model\": \"gen4_turbo\", \"prompt\": \"a fox\", \"image\": \"https://img.example/a.png\", \"aspect_ratio\": \"1280:720\"}",
     "\"credits\""},
    {"luma", NULL, "{\"model\": \"ray-2\", \"prompt\": \"a fox\", \"image\": \"https://img.example/a.png\", \"duration\": 5}",
     "\"provider_status\":\"completed\""},
    {"ark", NULL,
     "{\"model\": \"doubao-seedance-1-0-pro\", \"prompt\": \"a fox\", \"image\": \"https://img.example/a.png\", \"aspect_ratio\": \"16:9\"}",
     "\"completion_tokens\""},
};

/* One case: submit, resume the record in a second client, wait there, download, check the record. */
static void run_case(const struct direct_case *c, int index)
{
    vg_client *client = make_client(c->dialect, g_base_url, c->config);
    vg_client *other = make_client(c->dialect, g_base_url, c->config);
    vg_task *task = NULL;
    vg_task *resumed = NULL;
    vg_error *error = NULL;
    char *record = NULL;
    char *final = NULL;
    char path[1024];
    char name[64];
    REQUIRE(client != NULL && other != NULL);
    REQUIRE_CODE_E(vg_client_submit(client, c->request, &task, &error), VG_OK, error);
    REQUIRE_CODE_E(vg_task_snapshot_json(task, &record), VG_OK, NULL);
    REQUIRE_CODE_E(vg_client_resume(other, record, &resumed, &error), VG_OK, error);
    REQUIRE_CODE_E(vg_task_wait(resumed, DIRECT_WAIT, NULL, NULL, &error), VG_OK, error);
    CHECK(vg_task_state(resumed) == VG_STATE_SUCCEEDED);
    snprintf(name, sizeof name, "direct-%s-%d.mp4", c->dialect, index);
    work_path(path, sizeof path, name);
    remove_download(path);
    REQUIRE_CODE_E(vg_task_download(resumed, path, NULL, NULL, &error), VG_OK, error);
    if (g_asset_path) CHECKF(files_equal(path, g_asset_path), "%s: the download differs from the asset", c->dialect);
    REQUIRE_CODE_E(vg_task_snapshot_json(resumed, &final), VG_OK, NULL);
    CHECK_CONTAINS(final, c->kept);
    CHECK_NOT_CONTAINS(final, TEST_API_KEY);
done:
    vg_string_free(record);
    vg_string_free(final);
    vg_error_free(error);
    vg_task_free(task);
    vg_task_free(resumed);
    vg_client_free(client);
    vg_client_free(other);
}

/* A submit that the emulator refuses with `model`'s scenario, expected as `want` with provider code `provider`. */
static void refused_submit(const char *dialect, const char *config, const char *model, vg_code want, const char *provider)
{
    vg_client *client = make_client(dialect, g_base_url, config);
    vg_task *task = NULL;
    vg_error *error = NULL;
    char request[256];
    REQUIRE(client != NULL);
    snprintf(request, sizeof request, "{\"model\": \"%s\", \"prompt\": \"a fox\"}", model);
    CHECK_CODE_E(vg_client_submit(client, request, &task, &error), want, error);
    CHECK(task == NULL);
    if (provider) CHECK_STR_EQ(vg_error_provider_code(error), provider);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

/* Submits {"model": model, "prompt": "a fox"}: the fields every one of these dialects takes. */
static vg_task *submit_plain(vg_client *client, const char *model)
{
    vg_task *task = NULL;
    vg_error *error = NULL;
    char request[256];
    snprintf(request, sizeof request, "{\"model\": \"%s\", \"prompt\": \"a fox\"}", model);
    CHECK_CODE_E(vg_client_submit(client, request, &task, &error), VG_OK, error);
    vg_error_free(error);
    return task;
}

void providers_direct(void)
{
    vg_client *client = NULL;
    vg_task *task = NULL;
    vg_error *error = NULL;
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(&cases[i], (int)i);

    refused_submit("minimax", NULL, "MiniMax-Hailuo-02-emu-error-1008", VG_E_QUOTA, "1008");
    refused_submit("minimax", "\"minimax_api\": \"v2\", \"retry\": {\"max_attempts\": 1}", "MiniMax-H3-emu-error-1026",
                   VG_E_CONTENT_POLICY, "1026");
    refused_submit("ark", NULL, "seedance-emu-error-accountoverdueerror", VG_E_QUOTA, "AccountOverdueError");
    refused_submit("runway", "\"retry\": {\"max_attempts\": 1}", "gen4_turbo-emu-error-429", VG_E_RATE_LIMITED, NULL);

    /* a refused generation fails the wait as a content refusal */
    client = make_client("ark", g_base_url, NULL);
    REQUIRE(client != NULL);
    task = submit_plain(client, "seedance-emu-fail");
    REQUIRE(task != NULL);
    CHECK_CODE_E(vg_task_wait(task, DIRECT_WAIT, NULL, NULL, &error), VG_E_CONTENT_POLICY, error);
    CHECK(vg_task_state(task) == VG_STATE_FAILED);
    CHECK(vg_task_error_code(task) == VG_E_CONTENT_POLICY);
    vg_error_free(error);
    error = NULL;
    vg_task_free(task);
    task = NULL;
    vg_client_free(client);

    /* Runway's remote cancel is DELETE /v1/tasks/{id}; MiniMax has none */
    client = make_client("runway", g_base_url, NULL);
    REQUIRE(client != NULL);
    task = submit_plain(client, "gen4_turbo-emu-stuck");
    REQUIRE(task != NULL);
    CHECK_CODE_E(vg_task_cancel(task, VG_CANCEL_REMOTE, &error), VG_OK, error);
    vg_task_free(task);
    task = NULL;
    vg_client_free(client);
    client = make_client("minimax", g_base_url, NULL);
    REQUIRE(client != NULL);
    task = submit_plain(client, "MiniMax-Hailuo-02-emu-stuck");
    REQUIRE(task != NULL);
    CHECK_CODE_E(vg_task_cancel(task, VG_CANCEL_REMOTE, &error), VG_E_UNSUPPORTED, error);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}
