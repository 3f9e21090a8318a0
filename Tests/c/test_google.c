/*
 * test_google.c: Veo on the Gemini API and on Vertex AI through the C API, against the emulator: submit, wait,
 * download (through the Gemini file route's redirect to a storage origin that refuses any credential header; Vertex's
 * inline bytes by asking the operation again), resume from the record in a fresh client, fields refused by name,
 * RAI filtering as VG_E_CONTENT_POLICY, gs:// results refused at download, and no key in records.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A fresh client made from `config`; records a failure and returns NULL when creation fails. */
static vg_client *client_from(const char *config)
{
    vg_client *client = NULL;
    vg_error *error = NULL;
    vg_code code = vg_client_create(config, &client, &error);
    if (code != VG_OK) t_fail(__FILE__, __LINE__, "vg_client_create: %s: %s", vg_code_str(code), vg_error_message(error));
    vg_error_free(error);
    return client;
}

/* The task's record, resumed in `client` (another client, as another process would). */
static vg_task *resumed(vg_task *task, vg_client *client)
{
    char *record = NULL;
    vg_task *copy = NULL;
    vg_error *error = NULL;
    if (vg_task_snapshot_json(task, &record) != VG_OK) return NULL;
    CHECK_NOT_CONTAINS(record, TEST_API_KEY);
    if (vg_client_resume(client, record, &copy, &error) != VG_OK)
        t_fail(__FILE__, __LINE__, "vg_client_resume: %s", vg_error_message(error));
    vg_error_free(error);
    vg_string_free(record);
    return copy;
}

void google_gemini_end_to_end(void)
{
    vg_client *client = make_client("gemini", g_base_url, NULL);
    vg_client *fresh = make_client("gemini", g_base_url, NULL);
    vg_task *task = NULL, *again = NULL, *filtered = NULL;
    vg_error *error = NULL;
    char path[1024];
    char *response = NULL;
    REQUIRE(client != NULL && fresh != NULL);

    CHECK_CODE_E(vg_client_submit(client, "{\"model\": \"veo-3.0-generate-001\", \"prompt\": \"p\", \"seed\": 1}", &task, &error),
                 VG_E_UNSUPPORTED, error);
    CHECK_CONTAINS(vg_error_message(error), "'seed'");
    vg_error_free(error);
    error = NULL;

    REQUIRE_CODE_E(vg_client_submit(client, "{\"model\": \"veo-3.0-generate-001\", \"prompt\": \"a paper boat\","
                                            " \"aspect_ratio\": \"16:9\", \"duration\": 8}", &task, &error), VG_OK, error);
    CHECK(strncmp(vg_task_id(task), "models/veo-3.0-generate-001/operations/", 39) == 0);
    again = resumed(task, fresh);
    REQUIRE(again != NULL);
    REQUIRE_CODE_E(vg_task_wait(again, 30, NULL, NULL, &error), VG_OK, error);
    CHECK(vg_task_state(again) == VG_STATE_SUCCEEDED);
    CHECK_CONTAINS(vg_task_video_url(again), "/v1beta/files/");
    work_path(path, sizeof path, "gemini.mp4");
    remove_download(path);
    REQUIRE_CODE_E(vg_task_download(again, path, NULL, NULL, &error), VG_OK, error);
    if (g_asset_path != NULL) CHECK(files_equal(path, g_asset_path));
    CHECK(http_request(g_base_url, "GET", "/_emulator/google/accounts", NULL, &response) == 200);
    CHECK_CONTAINS(response, "\"storage_credential_headers\":[]");

    REQUIRE_CODE_E(vg_client_submit(client, "{\"model\": \"veo-emu-rai\", \"prompt\": \"p\"}", &filtered, &error), VG_OK, error);
    CHECK_CODE_E(vg_task_wait(filtered, 30, NULL, NULL, &error), VG_E_CONTENT_POLICY, error);
    CHECK(vg_task_error_code(filtered) == VG_E_CONTENT_POLICY);
    CHECK_CONTAINS(vg_task_error_message(filtered), "Support codes");
done:
    free(response);
    vg_error_free(error);
    vg_task_free(filtered);
    vg_task_free(again);
    vg_task_free(task);
    vg_client_free(fresh);
    vg_client_free(client);
}

void google_vertex_end_to_end(void)
{
    char config[1024], path[1024];
    char *record = NULL;
    vg_client *client = NULL, *fresh = NULL;
    vg_task *task = NULL, *again = NULL, *stored = NULL;
    vg_error *error = NULL;
    snprintf(config, sizeof config,
             "{\"dialect\": \"vertex\", \"base_url\": \"%s\", \"project\": \"proj-c\", \"location\": \"us-central1\","
             " \"access_token_env\": \"%s\", \"poll\": {\"interval\": 0.2, \"max_interval\": 0.5}}",
             g_base_url, TEST_KEY_ENV);
    client = client_from(config);
    fresh = client_from(config);
    REQUIRE(client != NULL && fresh != NULL);

    REQUIRE_CODE_E(vg_client_submit(client, "{\"model\": \"veo-3.0-generate-001\", \"prompt\": \"a paper boat\", \"seed\": 7}",
                                    &task, &error), VG_OK, error);
    CHECK(strncmp(vg_task_id(task), "projects/proj-c/locations/us-central1/publishers/google/models/veo-3.0-generate-001/operations/", 95) == 0);
    REQUIRE_CODE_E(vg_task_wait(task, 30, NULL, NULL, &error), VG_OK, error);
    CHECK_STR_EQ(vg_task_video_url(task), "inline:videos/0");
    REQUIRE(vg_task_snapshot_json(task, &record) == VG_OK);
    CHECKF(strlen(record) < 2048, "the record holds no video bytes (%zu bytes)", strlen(record));
    again = resumed(task, fresh);
    REQUIRE(again != NULL);
    work_path(path, sizeof path, "vertex.mp4");
    remove_download(path);
    REQUIRE_CODE_E(vg_task_download(again, path, NULL, NULL, &error), VG_OK, error);
    if (g_asset_path != NULL) CHECK(files_equal(path, g_asset_path));

    REQUIRE_CODE_E(vg_client_submit(client, "{\"model\": \"veo-3.0-generate-001\", \"prompt\": \"p\","
                                            " \"extra\": {\"storageUri\": \"gs://bucket-c/out\"}}", &stored, &error), VG_OK, error);
    REQUIRE_CODE_E(vg_task_wait(stored, 30, NULL, NULL, &error), VG_OK, error);
    CHECK_CONTAINS(vg_task_video_url(stored), "gs://bucket-c/out/");
    work_path(path, sizeof path, "vertex-gcs.mp4");
    remove_download(path);
    CHECK_CODE_E(vg_task_download(stored, path, NULL, NULL, &error), VG_E_UNSUPPORTED, error);
    CHECK_CONTAINS(vg_error_message(error), "gs://bucket-c/out/");
    CHECK(!file_exists(path));
done:
    vg_string_free(record);
    vg_error_free(error);
    vg_task_free(stored);
    vg_task_free(again);
    vg_task_free(task);
    vg_client_free(fresh);
    vg_client_free(client);
}
