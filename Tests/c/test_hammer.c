/*
 * test_hammer.c: 64 threads hammering one client at once: resumes, polls, getters, snapshots, frees, misuse.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HAMMER_THREADS 64
#define HAMMER_ROUNDS 10

struct hammer {
    vg_client *client;
    const char *record;
    vg_error *shared_error; /* a live error handle every thread also uses as a wrong-kind task handle */
    int failures;
    char reason[200];
};

static void *hammer_run(void *p)
{
    struct hammer *h = p;
    int round;
    for (round = 0; round < HAMMER_ROUNDS; round++) {
        vg_task *task = NULL;
        vg_error *error = NULL;
        char *json = NULL;
        vg_code code = vg_client_resume(h->client, h->record, &task, &error);
        if (code != VG_OK) {
            snprintf(h->reason, sizeof h->reason, "resume: %s", vg_code_str(code));
            h->failures++;
            vg_error_free(error);
            continue;
        }
        code = vg_task_poll(task, &error);
        if (code != VG_OK || vg_task_state(task) != VG_STATE_SUCCEEDED || vg_task_video_url(task) == NULL) {
            snprintf(h->reason, sizeof h->reason, "poll: %s (%s)", vg_code_str(code), vg_error_message(error));
            h->failures++;
        }
        vg_error_free(error);
        if (vg_task_snapshot_json(task, &json) != VG_OK || json == NULL || strstr(json, "\"succeeded\"") == NULL) {
            snprintf(h->reason, sizeof h->reason, "snapshot");
            h->failures++;
        }
        vg_string_free(json);
        /* Misuse mixed in: a wrong-kind handle, a forged one, a double free. */
        if (vg_task_poll((vg_task *)h->shared_error, NULL) != VG_E_INVALID_HANDLE) h->failures++;
        if (vg_task_state((vg_task *)(uintptr_t)0x1234) != VG_STATE_FAILED) h->failures++;
        vg_task_free(task);
        vg_task_free(task);
        if (vg_task_poll(task, NULL) != VG_E_INVALID_HANDLE) h->failures++;
    }
    return NULL;
}

void threads_hammer(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    char *record = NULL;
    struct hammer hammers[HAMMER_THREADS];
    pthread_t threads[HAMMER_THREADS];
    int started[HAMMER_THREADS];
    int i, failures = 0;
    REQUIRE(client != NULL);
    task = submit_model(client, "sora-2");
    REQUIRE(task != NULL);
    REQUIRE_CODE_E(vg_task_wait(task, 30, NULL, NULL, &error), VG_OK, error);
    REQUIRE(vg_task_snapshot_json(task, &record) == VG_OK);
    /* A live error handle to misuse as a task. */
    CHECK_CODE_E(vg_client_submit(client, "{}", NULL, &error), VG_E_INVALID_ARGUMENT, error);
    for (i = 0; i < HAMMER_THREADS; i++) {
        memset(&hammers[i], 0, sizeof hammers[i]);
        hammers[i].client = client;
        hammers[i].record = record;
        hammers[i].shared_error = error;
        started[i] = pthread_create(&threads[i], NULL, hammer_run, &hammers[i]) == 0;
        CHECKF(started[i], "pthread_create %d failed", i);
    }
    for (i = 0; i < HAMMER_THREADS; i++) {
        if (started[i]) pthread_join(threads[i], NULL);
        if (hammers[i].failures) {
            failures += hammers[i].failures;
            t_fail(__FILE__, __LINE__, "thread %d: %d failures, last: %s", i, hammers[i].failures, hammers[i].reason);
        }
    }
    CHECKF(failures == 0, "%d failures across %d threads x %d rounds", failures, HAMMER_THREADS, HAMMER_ROUNDS);
done:
    vg_string_free(record);
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}
