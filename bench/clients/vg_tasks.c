/*
 * vg_tasks.c: benchmark client for scenarios 1 and 2. Submits N tasks at once through the asynchronous C API,
 * waits for all of them from one thread (vg_client_dispatch), and writes what it saw as JSON.
 *
 * Usage: vg_tasks BASE_URL COUNT POLL_INTERVAL WAIT_TIMEOUT OUT.json
 * The key comes from $VIDEOGEN_API_KEY. Times are unix seconds (CLOCK_REALTIME), comparable with the emulator's.
 * Built with -DVG_CALLGRIND (vg_tasks_callgrind, for the profile of bench/scenarios/profile.py) it switches
 * callgrind's instrumentation on once the client exists and off once every task has settled, so that the profile
 * holds the requests and not the library's loading.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proc_status.h"
#include "videogen.h"

#ifdef VG_CALLGRIND
#include <valgrind/callgrind.h>
#define PROFILE_START() CALLGRIND_START_INSTRUMENTATION
#define PROFILE_STOP() CALLGRIND_STOP_INSTRUMENTATION
#else
#define PROFILE_START() ((void)0)
#define PROFILE_STOP() ((void)0)
#endif

typedef struct {
    size_t count;        /* tasks submitted */
    size_t settled;      /* tasks whose wait (or submit) ended */
    size_t succeeded;
    size_t failed;
    double wait_timeout;
    FILE *detected;      /* "id time" lines, copied into the JSON at the end */
    char first_error[256];
} run_state;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes `text` inside a JSON string: quotes and backslashes escaped, control characters as spaces. */
static void write_json_text(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\') fputc('\\', out);
        fputc((unsigned char)*p < 0x20 ? ' ' : *p, out);
    }
}

static void note_failure(run_state *run, vg_code code, const vg_error *error)
{
    run->failed++;
    run->settled++;
    if (!run->first_error[0])
        snprintf(run->first_error, sizeof run->first_error, "%s: %s", vg_code_str(code),
                 error ? vg_error_message(error) : "");
}

/* Submit done: start the wait. Wait done: note the instant the outcome became known. */
static int on_event(vg_task *task, vg_event_kind kind, vg_code code, const vg_error *error, void *user_data)
{
    run_state *run = user_data;
    if (kind != VG_EVENT_DONE) return 0;
    double at = now();
    const char *id = vg_task_id(task);
    if (code != VG_OK) {
        note_failure(run, code, error);
        return 0;
    }
    if (vg_task_state(task) == VG_STATE_SUCCEEDED) {
        fprintf(run->detected, "%s %.6f\n", id, at);
        run->succeeded++;
        run->settled++;
        return 0;
    }
    vg_error *start_error = NULL;
    vg_code started = vg_task_wait_async(task, run->wait_timeout, &start_error);
    if (started != VG_OK) note_failure(run, started, start_error);
    vg_error_free(start_error);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s BASE_URL COUNT POLL_INTERVAL WAIT_TIMEOUT OUT.json\n", argv[0]);
        return 2;
    }
    run_state run = {0};
    run.count = strtoul(argv[2], NULL, 10);
    double interval = atof(argv[3]);
    run.wait_timeout = atof(argv[4]);
    run.detected = tmpfile();
    vg_task **tasks = calloc(run.count ? run.count : 1, sizeof *tasks);
    if (!run.count || interval <= 0 || run.wait_timeout <= 0 || !run.detected || !tasks) {
        fprintf(stderr, "vg_tasks: bad arguments\n");
        return 2;
    }
    double process_start = now();
    char config[1024];
    snprintf(config, sizeof config,
             "{\"dialect\": \"openai\", \"base_url\": \"%s\", \"api_key_env\": \"VIDEOGEN_API_KEY\","
             " \"wait_timeout\": %g, \"poll\": {\"interval\": %g, \"max_interval\": %g, \"multiplier\": 1,"
             " \"jitter\": 0}}", argv[1], run.wait_timeout, interval, interval);
    vg_client *client = NULL;
    vg_error *error = NULL;
    vg_code code = vg_client_create(config, &client, &error);
    if (code != VG_OK) {
        fprintf(stderr, "vg_tasks: client: %s: %s\n", vg_code_str(code), vg_error_message(error));
        return 1;
    }
    long baseline_rss = status_kb("VmRSS");
    long baseline_threads = status_kb("Threads");
    PROFILE_START();
    double start = now();
    for (size_t i = 0; i < run.count; i++) {
        code = vg_client_submit_async(client, "{\"model\": \"sora-2\", \"prompt\": \"a benchmark task\"}",
                                      &tasks[i], &error);
        if (code != VG_OK) {
            note_failure(&run, code, error);
            vg_error_free(error);
            error = NULL;
        }
    }
    double submitted = now();
    long peak_threads = baseline_threads;
    while (run.settled < run.count) {
        size_t dispatched = 0;
        vg_client_dispatch(client, 0.5, on_event, &run, &dispatched);
        long threads = status_kb("Threads");
        if (threads > peak_threads) peak_threads = threads;
    }
    double end = now();
    PROFILE_STOP();
    long peak_rss = status_kb("VmHWM");
    for (size_t i = 0; i < run.count; i++) vg_task_free(tasks[i]);
    vg_client_free(client);
    free(tasks);

    FILE *out = fopen(argv[5], "w");
    if (!out) {
        perror("vg_tasks: output");
        return 1;
    }
    fprintf(out, "{\"client\": \"videogen-c\", \"tasks\": %zu, \"succeeded\": %zu, \"failed\": %zu,"
                 " \"first_error\": \"", run.count, run.succeeded, run.failed);
    write_json_text(out, run.first_error);
    fprintf(out, "\", \"process_start\": %.6f, \"start\": %.6f, \"submitted\": %.6f, \"end\": %.6f,"
                 " \"baseline_rss_kb\": %ld, \"peak_rss_kb\": %ld, \"baseline_threads\": %ld, \"peak_threads\": %ld,"
                 " \"detected\": {", process_start, start, submitted, end, baseline_rss, peak_rss, baseline_threads,
            peak_threads);
    rewind(run.detected);
    char id[256];
    double at;
    int first = 1;
    while (fscanf(run.detected, "%255s %lf", id, &at) == 2) {
        fprintf(out, "%s\"%s\": %.6f", first ? "" : ", ", id, at);
        first = 0;
    }
    fprintf(out, "}}\n");
    fclose(out);
    fclose(run.detected);
    return run.failed ? 1 : 0;
}
