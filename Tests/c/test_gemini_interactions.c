/*
 * test_gemini_interactions.c: Gemini Omni video through the Interactions API and the C API, against the emulator:
 * a background interaction submitted, resumed from its record in a fresh client, waited on and its inline base64
 * video downloaded (the record stays small and holds no key), remote cancel of a running interaction, a safety
 * failure as VG_E_CONTENT_POLICY, and a field refused by name.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gemini_interactions_end_to_end(void)
{
    vg_client *client = make_client("gemini_interactions", g_base_url, NULL);
    vg_client *fresh = make_client("gemini_interactions", g_base_url, NULL);
    vg_task *task = NULL, *again = NULL, *stuck = NULL, *cancelled = NULL, *filtered = NULL;
    vg_error *error = NULL;
    char *record = NULL, *stuck_record = NULL;
    char path[1024];
    REQUIRE(client != NULL && fresh != NULL);

    CHECK_CODE_E(vg_client_submit(client, "{\"model\": \"gemini-omni-flash-preview\", \"prompt\": \"p\","
                                          " \"negative_prompt\": \"blur\"}", &task, &error), VG_E_UNSUPPORTED, error);
    CHECK_CONTAINS(vg_error_message(error), "'negative_prompt'");
    vg_error_free(error);
    error = NULL;

    REQUIRE_CODE_E(vg_client_submit(client, "{\"model\": \"gemini-omni-flash-preview\", \"prompt\": \"a paper boat\","
                                            " \"aspect_ratio\": \"16:9\", \"duration\": 8, \"seed\": 5}", &task, &error),
                   VG_OK, error);
    REQUIRE(vg_task_snapshot_json(task, &record) == VG_OK);
    CHECK_NOT_CONTAINS(record, TEST_API_KEY);
    CHECK_CONTAINS(record, "\"dialect\":\"gemini_interactions\"");
    REQUIRE_CODE_E(vg_client_resume(fresh, record, &again, &error), VG_OK, error);
    REQUIRE_CODE_E(vg_task_wait(again, 30, NULL, NULL, &error), VG_OK, error);
    CHECK(vg_task_state(again) == VG_STATE_SUCCEEDED);
    CHECK_STR_EQ(vg_task_video_url(again), "inline:interaction/videos/0");
    vg_string_free(record);
    record = NULL;
    REQUIRE(vg_task_snapshot_json(again, &record) == VG_OK);
    CHECKF(strlen(record) < 2048, "the record holds no video bytes (%zu bytes)", strlen(record));
    CHECK_NOT_CONTAINS(record, TEST_API_KEY);
    work_path(path, sizeof path, "interactions.mp4");
    remove_download(path);
    REQUIRE_CODE_E(vg_task_download(again, path, NULL, NULL, &error), VG_OK, error);
    if (g_asset_path != NULL) CHECK(files_equal(path, g_asset_path));

    REQUIRE_CODE_E(vg_client_submit(client, "{\"model\": \"gemini-omni-emu-stuck\", \"prompt\": \"p\"}", &stuck, &error),
                   VG_OK, error);
    REQUIRE(vg_task_snapshot_json(stuck, &stuck_record) == VG_OK);
    CHECK_CODE_E(vg_task_cancel(stuck, VG_CANCEL_REMOTE, &error), VG_OK, error);
    REQUIRE_CODE_E(vg_client_resume(fresh, stuck_record, &cancelled, &error), VG_OK, error);
    CHECK_CODE_E(vg_task_poll(cancelled, &error), VG_OK, error);
    CHECKF(vg_task_state(cancelled) == VG_STATE_CANCELLED, "ended %s", vg_state_str(vg_task_state(cancelled)));

    REQUIRE_CODE_E(vg_client_submit(client, "{\"model\": \"gemini-omni-emu-rai\", \"prompt\": \"p\"}", &filtered, &error),
                   VG_OK, error);
    CHECK_CODE_E(vg_task_wait(filtered, 30, NULL, NULL, &error), VG_E_CONTENT_POLICY, error);
    CHECK(vg_task_error_code(filtered) == VG_E_CONTENT_POLICY);
    CHECK_CONTAINS(vg_task_error_message(filtered), "Support codes");
done:
    vg_string_free(stuck_record);
    vg_string_free(record);
    vg_error_free(error);
    vg_task_free(filtered);
    vg_task_free(cancelled);
    vg_task_free(stuck);
    vg_task_free(again);
    vg_task_free(task);
    vg_client_free(fresh);
    vg_client_free(client);
}
