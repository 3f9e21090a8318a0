/*
 * test_direct_providers.c: Kling's own API (JWT from an access key and a secret key), fal's queue and Replicate
 * through the C API against the emulator: whole jobs downloaded byte for byte, a record resumed by a second client,
 * remote cancels, provider errors, and the minted token scrubbed from an error that echoes it.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The emulator's Kling secret key (emulator/videogen_emulator/kling_official_routes.py); the access key is the
 * emulator's API key. */
#define KLING_SECRET "\"secret_key\": \"emulator-kling-secret-key-0123456789\""

/* Submits `request` on `client`, waits, downloads and compares with the emulator's asset; resumes the record in
 * `second` and polls it there. */
static void whole_job(vg_client *client, vg_client *second, const char *request, const char *name, const char *expect)
{
    vg_task *task = NULL, *resumed = NULL;
    vg_error *error = NULL;
    char path[512];
    char *record = NULL;
    REQUIRE_CODE_E(vg_client_submit(client, request, &task, &error), VG_OK, error);
    CHECK_CODE_E(vg_task_wait(task, 30, NULL, NULL, &error), VG_OK, error);
    CHECKF(vg_task_state(task) == VG_STATE_SUCCEEDED, "%s ended %s: %s", name, vg_state_str(vg_task_state(task)),
           vg_task_error_message(task));
    work_path(path, sizeof path, name);
    CHECK_CODE_E(vg_task_download(task, path, NULL, NULL, &error), VG_OK, error);
    if (g_asset_path != NULL) CHECKF(files_equal(path, g_asset_path), "%s: the download differs from the asset", name);
    remove_download(path);
    REQUIRE(vg_task_snapshot_json(task, &record) == VG_OK);
    CHECK_CONTAINS(record, expect);
    CHECK_NOT_CONTAINS(record, TEST_API_KEY);
    CHECK_NOT_CONTAINS(record, "emulator-kling-secret");
    REQUIRE_CODE_E(vg_client_resume(second, record, &resumed, &error), VG_OK, error);
    CHECK_CODE_E(vg_task_poll(resumed, &error), VG_OK, error);
    CHECK(vg_task_state(resumed) == VG_STATE_SUCCEEDED);
    CHECK_STR_EQ(vg_task_video_url(resumed) != NULL ? "url" : "none", "url");
done:
    vg_string_free(record);
    vg_error_free(error);
    vg_task_free(resumed);
    vg_task_free(task);
}

/* A stuck task (it never ends by itself) is cancelled on the service: the cancelled handle stops, and its record,
 * resumed in `second`, polls as cancelled. */
static void remote_cancel(vg_client *client, vg_client *second, const char *request)
{
    vg_task *task = NULL, *resumed = NULL;
    vg_error *error = NULL;
    char *record = NULL;
    REQUIRE_CODE_E(vg_client_submit(client, request, &task, &error), VG_OK, error);
    REQUIRE(vg_task_snapshot_json(task, &record) == VG_OK);
    CHECK_CODE_E(vg_task_cancel(task, VG_CANCEL_REMOTE, &error), VG_OK, error);
    REQUIRE_CODE_E(vg_client_resume(second, record, &resumed, &error), VG_OK, error);
    CHECK_CODE_E(vg_task_poll(resumed, &error), VG_OK, error);
    CHECKF(vg_task_state(resumed) == VG_STATE_CANCELLED, "ended %s", vg_state_str(vg_task_state(resumed)));
done:
    vg_string_free(record);
    vg_error_free(error);
    vg_task_free(resumed);
    vg_task_free(task);
}

static void submit_fails(vg_client *client, const char *request, vg_code expected, const char *provider_code)
{
    vg_task *task = NULL;
    vg_error *error = NULL;
    CHECK_CODE(vg_client_submit(client, request, &task, &error), expected);
    CHECK(task == NULL);
    if (provider_code != NULL) CHECK_STR_EQ(vg_error_provider_code(error), provider_code);
    vg_error_free(error);
}

void direct_providers(void)
{
    vg_client *kling = make_client("kling_official", g_base_url, KLING_SECRET ", \"retry\": {\"max_attempts\": 1}");
    vg_client *kling2 = make_client("kling_official", g_base_url, KLING_SECRET);
    vg_client *fal = make_client("fal", g_base_url, "\"server_deadline\": true, \"retry\": {\"max_attempts\": 1}");
    vg_client *fal2 = make_client("fal", g_base_url, NULL);
    vg_client *replicate = make_client("replicate", g_base_url, "\"prefer_wait\": 1, \"retry\": {\"max_attempts\": 1}");
    vg_client *replicate2 = make_client("replicate", g_base_url, NULL);
    vg_client *bad = NULL;
    vg_task *task = NULL;
    vg_error *error = NULL;
    REQUIRE(kling && kling2 && fal && fal2 && replicate && replicate2);

    whole_job(kling, kling2, "{\"model\": \"kling-v2-master\", \"prompt\": \"a boat\", \"duration\": 5}", "kling-t2v.mp4",
              "\"route\":\"text2video\"");
    whole_job(kling, kling2, "{\"model\": \"kling-video-o1\", \"prompt\": \"a boat\", \"image\": \"https://img.example/a.png\","
              " \"external_task_id\": \"c-ext-omni\"}", "kling-omni.mp4", "\"external_task_id\":\"c-ext-omni\"");
    whole_job(fal, fal2, "{\"model\": \"fal-ai/kling-video/v2.1/standard/text-to-video\", \"prompt\": \"a boat\"}",
              "fal.mp4", "\"status_url\":");
    whole_job(replicate, replicate2, "{\"model\": \"kwaivgi/kling-v2.1\", \"prompt\": \"a boat\", \"duration\": 5}",
              "replicate.mp4", "\"predict_time\":");
    whole_job(replicate, replicate2, "{\"model\": \"deployments/acme/video\", \"prompt\": \"a boat\"}", "deployment.mp4",
              "\"get\":");

    remote_cancel(fal, fal2, "{\"model\": \"fal-ai/app-emu-stuck\", \"prompt\": \"a boat\"}");
    remote_cancel(replicate, replicate2, "{\"model\": \"owner/model-emu-stuck\", \"prompt\": \"a boat\"}");
    CHECK_CODE(vg_client_submit(kling, "{\"model\": \"kling-v1-emu-stuck\", \"prompt\": \"p\"}", &task, &error), VG_OK);
    CHECK_CODE(vg_task_cancel(task, VG_CANCEL_REMOTE, &error), VG_E_UNSUPPORTED);
    vg_error_free(error);
    error = NULL;
    vg_task_free(task);
    task = NULL;

    submit_fails(kling, "{\"model\": \"kling-v1-emu-error-1102\", \"prompt\": \"p\"}", VG_E_QUOTA, "1102");
    submit_fails(fal, "{\"model\": \"fal-ai/app-emu-error-validation\", \"prompt\": \"p\"}", VG_E_BAD_REQUEST, "string_too_long");
    submit_fails(replicate, "{\"model\": \"owner/m-emu-error-insufficient_credit\", \"prompt\": \"p\"}", VG_E_QUOTA, NULL);
    submit_fails(fal, "{\"model\": \"fal-ai/app\", \"prompt\": \"p\", \"n\": 2}", VG_E_UNSUPPORTED, NULL);
    submit_fails(replicate, "{\"model\": \"owner/model\", \"prompt\": \"p\", \"image_tail\": \"https://i.example/z.png\"}",
                 VG_E_UNSUPPORTED, NULL);

    /* The service echoes the Authorization header (the minted JWT): the error shows it redacted. */
    CHECK_CODE(vg_client_submit(kling, "{\"model\": \"kling-v1-emu-echo-auth\", \"prompt\": \"p\"}", &task, &error),
               VG_E_BAD_REQUEST);
    CHECK_CONTAINS(vg_error_message(error), "<redacted>");
    CHECK_NOT_CONTAINS(vg_error_message(error), "eyJ");
    vg_error_free(error);
    error = NULL;

    /* Without a secret key Kling's API cannot be configured; a secret key elsewhere is refused by name. */
    CHECK_CODE(vg_client_create("{\"provider\": \"kling\", \"api_key\": \"ak\"}", &bad, &error), VG_E_AUTH);
    CHECK(bad == NULL);
    vg_error_free(error);
    error = NULL;
    CHECK_CODE(vg_client_create("{\"provider\": \"fal\", \"api_key\": \"k\", \"secret_key\": \"s-123456789\"}", &bad, &error),
               VG_E_UNSUPPORTED);
    CHECK_CONTAINS(vg_error_message(error), "'secret_key'");
    CHECK_NOT_CONTAINS(vg_error_message(error), "s-123456789");
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(bad);
    vg_client_free(kling);
    vg_client_free(kling2);
    vg_client_free(fal);
    vg_client_free(fal2);
    vg_client_free(replicate);
    vg_client_free(replicate2);
}
