/*
 * The conformance runner of the C API (include/videogen.h, libvideogen.so): runs conformance/scenarios.json.
 *
 *   runner conformance/scenarios.json
 *
 * Environment (set by conformance/run.py): VG_CONFORMANCE_URL, VG_CONFORMANCE_ECHO_URL, VG_CONFORMANCE_KEY (the
 * canary, read by the library through api_key_env), VG_CONFORMANCE_SCRATCH, VG_CONFORMANCE_ONLY. Prints one
 * 'CONFORMANCE {...}' line per scenario; an id this runner does not know fails. Expected values come from the file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <ftw.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "sha256.h"
#include "videogen.h"

static json *suite;                 /* the scenarios file */
static const char *suite_path;
static char reason[4096];           /* the current scenario's reason (pass details or the failure) */
static int print_mode, printed;     /* the canary child prints every error and record */

/* A failed expectation: note the reason and leave the scenario. */
#define EXPECT(cond, ...) do { if (!(cond)) { snprintf(reason, sizeof reason, __VA_ARGS__); return 0; } } while (0)

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void pass(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(reason, sizeof reason, fmt, args);
    va_end(args);
}

/** The value of a code name in the file's "codes" table (9999, no code, if absent). vg_code is an enum without
 * negative members, so the compiler may make it unsigned: compare codes as vg_code. */
static vg_code code(const char *name) { return (vg_code)(name ? json_num(json_get(suite, "codes"), name, 9999) : 9999); }

static const char *expect_str(const json *sc, const char *key) { return json_str(json_get(sc, "expect"), key, NULL); }

static void show(const char *label, const char *value) {
    if (print_mode) { printed++; printf("SHOW %s: %s\n", label, value ? value : "(null)"); fflush(stdout); }
}

static void show_error(const char *label, const vg_error *e) {
    if (!print_mode) return;
    char text[2048];
    snprintf(text, sizeof text, "code=%d %s | %s | http=%d provider=%s retry=%g", vg_error_code(e),
             vg_code_str(vg_error_code(e)), vg_error_message(e), vg_error_http_status(e),
             vg_error_provider_code(e) ? vg_error_provider_code(e) : "(none)", vg_error_retry_after(e));
    show(label, text);
}

static void show_record(vg_task *task) {
    char *record = NULL;
    if (vg_task_snapshot_json(task, &record) == VG_OK) show("record", record);
    vg_string_free(record);
}

/** The client of a scenario: the file's "client" with the base URL of its "service". */
static vg_client *client_for(const json *sc, vg_error **error) {
    const char *url = getenv(!strcmp(json_str(sc, "service", ""), "echo") ? "VG_CONFORMANCE_ECHO_URL" : "VG_CONFORMANCE_URL");
    char *base = json_raw(json_get(suite, "client")), *own = json_raw(json_get(sc, "client"));
    char config[4096];
    /* The file's client object without its closing brace, then base_url, then the scenario's members. */
    snprintf(config, sizeof config, "%.*s, \"base_url\": \"%s\"%s%.*s}", (int)(strrchr(base, '}') - base), base, url,
             own && own[1] != '}' ? ", " : "", own ? (int)(strrchr(own, '}') - own - 1) : 0, own ? own + 1 : "");
    free(base);
    free(own);
    vg_client *client = NULL;
    vg_client_create(config, &client, error);
    return client;
}

/** A scratch folder of the scenario. */
static const char *dir_for(const json *sc) {
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", getenv("VG_CONFORMANCE_SCRATCH"), json_str(sc, "id", "x"));
    mkdir(path, 0700);
    return path;
}

/** Whether the file at path is the file's "video"; the reason names what differs. */
static int is_video(const char *path) {
    char hex[65];
    size_t size = 0;
    const json *video = json_get(suite, "video");
    if (sha256_file(path, hex, &size) != 0) { snprintf(reason, sizeof reason, "%s: unreadable", path); return 0; }
    if (size != (size_t)json_num(video, "bytes", -1) || strcmp(hex, json_str(video, "sha256", ""))) {
        snprintf(reason, sizeof reason, "%s: %zu bytes, sha256 %s: not the video", path, size, hex);
        return 0;
    }
    return 1;
}

static int rank(const char *state) {
    const json *states = json_get(suite, "states");
    for (size_t i = 0; i < states->count; i++) if (!strcmp(states->items[i]->string, state)) return (int)i;
    return -1;
}

/* ---- whole_job_byte_exact ---- */

typedef struct { uint64_t received; int64_t total; int transfers; } transfer_seen;

static int on_transfer(vg_task *task, const vg_update *u, void *user) {
    (void)task;
    transfer_seen *seen = user;
    if (u->kind == VG_EVENT_TRANSFER) { seen->received = u->bytes_received; seen->total = u->bytes_total; seen->transfers++; }
    return 0;
}

static int whole_job_byte_exact(const json *sc) {
    vg_error *e = NULL;
    vg_client *client = client_for(sc, &e);
    EXPECT(client, "client: %s", vg_error_message(e));
    char *request = json_raw(json_get(sc, "request")), path[1200], part[1300];
    vg_task *task = NULL;
    vg_code rc = vg_client_submit(client, request, &task, &e);
    free(request);
    EXPECT(rc == VG_OK, "submit: %s", vg_error_message(e));
    rc = vg_task_wait(task, 0, NULL, NULL, &e);
    EXPECT(rc == VG_OK, "wait: %s", vg_error_message(e));
    snprintf(path, sizeof path, "%s/video.mp4", dir_for(sc));
    transfer_seen seen = {0, 0, 0};
    rc = vg_task_download_v2(task, NULL, path, on_transfer, &seen, &e);
    EXPECT(rc == VG_OK, "download: %s", vg_error_message(e));
    EXPECT(!strcmp(vg_state_str(vg_task_state(task)), expect_str(sc, "state")), "state %s", vg_state_str(vg_task_state(task)));
    if (!is_video(path)) return 0;
    int64_t size = (int64_t)json_num(json_get(suite, "video"), "bytes", -1);
    EXPECT(seen.transfers > 0 && (int64_t)seen.received == size && seen.total == size,
           "last transfer %llu of %lld, want %lld of %lld", (unsigned long long)seen.received, (long long)seen.total,
           (long long)size, (long long)size);
    char *snapshot = NULL;
    EXPECT(vg_task_snapshot_json(task, &snapshot) == VG_OK, "no snapshot");
    show("record", snapshot);
    json *record = json_parse(snapshot);
    const json *download = json_get(record, "download");
    EXPECT(json_num(download, "bytes", -1) == size &&
           !strcmp(json_str(download, "sha256", ""), json_str(json_get(suite, "video"), "sha256", "?")),
           "the record's download: %s", snapshot);
    vg_string_free(snapshot);
    snprintf(part, sizeof part, "%s.part", path);
    EXPECT(access(part, F_OK) != 0, "a part file was left");
    vg_task_free(task);
    vg_client_free(client);
    pass("%lld bytes, sha256 matches, %d byte updates", (long long)size, seen.transfers);
    return 1;
}

/* ---- progress_events_in_order ---- */

typedef struct { int count; int states[256]; int progress[256]; } progress_seen;

static int on_progress(vg_task *task, const vg_update *u, void *user) {
    (void)task;
    progress_seen *seen = user;
    if (u->kind == VG_EVENT_UPDATE && seen->count < 256) {
        seen->states[seen->count] = u->state;
        seen->progress[seen->count++] = u->progress;
    }
    return 0;
}

static int progress_events_in_order(const json *sc) {
    const json *ex = json_get(sc, "expect");
    vg_error *e = NULL;
    vg_client *client = client_for(sc, &e);
    EXPECT(client, "client: %s", vg_error_message(e));
    char *request = json_raw(json_get(sc, "request"));
    vg_task *task = NULL;
    vg_code rc = vg_client_submit(client, request, &task, &e);
    free(request);
    EXPECT(rc == VG_OK, "submit: %s", vg_error_message(e));
    progress_seen seen = {0, {0}, {0}};
    rc = vg_task_wait_v2(task, 0, on_progress, &seen, &e);
    EXPECT(rc == VG_OK, "wait: %s", vg_error_message(e));
    show_record(task);
    EXPECT(seen.count >= json_num(ex, "min_updates", 2), "%d updates", seen.count);
    EXPECT(rank(vg_state_str(seen.states[0])) < rank("succeeded"), "first update already %s", vg_state_str(seen.states[0]));
    for (int i = 1; i < seen.count; i++) {
        EXPECT(rank(vg_state_str(seen.states[i])) >= rank(vg_state_str(seen.states[i - 1])), "state went back at update %d", i);
        EXPECT(seen.progress[i] < 0 || seen.progress[i - 1] < 0 || seen.progress[i] >= seen.progress[i - 1],
               "progress went back at update %d: %d after %d", i, seen.progress[i], seen.progress[i - 1]);
    }
    int last = seen.count - 1;
    EXPECT(!strcmp(vg_state_str(seen.states[last]), json_str(ex, "last_state", "")) &&
           seen.progress[last] == json_num(ex, "last_progress", -2),
           "last update %s %d", vg_state_str(seen.states[last]), seen.progress[last]);
    vg_task_free(task);
    vg_client_free(client);
    pass("%d updates, (%s, %d) .. (%s, %d)", seen.count, vg_state_str(seen.states[0]), seen.progress[0],
         vg_state_str(seen.states[last]), seen.progress[last]);
    return 1;
}

/* ---- typed_auth_error ---- */

static int typed_auth_error(const json *sc) {
    const json *ex = json_get(sc, "expect");
    vg_error *e = NULL;
    vg_client *client = client_for(sc, &e);
    EXPECT(client, "client: %s", vg_error_message(e));
    char *request = json_raw(json_get(sc, "request"));
    vg_task *task = (vg_task *)1;
    vg_code rc = vg_client_submit(client, request, &task, &e);
    free(request);
    show_error("error", e);
    const char *provider = vg_error_provider_code(e);
    EXPECT(rc == code(expect_str(sc, "code")) && vg_error_code(e) == rc &&
           vg_error_http_status(e) == json_num(ex, "http_status", -1) && provider &&
           !strcmp(provider, expect_str(sc, "provider_code")),
           "got %d %s, http %d, provider %s", rc, vg_error_message(e), vg_error_http_status(e), provider ? provider : "-");
    EXPECT(task == NULL, "the out-task was not set to NULL");
    EXPECT(!strstr(vg_error_message(e), getenv("VG_CONFORMANCE_KEY")), "the key is in the message");
    pass("%s, HTTP %d, provider code %s", vg_code_str(rc), vg_error_http_status(e), provider);
    vg_error_free(e);
    vg_client_free(client);
    return 1;
}

/* ---- not_found ---- */

static int not_found(const json *sc) {
    const json *ex = json_get(sc, "expect");
    vg_error *e = NULL;
    vg_client *client = client_for(sc, &e);
    EXPECT(client, "client: %s", vg_error_message(e));
    char *record = json_raw(json_get(sc, "record"));
    vg_task *task = NULL;
    vg_code rc = vg_client_resume(client, record, &task, &e);
    free(record);
    EXPECT(rc == VG_OK, "resume: %s", vg_error_message(e));
    rc = vg_task_wait(task, 0, NULL, NULL, &e);
    show_error("error", e);
    EXPECT(rc == code(expect_str(sc, "code")) && vg_error_http_status(e) == json_num(ex, "http_status", -1),
           "got %d %s, http %d", rc, vg_error_message(e), vg_error_http_status(e));
    /* vg_error carries no task id: the task's is checked instead. */
    EXPECT(!strcmp(vg_task_id(task), expect_str(sc, "task_id")), "task id %s", vg_task_id(task));
    pass("%s, HTTP %d, task %s", vg_code_str(rc), vg_error_http_status(e), vg_task_id(task));
    vg_error_free(e);
    vg_task_free(task);
    vg_client_free(client);
    return 1;
}

/* ---- task_failed_with_reason ---- */

static int task_failed_with_reason(const json *sc) {
    vg_error *e = NULL;
    vg_client *client = client_for(sc, &e);
    EXPECT(client, "client: %s", vg_error_message(e));
    char *request = json_raw(json_get(sc, "request"));
    vg_task *task = NULL;
    vg_code rc = vg_client_submit(client, request, &task, &e);
    free(request);
    EXPECT(rc == VG_OK, "submit: %s", vg_error_message(e));
    rc = vg_task_wait(task, 0, NULL, NULL, &e);
    show_error("error", e);
    show_record(task);
    const char *provider = vg_error_provider_code(e);
    EXPECT(rc == code(expect_str(sc, "code")) && provider && !strcmp(provider, expect_str(sc, "provider_code")) &&
           strstr(vg_error_message(e), expect_str(sc, "message_contains")),
           "got %d %s, provider %s", rc, vg_error_message(e), provider ? provider : "-");
    EXPECT(!strcmp(vg_state_str(vg_task_state(task)), expect_str(sc, "state")), "state %s", vg_state_str(vg_task_state(task)));
    const char *own = vg_task_error_message(task);
    EXPECT(vg_task_error_code(task) == rc && own && !strcmp(own, vg_error_message(e)),
           "the task's error %d %s is not the wait's", vg_task_error_code(task), own ? own : "-");
    pass("%s, provider code %s: %s", vg_code_str(rc), provider, vg_error_message(e));
    vg_error_free(e);
    vg_task_free(task);
    vg_client_free(client);
    return 1;
}

/* ---- wait_deadline ---- */

static int wait_deadline(const json *sc) {
    double deadline = json_num(sc, "deadline_seconds", 0.3);
    vg_error *e = NULL;
    vg_client *client = client_for(sc, &e);
    EXPECT(client, "client: %s", vg_error_message(e));
    char *request = json_raw(json_get(sc, "request"));
    vg_task *task = NULL;
    vg_code rc = vg_client_submit(client, request, &task, &e);
    free(request);
    EXPECT(rc == VG_OK, "submit: %s", vg_error_message(e));
    char took[256] = "";
    for (int round = 0; round < json_num(sc, "rounds", 1); round++) {
        double start = now();
        rc = vg_task_wait(task, deadline, NULL, NULL, &e);
        double elapsed = now() - start;
        show_error("error", e);
        vg_error_free(e);
        EXPECT(rc == code(expect_str(sc, "code")), "round %d: got %s", round, vg_code_str(rc));
        EXPECT(elapsed >= deadline, "round %d returned after %.3f s, before the deadline", round, elapsed);
        EXPECT(vg_task_state(task) < VG_STATE_SUCCEEDED, "state %s", vg_state_str(vg_task_state(task)));
        snprintf(took + strlen(took), sizeof took - strlen(took), "%s%.2f s", round ? ", " : "", elapsed);
    }
    /* 0 s means "the client's wait_timeout" in the C API: an expired deadline can only be the smallest positive
     * double. */
    double expired_deadline = json_num(sc, "expired_deadline_seconds", 0);
    double start = now();
    rc = vg_task_wait(task, expired_deadline > 0 ? expired_deadline : DBL_MIN, NULL, NULL, &e);
    double expired = now() - start;
    show_error("error", e);
    vg_error_free(e);
    EXPECT(rc == code(expect_str(sc, "expired_code")), "an expired deadline: %s", vg_code_str(rc));
    EXPECT(expired <= json_num(json_get(sc, "expect"), "expired_within_seconds", 0),
           "an expired deadline returned after %.3f s", expired);
    vg_task_free(task);
    vg_client_free(client);
    pass("deadline errors after %s; expired (DBL_MIN): %.1f ms", took, expired * 1000);
    return 1;
}

/* ---- cancel_within_1s ---- */

typedef struct {
    vg_task *task;
    double timeout;
    atomic_int started, cancelled, late;
    vg_code rc;
    double returned;
} cancel_run;

static int on_cancel_update(vg_task *task, const vg_update *u, void *user) {
    (void)task; (void)u;
    cancel_run *run = user;
    if (atomic_load(&run->cancelled)) atomic_fetch_add(&run->late, 1);
    atomic_store(&run->started, 1);
    return 0;
}

static void *cancel_waiter(void *user) {
    cancel_run *run = user;
    run->rc = vg_task_wait_v2(run->task, run->timeout, on_cancel_update, run, NULL);
    run->returned = now();
    return NULL;
}

static int cancel_within_1s(const json *sc) {
    vg_error *e = NULL;
    vg_client *client = client_for(sc, &e);
    EXPECT(client, "client: %s", vg_error_message(e));
    char *request = json_raw(json_get(sc, "request"));
    vg_task *task = NULL;
    vg_code rc = vg_client_submit(client, request, &task, &e);
    free(request);
    EXPECT(rc == VG_OK, "submit: %s", vg_error_message(e));
    cancel_run run = {.task = task, .timeout = json_num(sc, "wait_seconds", 120)};
    pthread_t waiter;
    EXPECT(pthread_create(&waiter, NULL, cancel_waiter, &run) == 0, "no thread");
    double give_up = now() + run.timeout;
    while (!atomic_load(&run.started) && now() < give_up) usleep(1000);
    EXPECT(atomic_load(&run.started), "the wait never reported its start");
    double at = now();  /* the cancel, from this thread (not the waiting one) */
    rc = vg_task_cancel(task, VG_CANCEL_LOCAL, NULL);
    atomic_store(&run.cancelled, 1);
    pthread_join(waiter, NULL);
    EXPECT(rc == VG_OK, "cancel: %s", vg_code_str(rc));
    EXPECT(run.rc == code(expect_str(sc, "code")), "the wait ended with %s", vg_code_str(run.rc));
    double lag = run.returned - at;
    EXPECT(lag <= json_num(sc, "within_seconds", 1), "the wait returned %.3f s after the cancel", lag);
    EXPECT(atomic_load(&run.late) == 0, "%d callbacks after the cancel returned", atomic_load(&run.late));
    rc = vg_task_wait(task, 1, NULL, NULL, NULL);
    EXPECT(rc == code(expect_str(sc, "later_wait_code")), "a later wait: %s", vg_code_str(rc));
    vg_task_free(task);
    vg_client_free(client);
    pass("cancelled wait returned %.1f ms after the cancel call", lag * 1000);
    return 1;
}

/* ---- child processes ---- */

/** Runs this program with `args` (and `env_extra` NAME=VALUE strings) and collects its stdout and stderr. */
static int run_child(char *const args[], char *const env_extra[], char **out, size_t *out_len) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; env_extra && env_extra[i]; i++) putenv(env_extra[i]);
        dup2(pipefd[1], 1);
        dup2(pipefd[1], 2);
        execv("/proc/self/exe", args);
        _exit(127);
    }
    close(pipefd[1]);
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    ssize_t n;
    while ((n = read(pipefd[0], buf + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (cap - len < 4096) buf = realloc(buf, cap *= 2);
    }
    close(pipefd[0]);
    buf[len] = 0;
    int status = 0;
    waitpid(pid, &status, 0);
    *out = buf;
    *out_len = len;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int resume_in_new_process(const json *sc) {
    vg_error *e = NULL;
    vg_client *client = client_for(sc, &e);
    EXPECT(client, "client: %s", vg_error_message(e));
    char *request = json_raw(json_get(sc, "request")), *record = NULL;
    vg_task *task = NULL;
    vg_code rc = vg_client_submit(client, request, &task, &e);
    free(request);
    EXPECT(rc == VG_OK, "submit: %s", vg_error_message(e));
    EXPECT(vg_task_snapshot_json(task, &record) == VG_OK, "no record");
    vg_task_free(task);
    vg_client_free(client);
    EXPECT(!strstr(record, getenv("VG_CONFORMANCE_KEY")), "the record holds the key");
    char record_path[1200], out_path[1200];
    snprintf(record_path, sizeof record_path, "%s/record.json", dir_for(sc));
    snprintf(out_path, sizeof out_path, "%s/resumed.mp4", dir_for(sc));
    FILE *f = fopen(record_path, "w");
    EXPECT(f && fputs(record, f) >= 0 && fclose(f) == 0, "cannot write the record");
    vg_string_free(record);
    char *args[] = {"runner", "--child", "resume", (char *)suite_path, record_path, out_path, NULL};
    char *output;
    size_t len;
    int status = run_child(args, NULL, &output, &len);
    EXPECT(status == json_num(json_get(sc, "expect"), "child_exit", 0), "the child exited %d: %.500s", status, output);
    free(output);
    if (!is_video(out_path)) return 0;
    pass("a child process resumed the task from its record and downloaded it byte-exact");
    return 1;
}

static int resume_child(const char *record_path, const char *out_path) {
    static char record[65536];
    FILE *f = fopen(record_path, "r");
    size_t n = f ? fread(record, 1, sizeof record - 1, f) : 0;
    if (f) fclose(f);
    record[n] = 0;
    json emulator = {0};
    emulator.kind = JSON_OBJECT;
    vg_error *e = NULL;
    vg_client *client = client_for(&emulator, &e);
    vg_task *task = NULL;
    if (!client || vg_client_resume(client, record, &task, &e) != VG_OK || vg_task_wait(task, 0, NULL, NULL, &e) != VG_OK ||
        vg_task_download(task, out_path, NULL, NULL, &e) != VG_OK) {
        printf("child failed: %s\n", vg_error_message(e));
        return 1;
    }
    printf("resumed %s\n", vg_task_id(task));
    vg_task_free(task);
    vg_client_free(client);
    return 0;
}

/* ---- tasks_200_at_once ---- */

typedef struct { vg_task *task; int stage; vg_code failed; } job;
typedef struct { job *jobs; int count, ended[4096], n_ended; } many;

static int on_many_update(vg_task *task, const vg_update *u, void *user) {
    many *m = user;
    if (u->kind != VG_EVENT_DONE) return 0;
    /* The *_async calls take no per-operation user_data: find the job by its task handle. */
    for (int i = 0; i < m->count; i++) {
        if (m->jobs[i].task == task) {
            if (u->code != VG_OK) m->jobs[i].failed = u->code;
            m->ended[m->n_ended++] = i;
            break;
        }
    }
    return 0;
}

/** This process's OS threads (/proc/self/status), or -1. */
static int os_threads(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int threads = -1;
    while (f && fgets(line, sizeof line, f)) if (sscanf(line, "Threads: %d", &threads) == 1) break;
    if (f) fclose(f);
    return threads;
}

static int tasks_200_at_once(const json *sc) {
    int before = os_threads(), most = before;
    int count = (int)json_num(sc, "count", 200);
    double timeout = json_num(sc, "wait_seconds", 120);
    vg_error *e = NULL;
    vg_client *client = client_for(sc, &e);
    EXPECT(client, "client: %s", vg_error_message(e));
    char *request = json_raw(json_get(sc, "request"));
    many m = {calloc((size_t)count, sizeof(job)), count, {0}, 0};
    for (int i = 0; i < count; i++) {
        vg_code rc = vg_client_submit_async(client, request, &m.jobs[i].task, &e);
        EXPECT(rc == VG_OK, "submit_async %d: %s", i, vg_error_message(e));
    }
    free(request);
    int finished = 0;
    double give_up = now() + timeout;
    const char *folder = dir_for(sc);
    while (finished < count && now() < give_up) {
        m.n_ended = 0;
        EXPECT(vg_client_dispatch_v2(client, 1.0, on_many_update, &m, NULL) == VG_OK, "dispatch failed");
        int threads = os_threads();
        if (threads > most) most = threads;
        for (int k = 0; k < m.n_ended; k++) {
            job *j = &m.jobs[m.ended[k]];
            EXPECT(j->failed == VG_OK, "task %d failed at stage %d: %s", m.ended[k], j->stage, vg_code_str(j->failed));
            vg_code rc = VG_OK;
            if (j->stage == 0) rc = vg_task_wait_async(j->task, timeout, &e);
            else if (j->stage == 1) {
                char path[1200];
                snprintf(path, sizeof path, "%s/%d.mp4", folder, m.ended[k]);
                rc = vg_task_download_async(j->task, path, &e);
            } else finished++;
            EXPECT(rc == VG_OK, "task %d stage %d: %s", m.ended[k], j->stage, vg_error_message(e));
            j->stage++;
        }
    }
    EXPECT(finished == count, "%d of %d finished in time", finished, count);
    for (int i = 0; i < count; i++) {
        EXPECT(vg_task_state(m.jobs[i].task) == VG_STATE_SUCCEEDED, "task %d: %s", i, vg_state_str(vg_task_state(m.jobs[i].task)));
        for (int k = 0; k < i; k++)
            EXPECT(strcmp(vg_task_id(m.jobs[i].task), vg_task_id(m.jobs[k].task)), "tasks %d and %d share an id", k, i);
        char path[1200];
        snprintf(path, sizeof path, "%s/%d.mp4", folder, i);
        if (!is_video(path)) return 0;
    }
    for (int i = 0; i < count; i++) vg_task_free(m.jobs[i].task);
    free(m.jobs);
    vg_client_free(client);
    EXPECT(most - before <= json_num(json_get(sc, "expect"), "max_extra_threads", 0),
           "%d more OS threads with the tasks in flight", most - before);
    pass("%d jobs through the *_async calls, dispatched on one thread; OS threads %d before, at most %d in flight",
         count, before, most);
    return 1;
}

/* ---- misuse_after_close ---- */

static int misuse_after_close(const json *sc) {
    vg_code invalid = code(expect_str(sc, "task_after_close"));
    vg_error *e = NULL;
    vg_client *client = client_for(sc, &e);
    EXPECT(client, "client: %s", vg_error_message(e));
    char *bad = json_raw(json_get(sc, "bad_request")), *request = json_raw(json_get(sc, "request"));
    vg_task *task = NULL;
    vg_code rc = vg_client_submit(client, bad, &task, &e);
    EXPECT(rc == code(expect_str(sc, "bad_request_code")) && strstr(vg_error_message(e), expect_str(sc, "bad_request_names")),
           "a bad request: %d %s", rc, vg_error_message(e));
    vg_error_free(e);
    rc = vg_client_submit(client, request, &task, &e);
    EXPECT(rc == VG_OK, "submit: %s", vg_error_message(e));
    vg_task_free(task);
    vg_task_free(task); /* a no-op */
    char *snapshot = NULL;
    EXPECT(vg_task_wait(task, 1, NULL, NULL, &e) == invalid && vg_error_code(e) == invalid, "wait on a freed task");
    vg_error_free(e);
    EXPECT(vg_task_download(task, "/nonexistent/x.mp4", NULL, NULL, NULL) == invalid, "download on a freed task");
    EXPECT(vg_task_snapshot_json(task, &snapshot) == invalid && !snapshot, "snapshot of a freed task");
    EXPECT(vg_task_cancel(task, VG_CANCEL_LOCAL, NULL) == invalid, "cancel of a freed task");
    EXPECT(!strcmp(vg_task_id(task), "") && vg_task_state(task) == VG_STATE_FAILED, "getters of a freed task");
    vg_client_free(client);
    vg_client_free(client); /* a no-op */
    vg_code client_invalid = code(expect_str(sc, "client_after_close"));
    task = (vg_task *)1;
    EXPECT(vg_client_submit(client, request, &task, NULL) == client_invalid && task == NULL, "submit on a freed client");
    EXPECT(vg_client_resume(client, "{\"record_version\": 1, \"id\": \"x\", \"state\": \"queued\"}", &task, NULL) == client_invalid,
           "resume on a freed client");
    EXPECT(vg_client_submit_async(client, request, &task, NULL) == client_invalid, "submit_async on a freed client");
    free(bad);
    free(request);
    pass("9 calls on freed handles refused with %s, double frees no-ops", vg_code_str(invalid));
    return 1;
}

/* ---- canary_key_never_in_output ---- */

static const char *canary_key;
static const char *canary_leak;

static int search_file(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st; (void)ftw;
    if (type != FTW_F) return 0;
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    if (memmem(buf, n, canary_key, strlen(canary_key))) { canary_leak = strdup(path); return 1; }
    return 0;
}

static int files_seen;
static int count_file(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)path; (void)st; (void)ftw;
    files_seen += type == FTW_F;
    return 0;
}

static int canary_key_never_in_output(const json *sc) {
    const json *ex = json_get(sc, "expect"), *children = json_get(sc, "child_scenarios");
    canary_key = getenv("VG_CONFORMANCE_KEY");
    char only[1024] = "VG_CONFORMANCE_ONLY=", scratch[1200];
    for (size_t i = 0; i < children->count; i++)
        snprintf(only + strlen(only), sizeof only - strlen(only), "%s%s", i ? "," : "", children->items[i]->string);
    snprintf(scratch, sizeof scratch, "VG_CONFORMANCE_SCRATCH=%s", dir_for(sc));
    char *env[] = {"VG_CONFORMANCE_PRINT=1", only, scratch, NULL};
    char *args[] = {"runner", (char *)suite_path, NULL};
    char *output;
    size_t len;
    int status = run_child(args, env, &output, &len);
    EXPECT(status == json_num(ex, "child_exit", 0), "the child exited %d: %.800s", status, output);
    int shown = 0, passed = 0;
    for (const char *p = output; (p = strstr(p, "SHOW ")); p++) shown++;
    for (const char *p = output; (p = strstr(p, "\"result\": \"pass\"")); p++) passed++;
    EXPECT(shown >= json_num(ex, "min_printed", 1), "the child printed %d values", shown);
    EXPECT(passed == (int)children->count, "the child passed %d of its scenarios", passed);
    EXPECT(!memmem(output, len, canary_key, strlen(canary_key)), "the key is in the child's output");
    free(output);
    canary_leak = NULL;
    nftw(dir_for(sc), search_file, 16, FTW_PHYS);
    EXPECT(!canary_leak, "the key is in %s", canary_leak);
    files_seen = 0;
    nftw(dir_for(sc), count_file, 16, FTW_PHYS);
    pass("child printed %d values, wrote %d files: no key", shown, files_seen);
    return 1;
}

/* ---- dispatch ---- */

static const struct { const char *id; int (*run)(const json *); } scenarios[] = {
    {"whole_job_byte_exact", whole_job_byte_exact}, {"progress_events_in_order", progress_events_in_order},
    {"typed_auth_error", typed_auth_error}, {"not_found", not_found},
    {"task_failed_with_reason", task_failed_with_reason}, {"wait_deadline", wait_deadline},
    {"cancel_within_1s", cancel_within_1s}, {"resume_in_new_process", resume_in_new_process},
    {"tasks_200_at_once", tasks_200_at_once}, {"misuse_after_close", misuse_after_close},
    {"canary_key_never_in_output", canary_key_never_in_output},
};

static void print_json_string(const char *s) {
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

static int in_only(const char *id) {
    const char *only = getenv("VG_CONFORMANCE_ONLY");
    if (!only || !*only) return 1;
    size_t n = strlen(id);
    for (const char *p = only; (p = strstr(p, id)); p++)
        if ((p == only || p[-1] == ',') && (p[n] == 0 || p[n] == ',')) return 1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s scenarios.json\n", argv[0]); return 2; }
    int child = argc >= 6 && !strcmp(argv[1], "--child");
    suite_path = child ? argv[3] : argv[1];
    FILE *f = fopen(suite_path, "r");
    static char text[1 << 20];
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f) fclose(f);
    text[n] = 0;
    if (!(suite = json_parse(text))) { fprintf(stderr, "%s: not JSON\n", suite_path); return 2; }
    if (child) return !strcmp(argv[2], "resume") ? resume_child(argv[4], argv[5]) : 2;
    print_mode = getenv("VG_CONFORMANCE_PRINT") && !strcmp(getenv("VG_CONFORMANCE_PRINT"), "1");
    const json *list = json_get(suite, "scenarios");
    int failed = 0;
    for (size_t i = 0; i < list->count; i++) {
        const json *sc = list->items[i];
        const char *id = json_str(sc, "id", "");
        if (!in_only(id)) continue;
        double start = now();
        int ok = 0;
        snprintf(reason, sizeof reason, "unknown scenario: this runner has no implementation of it");
        for (size_t k = 0; k < sizeof scenarios / sizeof *scenarios; k++)
            if (!strcmp(scenarios[k].id, id)) { ok = scenarios[k].run(sc); break; }
        failed += !ok;
        printf("CONFORMANCE {\"runtime\": \"c\", \"scenario\": ");
        print_json_string(id);
        printf(", \"result\": \"%s\", \"reason\": ", ok ? "pass" : "fail");
        print_json_string(reason);
        printf(", \"seconds\": %.3f}\n", now() - start);
        fflush(stdout);
    }
    return failed ? 1 : 0;
}
