/*
 * vg_tasks.c: benchmark client for scenarios 1, 2, 7 and 9. Submits N tasks at once through the asynchronous C API,
 * waits for all of them from one thread (vg_client_dispatch), and writes what it saw as JSON.
 *
 * Usage: vg_tasks BASE_URL COUNT POLL_INTERVAL WAIT_TIMEOUT OUT.json [POLL_JSON [MAX_SUBMITTING]]
 * Polls come every POLL_INTERVAL seconds (a fixed schedule: adaptive placement off); with POLL_JSON (a
 * configuration "poll" object, e.g. '{}' for the library's default policy) that object is the schedule instead and
 * POLL_INTERVAL is not used. With MAX_SUBMITTING, at most that many submits are unanswered at a time (the next ones
 * go out as answers arrive); without it every submit goes out at once.
 * While every task is in flight (all waits started, none ended) it samples its memory (VmRSS, RssAnon) and its
 * threads (/proc/self/task: every thread but this one is the library's) once a second.
 * The key comes from $VIDEOGEN_API_KEY. Times are unix seconds (CLOCK_REALTIME), comparable with the emulator's.
 * Built with -DVG_CALLGRIND (vg_tasks_callgrind, for the profile of bench/scenarios/profile.py) it switches
 * callgrind's instrumentation on once the client exists and off once every task has settled, so that the profile
 * holds the requests and not the library's loading.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
    size_t waiting;      /* waits started */
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

/* What the process looked like while every task was in flight: the largest memory seen, the most threads. */
typedef struct {
    int samples;
    double first_at, last_at;
    long rss_kb, anon_kb, threads;
    char names[2048];    /* the library's threads at the sample with the most, "name xN" comma-separated */
} in_flight_sample;

/* Counts this process's threads by name (/proc/self/task/N/comm), leaving out the calling thread. */
static long library_threads(char *names, size_t size)
{
    DIR *dir = opendir("/proc/self/task");
    if (!dir) return -1;
    char seen[64][16];
    int counts[64] = {0};
    int kinds = 0;
    long total = 0;
    char self[32];
    snprintf(self, sizeof self, "%ld", (long)getpid());
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (entry->d_name[0] == '.' || strcmp(entry->d_name, self) == 0) continue;
        char path[300], name[16] = "?";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", entry->d_name);
        FILE *comm = fopen(path, "r");
        if (comm) {
            if (fgets(name, sizeof name, comm)) name[strcspn(name, "\n")] = 0;
            fclose(comm);
        }
        total++;
        int k = 0;
        while (k < kinds && strcmp(seen[k], name) != 0) k++;
        if (k == kinds && kinds < 64) snprintf(seen[kinds++], sizeof seen[0], "%s", name);
        if (k < 64) counts[k]++;
    }
    closedir(dir);
    size_t used = 0;
    names[0] = 0;
    for (int k = 0; k < kinds && used < size; k++) {
        int n = snprintf(names + used, size - used, "%s%s x%d", k ? ", " : "", seen[k], counts[k]);
        if (n < 0) break;
        used += (size_t)n;
    }
    return total;
}

static void sample_in_flight(in_flight_sample *sample, double at)
{
    char names[sizeof sample->names];
    long threads = library_threads(names, sizeof names);
    long rss = status_kb("VmRSS"), anon = status_kb("RssAnon");
    if (!sample->samples++) sample->first_at = at;
    sample->last_at = at;
    if (rss > sample->rss_kb) sample->rss_kb = rss;
    if (anon > sample->anon_kb) sample->anon_kb = anon;
    if (threads > sample->threads) {
        sample->threads = threads;
        snprintf(sample->names, sizeof sample->names, "%s", names);
    }
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
    else run->waiting++;
    vg_error_free(start_error);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 6 || argc > 8) {
        fprintf(stderr, "usage: %s BASE_URL COUNT POLL_INTERVAL WAIT_TIMEOUT OUT.json [POLL_JSON [MAX_SUBMITTING]]\n",
                argv[0]);
        return 2;
    }
    run_state run = {0};
    run.count = strtoul(argv[2], NULL, 10);
    double interval = atof(argv[3]);
    size_t window = argc == 8 ? strtoul(argv[7], NULL, 10) : 0;   /* 0: every submit at once */
    run.wait_timeout = atof(argv[4]);
    run.detected = tmpfile();
    vg_task **tasks = calloc(run.count ? run.count : 1, sizeof *tasks);
    if (!run.count || interval <= 0 || run.wait_timeout <= 0 || !run.detected || !tasks) {
        fprintf(stderr, "vg_tasks: bad arguments\n");
        return 2;
    }
    double process_start = now();
    char fixed[256], config[2048];
    snprintf(fixed, sizeof fixed, "{\"interval\": %g, \"max_interval\": %g, \"multiplier\": 1, \"jitter\": 0,"
             " \"adaptive\": false}", interval, interval);
    int written = snprintf(config, sizeof config,
             "{\"dialect\": \"openai\", \"base_url\": \"%s\", \"api_key_env\": \"VIDEOGEN_API_KEY\","
             " \"wait_timeout\": %g, \"poll\": %s}", argv[1], run.wait_timeout, argc >= 7 ? argv[6] : fixed);
    if (written < 0 || (size_t)written >= sizeof config) {
        fprintf(stderr, "vg_tasks: configuration too long\n");
        return 2;
    }
    vg_client *client = NULL;
    vg_error *error = NULL;
    vg_code code = vg_client_create(config, &client, &error);
    if (code != VG_OK) {
        fprintf(stderr, "vg_tasks: client: %s: %s\n", vg_code_str(code), vg_error_message(error));
        return 1;
    }
    long baseline_rss = status_kb("VmRSS");
    long baseline_threads = status_kb("Threads");
    long baseline_anon = status_kb("RssAnon");
    PROFILE_START();
    double start = now();
    double submitted = 0;
    size_t issued = 0;
    long peak_threads = baseline_threads;
    in_flight_sample in_flight = {0};
    while (run.settled < run.count) {
        /* Submits still unanswered: issued minus those whose wait started or that failed (a failed wait also
         * counts, which only lets one more submit through). */
        while (issued < run.count &&
               (!window || (long)issued - (long)run.waiting - (long)run.failed < (long)window)) {
            code = vg_client_submit_async(client, "{\"model\": \"sora-2\", \"prompt\": \"a benchmark task\"}",
                                          &tasks[issued], &error);
            issued++;
            if (code != VG_OK) {
                note_failure(&run, code, error);
                vg_error_free(error);
                error = NULL;
            }
        }
        if (issued == run.count && !submitted) submitted = now();
        size_t dispatched = 0;
        vg_client_dispatch(client, 0.5, on_event, &run, &dispatched);
        long threads = status_kb("Threads");
        if (threads > peak_threads) peak_threads = threads;
        /* At most once a second: dispatch returns after every batch of events, and the samples read /proc. */
        if (run.waiting == run.count && run.settled == 0 && (!in_flight.samples || now() - in_flight.last_at >= 1.0))
            sample_in_flight(&in_flight, now());
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
                 " \"baseline_anon_kb\": %ld, \"in_flight\": {\"samples\": %d, \"first_at\": %.6f, \"last_at\": %.6f,"
                 " \"rss_kb\": %ld, \"anon_kb\": %ld, \"library_threads\": %ld, \"thread_names\": \"",
            process_start, start, submitted, end, baseline_rss, peak_rss, baseline_threads, peak_threads, baseline_anon,
            in_flight.samples, in_flight.first_at, in_flight.last_at, in_flight.rss_kb, in_flight.anon_kb,
            in_flight.threads);
    write_json_text(out, in_flight.names);
    fprintf(out, "\"}, \"detected\": {");
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
