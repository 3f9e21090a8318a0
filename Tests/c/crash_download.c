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
#include "child_program.h"

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s BASE_URL API_KEY VIDEO_URL PATH\n", argv[0]);
        return 2;
    }
    char config[2048];
    char record[2048];
    blob_job(config, sizeof config, record, sizeof record, argv[1], argv[2], argv[3]);
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
