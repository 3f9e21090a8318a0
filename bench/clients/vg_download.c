/*
 * vg_download.c: benchmark client for scenario 3. Resumes a succeeded openai-dialect task from its record and
 * downloads its video (GET {base}/v1/videos/{id}/content) with vg_task_download, printing the byte count and the
 * SHA-256 the library computed.
 *
 * Usage: vg_download BASE_URL TASK_ID OUT_PATH
 * The key comes from $VIDEOGEN_API_KEY.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "videogen.h"

static int fail(const char *step, vg_code code, vg_error *error)
{
    fprintf(stderr, "vg_download: %s: %s: %s\n", step, vg_code_str(code), error ? vg_error_message(error) : "");
    vg_error_free(error);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s BASE_URL TASK_ID OUT_PATH\n", argv[0]);
        return 2;
    }
    char config[1024], record[2048];
    snprintf(config, sizeof config,
             "{\"dialect\": \"openai\", \"base_url\": \"%s\", \"api_key_env\": \"VIDEOGEN_API_KEY\"}", argv[1]);
    snprintf(record, sizeof record,
             "{\"record_version\": 1, \"id\": \"%s\", \"state\": \"succeeded\","
             " \"video_url\": \"%s/v1/videos/%s/content\"}", argv[2], argv[1], argv[2]);
    vg_client *client = NULL;
    vg_task *task = NULL;
    vg_error *error = NULL;
    vg_code code = vg_client_create(config, &client, &error);
    if (code != VG_OK) return fail("client", code, error);
    code = vg_client_resume(client, record, &task, &error);
    if (code != VG_OK) return fail("resume", code, error);
    code = vg_task_download(task, argv[3], NULL, NULL, &error);
    if (code != VG_OK) return fail("download", code, error);
    char *snapshot = NULL;
    if (vg_task_snapshot_json(task, &snapshot) == VG_OK) {
        printf("%llu bytes\n%s\n", (unsigned long long)vg_task_bytes_received(task), snapshot);
        vg_string_free(snapshot);
    }
    vg_task_free(task);
    vg_client_free(client);
    return 0;
}
