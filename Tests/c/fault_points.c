/*
 * fault_points.c: one download and one round of strings handed to the caller through the C ABI, for the fault
 * point runs of RELIABILITY.md row 21. Not part of Tests/c/run.sh: FaultPointTests compiles it with `cc` against
 * the debug libvideogen.so and runs it as a child process with VIDEOGEN_FAULT_POINTS set ("trace" to count the
 * library's fallible calls, "fail:<i>" to make the i-th one fail; the library writes "FAULT-POINT ..." lines to
 * standard error), then once more without it.
 *
 * Usage: fault_points BASE_URL API_KEY VIDEO_URL PATH
 * Output: "RESULT key value" lines for the Swift test, "FAIL: ..." lines for failed checks; exit status 0 when no
 * check failed (a crash is a signal, never 0).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "videogen.h"
#include "child_program.h"

/* Descriptors of this process open on files under `directory` (the download's part file, note, directory). */
static int descriptors_under(const char *directory) {
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) return -1;
    int n = 0;
    struct dirent *entry;
    char link[300], target[4096];
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.') continue;
        snprintf(link, sizeof link, "/proc/self/fd/%s", entry->d_name);
        ssize_t length = readlink(link, target, sizeof target - 1);
        if (length <= 0) continue;
        target[length] = '\0';
        if (strncmp(target, directory, strlen(directory)) == 0) n++;
    }
    closedir(dir);
    return n;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s BASE_URL API_KEY VIDEO_URL PATH\n", argv[0]);
        return 2;
    }
    char config[2048], record[2048], path_copy[2048];
    blob_job(config, sizeof config, record, sizeof record, argv[1], argv[2], argv[3]);
    snprintf(path_copy, sizeof path_copy, "%s", argv[4]);
    const char *directory = dirname(path_copy);

    vg_client *client = NULL;
    vg_task *task = NULL;
    vg_error *error = NULL;
    CHECK(vg_client_create(config, &client, &error) == VG_OK, "vg_client_create");
    CHECK(vg_client_resume(client, record, &task, &error) == VG_OK, "vg_client_resume");
    int before = descriptors_under(directory);

    /* The download: VG_OK, or a typed error and no destination file. */
    vg_code code = vg_task_download(task, argv[4], NULL, NULL, &error);
    struct stat st;
    int destination = stat(argv[4], &st) == 0;
    printf("RESULT download %d\n", (int)code);
    if (code != VG_OK) {
        CHECK(error != NULL, "an error handle for a failed download");
        const char *message = vg_error_message(error);
        CHECK(message != NULL, "vg_error_message is never NULL");
        printf("RESULT message %s\n", message && message[0] ? "text" : "empty");
        CHECK(!destination, "no destination file after a failed download");
    }
    vg_error_free(error);
    error = NULL;

    /* Strings for the caller: a copy (VG_OK or VG_E_NOMEM) and getters ("" or NULL when they cannot allocate). */
    char *json = NULL;
    vg_code snapshot = vg_task_snapshot_json(task, &json);
    printf("RESULT snapshot %d\n", (int)snapshot);
    CHECK(snapshot == VG_OK || snapshot == VG_E_NOMEM, "vg_task_snapshot_json returned %d", (int)snapshot);
    CHECK((snapshot == VG_OK) == (json != NULL), "out is set exactly on success");
    if (json) CHECK(json[0] == '{', "a JSON object");
    vg_string_free(json);
    const char *id = vg_task_id(task);
    CHECK(id != NULL, "vg_task_id is never NULL");
    printf("RESULT id %s\n", id && id[0] ? id : "(empty)");
    const char *url = vg_task_video_url(task);
    printf("RESULT video_url %s\n", url ? "set" : "null");
    vg_task *bad = NULL;
    vg_code refused = vg_client_resume(client, "{\"record_version\": 1", &bad, &error);
    CHECK(refused == VG_E_INVALID_JSON && bad == NULL, "a truncated record is refused (%d)", (int)refused);
    const char *message = vg_error_message(error);
    CHECK(message != NULL, "vg_error_message is never NULL");
    printf("RESULT refusal %s\n", message && message[0] ? "text" : "empty");
    vg_error_free(error);

    int after = descriptors_under(directory);
    printf("RESULT descriptors %d %d\n", before, after);
    CHECK(after == before, "descriptors on the download's files: %d before, %d after", before, after);
    vg_task_free(task);
    vg_client_free(client);
    printf("RESULT checks_failed %d\n", g_failures);
    fflush(stdout);
    return g_failures == 0 ? 0 : 1;
}
