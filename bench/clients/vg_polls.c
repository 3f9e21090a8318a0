/*
 * vg_polls.c: the leak measurement's client (bench/scenarios/leaks.py runs it under valgrind). Submits one task
 * through the C API, polls it POLLS times with vg_task_poll (one HTTP request each, blocking), reads its getters
 * and snapshot after each poll, then frees everything, so that what valgrind finds lost at exit is what the
 * requests left behind.
 *
 * Usage: vg_polls BASE_URL POLLS
 * The key comes from $VIDEOGEN_API_KEY; the emulator's tasks must outlast the run (a long --task-seconds).
 * Prints one JSON object: polls, ok, failed, first_error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "videogen.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s BASE_URL POLLS\n", argv[0]);
        return 2;
    }
    long polls = atol(argv[2]);
    if (polls <= 0) {
        fprintf(stderr, "vg_polls: bad POLLS\n");
        return 2;
    }
    char config[1024];
    snprintf(config, sizeof config,
             "{\"dialect\": \"openai\", \"base_url\": \"%s\", \"api_key_env\": \"VIDEOGEN_API_KEY\"}", argv[1]);
    vg_client *client = NULL;
    vg_task *task = NULL;
    vg_error *error = NULL;
    vg_code code = vg_client_create(config, &client, &error);
    if (code == VG_OK)
        code = vg_client_submit(client, "{\"model\": \"sora-2\", \"prompt\": \"a leak check\"}", &task, &error);
    if (code != VG_OK) {
        fprintf(stderr, "vg_polls: setup: %s: %s\n", vg_code_str(code), error ? vg_error_message(error) : "");
        vg_error_free(error);
        return 1;
    }
    long ok = 0, failed = 0;
    char first_error[256] = "";
    size_t sink = 0;
    for (long i = 0; i < polls; i++) {
        code = vg_task_poll(task, &error);
        if (code == VG_OK) {
            ok++;
            sink += (size_t)vg_task_state(task) + (size_t)vg_task_progress(task) + strlen(vg_task_id(task));
            char *snapshot = NULL;
            if (vg_task_snapshot_json(task, &snapshot) == VG_OK) sink += strlen(snapshot);
            vg_string_free(snapshot);
        } else {
            failed++;
            if (!first_error[0])
                snprintf(first_error, sizeof first_error, "%s", vg_code_str(code));
            vg_error_free(error);
            error = NULL;
        }
    }
    vg_task_free(task);
    vg_client_free(client);
    printf("{\"polls\": %ld, \"ok\": %ld, \"failed\": %ld, \"first_error\": \"%s\", \"sink\": %zu}\n", polls, ok,
           failed, first_error, sink);
    return failed ? 1 : 0;
}
