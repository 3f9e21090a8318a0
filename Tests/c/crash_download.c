/*
 * crash_download.c: one download through the C ABI, meant to be killed with SIGKILL at a random point
 * (RELIABILITY.md row 12). Not part of Tests/c/run.sh: FaultRecoveryTests.killDuringDownload compiles it with
 * `cc` and runs it as a child process against the emulator.
 *
 * Usage: crash_download BASE_URL API_KEY VIDEO_URL PATH
 *   Resumes a succeeded task whose video is VIDEO_URL (a record, as another process would have saved it) in a new
 *   client, prints "started", downloads to PATH, prints "done <code>" and exits 0 on success, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>

#include "videogen.h"

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s BASE_URL API_KEY VIDEO_URL PATH\n", argv[0]);
        return 2;
    }
    char config[2048];
    char record[2048];
    snprintf(config, sizeof config,
             "{\"dialect\":\"openai\",\"base_url\":\"%s\",\"api_key\":\"%s\",\"request_timeout\":10,\"stall_timeout\":10}",
             argv[1], argv[2]);
    snprintf(record, sizeof record,
             "{\"record_version\":1,\"id\":\"blob\",\"dialect\":\"openai\",\"base_url\":\"%s\",\"state\":\"succeeded\","
             "\"video_url\":\"%s\"}",
             argv[1], argv[3]);
    vg_client *client = NULL;
    vg_task *task = NULL;
    vg_error *error = NULL;
    vg_code code = vg_client_create(config, &client, &error);
    if (code == VG_OK) code = vg_client_resume(client, record, &task, &error);
    printf("started\n");
    fflush(stdout);
    if (code == VG_OK) code = vg_task_download(task, argv[4], NULL, NULL, &error);
    printf("done %d %s\n", (int)code, code == VG_OK ? "" : vg_error_message(error));
    fflush(stdout);
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
    return code == VG_OK ? 0 : 1;
}
