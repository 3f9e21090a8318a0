/*
 * test_api.c: the C API against a running emulator: the whole job in both dialects, polling and records,
 * authentication, unknown and failing tasks, deadlines, cancellation, callbacks that stop, threads.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WAIT_LIMIT 30.0

static int emulator_control(const char *json);

/* ---- Callback recorders. ---- */

struct progress_log {
    pthread_t thread;      /* the thread that called vg_task_wait */
    vg_task *task;         /* the handle given to vg_task_wait */
    int calls;
    int wrong_thread;
    int wrong_task;
    int state_backwards;
    int progress_out_of_range;
    int progress_unknown;  /* -1: not reported by the service */
    int allow_unknown;     /* the service may not report progress (some poll shapes) */
    int progress_backwards;
    int last_state;
    int last_progress;
    int abort_at_call;     /* return non-zero on this call (1-based); 0 = never */
};

static void progress_log_init(struct progress_log *log, vg_task *task)
{
    memset(log, 0, sizeof *log);
    log->thread = pthread_self();
    log->task = task;
    log->last_state = -1;
    log->last_progress = -1;
}

static int record_progress(vg_task *task, void *user_data)
{
    struct progress_log *log = user_data;
    int state = (int)vg_task_state(task);
    int progress = vg_task_progress(task);
    log->calls++;
    if (!pthread_equal(pthread_self(), log->thread)) log->wrong_thread++;
    if (task != log->task) log->wrong_task++;
    if (state < log->last_state) log->state_backwards++;
    if (progress == -1) log->progress_unknown++;
    else if (progress < 0 || progress > 100) log->progress_out_of_range++;
    if (progress >= 0 && progress < log->last_progress) log->progress_backwards++;
    log->last_state = state;
    if (progress >= 0) log->last_progress = progress;
    return log->abort_at_call != 0 && log->calls >= log->abort_at_call;
}

static void check_progress_log(const struct progress_log *log, const char *file, int line)
{
    if (log->calls < 1) t_fail(file, line, "the progress callback was never called");
    if (log->wrong_thread) t_fail(file, line, "the progress callback ran %d times on another thread", log->wrong_thread);
    if (log->wrong_task) t_fail(file, line, "the progress callback got another task handle %d times", log->wrong_task);
    if (log->state_backwards) t_fail(file, line, "the state moved backwards %d times", log->state_backwards);
    if (log->progress_out_of_range)
        t_fail(file, line, "progress was outside 0..100 %d times", log->progress_out_of_range);
    if (log->progress_unknown && !log->allow_unknown)
        t_fail(file, line, "progress was unknown (-1) %d times though the service reports it", log->progress_unknown);
    if (log->progress_backwards) t_fail(file, line, "progress decreased %d times", log->progress_backwards);
}

struct bytes_log {
    pthread_t thread;
    vg_task *task;
    int calls;
    int wrong_thread;
    int wrong_task;
    int over_total;
    int backwards;
    int total_changed;
    uint64_t last_received;
    int64_t last_total;
    int abort_at_call;
    int abort_when_complete; /* return non-zero on the call that reports received == total */
    double abort_delay;      /* ... after sleeping this long (the transfer may finish meanwhile) */
};

static void bytes_log_init(struct bytes_log *log, vg_task *task)
{
    memset(log, 0, sizeof *log);
    log->thread = pthread_self();
    log->task = task;
    log->last_total = -2;
}

static int record_bytes(vg_task *task, uint64_t received, int64_t total, void *user_data)
{
    struct bytes_log *log = user_data;
    log->calls++;
    if (!pthread_equal(pthread_self(), log->thread)) log->wrong_thread++;
    if (task != log->task) log->wrong_task++;
    if (total >= 0 && received > (uint64_t)total) log->over_total++;
    if (received < log->last_received) log->backwards++;
    if (log->last_total != -2 && total >= 0 && log->last_total >= 0 && total != log->last_total) log->total_changed++;
    log->last_received = received;
    log->last_total = total;
    if (log->abort_when_complete && total >= 0 && received == (uint64_t)total) {
        sleep_seconds(log->abort_delay);
        return 1;
    }
    return log->abort_at_call != 0 && log->calls >= log->abort_at_call;
}

static void check_bytes_log(const struct bytes_log *log, long size, const char *file, int line)
{
    if (log->calls < 1) t_fail(file, line, "the byte callback was never called");
    if (log->wrong_thread) t_fail(file, line, "the byte callback ran %d times on another thread", log->wrong_thread);
    if (log->wrong_task) t_fail(file, line, "the byte callback got another task handle %d times", log->wrong_task);
    if (log->over_total) t_fail(file, line, "received exceeded total %d times", log->over_total);
    if (log->backwards) t_fail(file, line, "received decreased %d times", log->backwards);
    if (log->total_changed) t_fail(file, line, "total changed %d times", log->total_changed);
    if (log->last_total >= 0 && log->last_received != (uint64_t)log->last_total)
        t_fail(file, line, "the last byte callback had received %llu != total %lld",
               (unsigned long long)log->last_received, (long long)log->last_total);
    if (size >= 0 && log->last_received != (uint64_t)size)
        t_fail(file, line, "the last byte callback had received %llu, the file has %ld bytes",
               (unsigned long long)log->last_received, size);
}

/* ---- Shared checks. ---- */

/* Checks a downloaded file: same bytes as the emulator's sample, no .part left. */
static void check_download(const char *path, const char *file, int line)
{
    char part[1024];
    snprintf(part, sizeof part, "%s.part", path);
    if (!file_exists(path)) {
        t_fail(file, line, "the download %s does not exist", path);
        return;
    }
    if (file_exists(part)) t_fail(file, line, "%s was left behind", part);
    if (g_asset_path != NULL) {
        if (!files_equal(path, g_asset_path))
            t_fail(file, line, "%s (%ld bytes) differs from %s (%ld bytes)", path, file_size(path), g_asset_path,
                   file_size(g_asset_path));
    } else if (file_size(path) <= 0) {
        t_fail(file, line, "%s is empty", path);
    }
}

/* Checks the snapshot of a task after a download: digest, id, state, no secret. */
static void check_snapshot_after_download(vg_task *task, const char *file, int line)
{
    char *json = NULL;
    char value[256];
    vg_code code = vg_task_snapshot_json(task, &json);
    if (code != VG_OK || json == NULL) {
        t_fail(file, line, "vg_task_snapshot_json returned %s", vg_code_str(code));
        return;
    }
    if (!json_string_member(json, "sha256", value, sizeof value)) {
        t_fail(file, line, "the snapshot has no sha256: %s", json);
    } else if (!is_sha256_hex(value)) {
        t_fail(file, line, "the snapshot's sha256 \"%s\" is not 64 lower-case hex digits", value);
    } else if (g_asset_sha256 != NULL && strcmp(value, g_asset_sha256) != 0) {
        t_fail(file, line, "the snapshot's sha256 is %s, the file's is %s", value, g_asset_sha256);
    }
    if (!json_string_member(json, "id", value, sizeof value) || strcmp(value, vg_task_id(task)) != 0)
        t_fail(file, line, "the snapshot's id is not vg_task_id (%s): %s", vg_task_id(task), json);
    if (!json_string_member(json, "state", value, sizeof value) || strcmp(value, "succeeded") != 0)
        t_fail(file, line, "the snapshot's state is not \"succeeded\": %s", json);
    if (strstr(json, TEST_API_KEY) != NULL) t_fail(file, line, "the snapshot contains the API key: %s", json);
    vg_string_free(json);
}

/* Waits for a task that should succeed, checking the progress callback; returns 1 on success. */
static int wait_success_ex(vg_task *task, int allow_unknown_progress, const char *file, int line)
{
    struct progress_log log;
    vg_error *error = (vg_error *)(uintptr_t)0x1;
    vg_code code;
    progress_log_init(&log, task);
    log.allow_unknown = allow_unknown_progress;
    code = vg_task_wait(task, WAIT_LIMIT, record_progress, &log, &error);
    if (code != VG_OK) {
        t_fail(file, line, "vg_task_wait returned %s: %s (http %d)", vg_code_str(code), vg_error_message(error),
               vg_error_http_status(error));
        vg_error_free(error);
        return 0;
    }
    if (error != NULL) t_fail(file, line, "vg_task_wait succeeded but did not set *error to NULL");
    check_progress_log(&log, file, line);
    if (log.last_state != VG_STATE_SUCCEEDED)
        t_fail(file, line, "the last progress callback saw state %d, not succeeded", log.last_state);
    return 1;
}

/* Downloads to `path` with the byte callback and checks everything; returns 1 on success. */
static int download_checked(vg_task *task, const char *path, const char *file, int line)
{
    struct bytes_log log;
    vg_error *error = NULL;
    vg_code code;
    bytes_log_init(&log, task);
    code = vg_task_download(task, path, record_bytes, &log, &error);
    if (code != VG_OK) {
        t_fail(file, line, "vg_task_download returned %s: %s (http %d)", vg_code_str(code), vg_error_message(error),
               vg_error_http_status(error));
        vg_error_free(error);
        return 0;
    }
    check_bytes_log(&log, file_size(path), file, line);
    check_download(path, file, line);
    return 1;
}

#define WAIT_SUCCESS(task) wait_success_ex((task), 0, __FILE__, __LINE__)
#define DOWNLOAD_CHECKED(task, path) download_checked((task), (path), __FILE__, __LINE__)

/* A record for a task id that the emulator never issued. */
static void unknown_record(char *buffer, size_t size, const char *dialect, const char *base_url)
{
    snprintf(buffer, size,
             "{\"record_version\": 1, \"id\": \"%s\", \"dialect\": \"%s\", \"base_url\": \"%s\", \"state\": \"queued\"}",
             strcmp(dialect, "openai") == 0 ? "video_000000000000000000000000" : "task_00000000000000000000000000000000",
             dialect, base_url);
}

/* ---- The whole job. ---- */

static void happy_path(const char *dialect)
{
    vg_client *client = make_client(dialect, g_base_url, NULL);
    vg_task *task = NULL;
    char path[512];
    FILE *old;
    vg_state first;
    REQUIRE(client != NULL);
    task = submit_model(client, "sora-2");
    REQUIRE(task != NULL);
    CHECK(vg_task_id(task) != NULL && vg_task_id(task)[0] != '\0');
    first = vg_task_state(task);
    CHECKF(first == VG_STATE_QUEUED || first == VG_STATE_RUNNING, "state after submit is %s", vg_state_str(first));
    CHECK(vg_task_video_url(task) == NULL);
    CHECK(vg_task_error_code(task) == VG_OK);

    REQUIRE(WAIT_SUCCESS(task));
    CHECK(vg_task_state(task) == VG_STATE_SUCCEEDED);
    CHECKF(vg_task_progress(task) == 100, "progress after success is %d", vg_task_progress(task));
    CHECK(vg_task_video_url(task) != NULL);
    CHECK(vg_task_video_url(task) == NULL || strncmp(vg_task_video_url(task), "http", 4) == 0);
    CHECK(vg_task_error_code(task) == VG_OK);
    CHECK(vg_task_error_message(task) == NULL);

    /* The download overwrites an existing file. */
    work_path(path, sizeof path, strcmp(dialect, "openai") == 0 ? "happy-openai.mp4" : "happy-unified.mp4");
    remove_download(path);
    old = fopen(path, "wb");
    if (old) {
        fputs("stale content that must be replaced", old);
        fclose(old);
    }
    REQUIRE(DOWNLOAD_CHECKED(task, path));
    check_snapshot_after_download(task, __FILE__, __LINE__);
    CHECK(vg_task_state(task) == VG_STATE_SUCCEEDED);
done:
    vg_task_free(task);
    vg_client_free(client);
}

void happy_path_openai(void) { happy_path("openai"); }
void happy_path_unified(void) { happy_path("unified"); }

void literal_key_submit(void)
{
    char config[512];
    vg_client *client = NULL;
    vg_task *task = NULL;
    vg_error *error = NULL;
    size_t i;
    for (i = 0; i < 2; i++) {
        const char *dialect = i == 0 ? "openai" : "unified";
        snprintf(config, sizeof config,
                 "{\"dialect\": \"%s\", \"base_url\": \"%s\", \"api_key\": \"%s\","
                 " \"poll\": {\"interval\": 0.2, \"max_interval\": 0.5}}",
                 dialect, g_base_url, TEST_API_KEY);
        CHECK_CODE_E(vg_client_create(config, &client, &error), VG_OK, error);
        vg_error_free(error);
        error = NULL;
        if (client == NULL) continue;
        /* error may be NULL on calls that succeed, too. */
        task = NULL;
        CHECK_CODE(vg_client_submit(client, "{\"model\": \"sora-2\", \"prompt\": \"a fox\"}", &task, NULL), VG_OK);
        CHECK(task != NULL);
        if (task != NULL) {
            CHECK_CODE(vg_task_poll(task, NULL), VG_OK);
            CHECK_CODE(vg_task_cancel(task, VG_CANCEL_LOCAL, NULL), VG_OK);
        }
        vg_task_free(task);
        vg_client_free(client);
        client = NULL;
        task = NULL;
    }
}

/* ---- Polling and records. ---- */

static void poll_and_resume(const char *dialect)
{
    vg_client *client = make_client(dialect, g_base_url, NULL);
    vg_client *second = NULL;
    vg_task *task = NULL, *resumed = NULL;
    vg_error *error = NULL;
    char *record = NULL;
    char id[256];
    char path[512];
    vg_state state;
    REQUIRE(client != NULL);
    task = submit_model(client, "sora-2");
    REQUIRE(task != NULL);
    snprintf(id, sizeof id, "%s", vg_task_id(task));

    error = (vg_error *)(uintptr_t)0x1;
    REQUIRE_CODE_E(vg_task_poll(task, &error), VG_OK, error);
    CHECK(error == NULL);
    state = vg_task_state(task);
    CHECKF(state == VG_STATE_QUEUED || state == VG_STATE_RUNNING || state == VG_STATE_SUCCEEDED,
           "state after one poll is %s", vg_state_str(state));
    CHECKF(vg_task_progress(task) >= 0 && vg_task_progress(task) <= 100, "progress after one poll is %d",
           vg_task_progress(task));
    CHECK_STR_EQ(vg_task_id(task), id);

    REQUIRE(vg_task_snapshot_json(task, &record) == VG_OK && record != NULL);
    CHECK_NOT_CONTAINS(record, TEST_API_KEY);
    {
        char value[256];
        CHECK(json_string_member(record, "id", value, sizeof value) && strcmp(value, id) == 0);
        CHECK(json_string_member(record, "dialect", value, sizeof value) && strcmp(value, dialect) == 0);
    }
    /* The record outlives the task and the client that made it. */
    vg_task_free(task);
    task = NULL;
    vg_client_free(client);
    client = NULL;

    second = make_client(dialect, g_base_url, NULL);
    REQUIRE(second != NULL);
    REQUIRE_CODE_E(vg_client_resume(second, record, &resumed, &error), VG_OK, error);
    REQUIRE(resumed != NULL);
    CHECK_STR_EQ(vg_task_id(resumed), id);
    CHECK(vg_task_state(resumed) == state);

    REQUIRE(WAIT_SUCCESS(resumed));
    CHECK(vg_task_state(resumed) == VG_STATE_SUCCEEDED);
    work_path(path, sizeof path, strcmp(dialect, "openai") == 0 ? "resumed-openai.mp4" : "resumed-unified.mp4");
    remove_download(path);
    REQUIRE(DOWNLOAD_CHECKED(resumed, path));
    check_snapshot_after_download(resumed, __FILE__, __LINE__);
    /* Polling a finished task is fine and keeps it succeeded. */
    CHECK_CODE_E(vg_task_poll(resumed, &error), VG_OK, error);
    CHECK(vg_task_state(resumed) == VG_STATE_SUCCEEDED);
    vg_error_free(error);
    error = NULL;
    /* Waiting on a finished task returns at once, reporting its state once. */
    {
        struct progress_log log;
        double start = now_seconds();
        progress_log_init(&log, resumed);
        CHECK_CODE_E(vg_task_wait(resumed, WAIT_LIMIT, record_progress, &log, &error), VG_OK, error);
        CHECKF(now_seconds() - start < 5, "waiting on a succeeded task took %.1f s", now_seconds() - start);
        CHECK(log.calls >= 1);
        CHECK(log.last_state == VG_STATE_SUCCEEDED);
    }
done:
    vg_error_free(error);
    vg_string_free(record);
    vg_task_free(task);
    vg_task_free(resumed);
    vg_client_free(client);
    vg_client_free(second);
}

void poll_and_resume_openai(void) { poll_and_resume("openai"); }
void poll_and_resume_unified(void) { poll_and_resume("unified"); }

void resume_succeeded_record(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL, *again = NULL;
    vg_error *error = NULL;
    char *record = NULL;
    char path[512], path2[512];
    REQUIRE(client != NULL);
    task = submit_model(client, "sora-2");
    REQUIRE(task != NULL);
    REQUIRE(WAIT_SUCCESS(task));
    work_path(path, sizeof path, "record-first.mp4");
    remove_download(path);
    REQUIRE(DOWNLOAD_CHECKED(task, path));
    REQUIRE(vg_task_snapshot_json(task, &record) == VG_OK);

    REQUIRE_CODE_E(vg_client_resume(client, record, &again, &error), VG_OK, error);
    CHECK(vg_task_state(again) == VG_STATE_SUCCEEDED);
    CHECK(vg_task_video_url(again) != NULL);
    check_snapshot_after_download(again, __FILE__, __LINE__);
    /* A succeeded record downloads again without waiting. */
    work_path(path2, sizeof path2, "record-second.mp4");
    remove_download(path2);
    REQUIRE(DOWNLOAD_CHECKED(again, path2));
done:
    vg_error_free(error);
    vg_string_free(record);
    vg_task_free(task);
    vg_task_free(again);
    vg_client_free(client);
}

void redirect_download(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    char path[512];
    REQUIRE(client != NULL);
    task = submit_model(client, "emu-redirect");
    REQUIRE(task != NULL);
    REQUIRE(WAIT_SUCCESS(task));
    work_path(path, sizeof path, "redirected.mp4");
    remove_download(path);
    REQUIRE(DOWNLOAD_CHECKED(task, path));
    check_snapshot_after_download(task, __FILE__, __LINE__);
done:
    vg_task_free(task);
    vg_client_free(client);
}

/* The emulator's request log: no request to the CDN origin ever carried an Authorization header. */
void cdn_never_gets_key(void)
{
    vg_client *client = make_client("unified", g_base_url, NULL);
    vg_client *openai = NULL;
    vg_task *task = NULL, *redirected = NULL;
    char *log = NULL;
    char path[512];
    const char *p;
    int cdn_requests = 0;
    int status;
    REQUIRE(client != NULL);
    /* Make sure there is CDN traffic: a unified task's video lives on the CDN origin, and an openai emu-redirect
       task's content redirects there. */
    openai = make_client("openai", g_base_url, NULL);
    REQUIRE(openai != NULL);
    task = submit_model(client, "sora-2");
    redirected = submit_model(openai, "emu-redirect");
    REQUIRE(task != NULL && redirected != NULL);
    REQUIRE(WAIT_SUCCESS(task));
    work_path(path, sizeof path, "cdn.mp4");
    remove_download(path);
    REQUIRE(DOWNLOAD_CHECKED(task, path));
    REQUIRE(WAIT_SUCCESS(redirected));
    work_path(path, sizeof path, "cdn-redirect.mp4");
    remove_download(path);
    REQUIRE(DOWNLOAD_CHECKED(redirected, path));

    status = http_request(g_base_url, "GET", "/_emulator/requests", NULL, &log);
    REQUIRE(status == 200 && log != NULL);
    for (p = strstr(log, "\"origin\":\"cdn\""); p != NULL; p = strstr(p + 1, "\"origin\":\"cdn\"")) {
        const char *next = strstr(p + 1, "\"origin\":");
        const char *auth = strstr(p, "\"authorization\":\"");
        cdn_requests++;
        if (auth == NULL || (next != NULL && auth > next)) {
            t_fail(__FILE__, __LINE__, "a CDN log entry has no authorization field");
            continue;
        }
        auth += strlen("\"authorization\":\"");
        if (strncmp(auth, "none\"", 5) != 0)
            t_fail(__FILE__, __LINE__, "a request to the CDN origin carried an Authorization header (%.8s...)", auth);
    }
    CHECKF(cdn_requests >= 2, "the request log shows %d CDN requests after two downloads from the CDN", cdn_requests);
done:
    free(log);
    vg_task_free(task);
    vg_task_free(redirected);
    vg_client_free(client);
    vg_client_free(openai);
}

/* Counts the polls of one openai task in the emulator's request log. */
static int count_polls(const char *task_id)
{
    char *log = NULL;
    char pattern[256];
    const char *p;
    int count = 0;
    if (http_request(g_base_url, "GET", "/_emulator/requests", NULL, &log) != 200 || log == NULL) {
        t_fail(__FILE__, __LINE__, "GET /_emulator/requests failed");
        free(log);
        return -1;
    }
    snprintf(pattern, sizeof pattern, "\"path\":\"/v1/videos/%s\"", task_id);
    for (p = strstr(log, pattern); p != NULL; p = strstr(p + 1, pattern)) count++;
    free(log);
    return count;
}

/* A server poll hint (openai-poll-after-ms) overrides the client's schedule. */
void poll_hint_honoured(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    char id[256];
    int polls, ok = 0;
    double start, elapsed = 0;
    REQUIRE(client != NULL);
    /* With a 2.5 s hint, the first poll (task still running) sets the next one 2.5 s later: the client's own
       schedule (0.2 s growing to 0.5 s) would have polled the 1 s task about four times and ended near 1.5 s. */
    REQUIRE(emulator_control("{\"poll_after_ms\": 2500}"));
    start = now_seconds();
    task = submit_model(client, "sora-2");
    if (task != NULL) {
        snprintf(id, sizeof id, "%s", vg_task_id(task));
        ok = WAIT_SUCCESS(task);
        elapsed = now_seconds() - start;
    }
    emulator_control("{\"poll_after_ms\": null}");
    REQUIRE(task != NULL && ok);
    polls = count_polls(id);
    if (getenv("VG_TEST_VERBOSE") != NULL) fprintf(stderr, "# %d polls in %.2f s with a 2.5 s hint\n", polls, elapsed);
    CHECKF(polls >= 1 && polls <= 2, "%d polls of a 1 s task with a 2.5 s hint", polls);
    /* (One poll only when this machine was so slow that the task had finished before the first poll.) */
    if (polls == 2) CHECKF(elapsed >= 2.2, "the wait ended %.2f s after the submit: the hint was not waited for", elapsed);
done:
    vg_task_free(task);
    vg_client_free(client);
}

/* max_download_bytes: a larger video fails with VG_E_TOO_LARGE and leaves no file. */
void download_too_large(void)
{
    vg_client *client = make_client("openai", g_base_url, "\"max_download_bytes\": 1000");
    vg_task *task = NULL;
    vg_error *error = NULL;
    char path[512], part[600];
    REQUIRE(client != NULL);
    task = submit_model(client, "sora-2");
    REQUIRE(task != NULL);
    REQUIRE(WAIT_SUCCESS(task));
    work_path(path, sizeof path, "too-large.mp4");
    snprintf(part, sizeof part, "%s.part", path);
    remove_download(path);
    CHECK_CODE_E(vg_task_download(task, path, NULL, NULL, &error), VG_E_TOO_LARGE, error);
    CHECKF(!file_exists(path), "%s exists after a refused download", path);
    CHECKF(!file_exists(part), "%s exists after a refused download", part);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

/* ---- A one-shot HTTP server that records the request it gets. ---- */

struct capture {
    int listener;
    int port;
    char request[8192];
    int got_request;
    pthread_mutex_t lock;
    int stop;
};

static int capture_stopped(struct capture *cap)
{
    int stop;
    pthread_mutex_lock(&cap->lock);
    stop = cap->stop;
    pthread_mutex_unlock(&cap->lock);
    return stop;
}

static int capture_open(struct capture *cap)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int one = 1;
    memset(cap, 0, sizeof *cap);
    pthread_mutex_init(&cap->lock, NULL);
    cap->listener = socket(AF_INET, SOCK_STREAM, 0);
    if (cap->listener < 0) return 0;
    setsockopt(cap->listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(cap->listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(cap->listener, 4) != 0 ||
        getsockname(cap->listener, (struct sockaddr *)&addr, &len) != 0) {
        close(cap->listener);
        return 0;
    }
    cap->port = ntohs(addr.sin_port);
    return 1;
}

/* Serves connections until stopped (at most 20 s), recording the requests' heads; answers 200 with 5 bytes. */
static void *capture_serve(void *p)
{
    struct capture *cap = p;
    double end = now_seconds() + 20;
    while (now_seconds() < end && !capture_stopped(cap)) {
        struct pollfd pfd;
        int fd;
        size_t used = strlen(cap->request);
        pfd.fd = cap->listener;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, 200) <= 0) continue;
        fd = accept(cap->listener, NULL, NULL);
        if (fd < 0) continue;
        {
            struct pollfd rfd;
            double stop = now_seconds() + 3;
            rfd.fd = fd;
            rfd.events = POLLIN;
            while (now_seconds() < stop && used + 1 < sizeof cap->request) {
                ssize_t got;
                rfd.revents = 0;
                if (poll(&rfd, 1, 200) <= 0) continue;
                got = read(fd, cap->request + used, sizeof cap->request - used - 1);
                if (got <= 0) break;
                used += (size_t)got;
                cap->request[used] = '\0';
                if (strstr(cap->request, "\r\n\r\n") != NULL) break;
            }
        }
        cap->got_request = 1;
        {
            const char *answer = "HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 5\r\n"
                                 "Connection: close\r\n\r\nhello";
            ssize_t ignored = write(fd, answer, strlen(answer));
            (void)ignored;
        }
        close(fd);
    }
    return NULL;
}

static int contains_ci(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (; *haystack; haystack++) {
        size_t i;
        for (i = 0; i < n && haystack[i] && tolower((unsigned char)haystack[i]) == tolower((unsigned char)needle[i]); i++) {
        }
        if (i == n) return 1;
    }
    return 0;
}

/* A record whose video URL is on another origin: the download must not carry the API key there. */
void foreign_video_url_gets_no_key(void)
{
    size_t d;
    for (d = 0; d < 2; d++) {
        const char *dialect = d == 0 ? "openai" : "unified";
        struct capture cap;
        pthread_t server;
        vg_client *client = make_client(dialect, g_base_url, NULL);
        vg_task *task = NULL;
        vg_error *error = NULL;
        char record[1024];
        char path[512];
        vg_code code;
        if (client == NULL) continue;
        if (!capture_open(&cap)) {
            t_fail(__FILE__, __LINE__, "could not open a listening socket");
            vg_client_free(client);
            continue;
        }
        snprintf(record, sizeof record,
                 "{\"record_version\": 1, \"id\": \"%s\", \"dialect\": \"%s\", \"base_url\": \"%s\","
                 " \"state\": \"succeeded\", \"progress\": 100, \"video_url\": \"http://127.0.0.1:%d/files/x.mp4\"}",
                 d == 0 ? "video_0123456789abcdef01234567" : "task_0123456789abcdef0123456789abcdef", dialect,
                 g_base_url, cap.port);
        code = vg_client_resume(client, record, &task, &error);
        if (code == VG_OK) {
            pthread_create(&server, NULL, capture_serve, &cap);
            work_path(path, sizeof path, "foreign.mp4");
            remove_download(path);
            code = vg_task_download(task, path, NULL, NULL, NULL);
            pthread_mutex_lock(&cap.lock);
            cap.stop = 1;
            pthread_mutex_unlock(&cap.lock);
            pthread_join(server, NULL);
            if (cap.got_request) {
                CHECKF(!contains_ci(cap.request, TEST_API_KEY), "%s: the API key was sent to another origin", dialect);
                CHECKF(!contains_ci(cap.request, "\nauthorization:"),
                       "%s: an Authorization header was sent to another origin", dialect);
            }
            if (getenv("VG_TEST_VERBOSE") != NULL)
                fprintf(stderr, "# %s: download from a foreign video URL: %s, request seen: %d\n", dialect,
                        vg_code_str(code), cap.got_request);
            remove_download(path);
        }
        /* (A library may also refuse such a record or its download: that keeps the key safe too.) */
        close(cap.listener);
        pthread_mutex_destroy(&cap.lock);
        vg_error_free(error);
        vg_task_free(task);
        vg_client_free(client);
    }
}

/* Sets emulator settings through its control route; 1 on success. */
static int emulator_control(const char *json)
{
    char *response = NULL;
    int status = http_request(g_base_url, "POST", "/_emulator/control", json, &response);
    if (status != 200) t_fail(__FILE__, __LINE__, "POST /_emulator/control %s answered %d", json, status);
    free(response);
    return status == 200;
}

/* The unified dialect reads every poll shape new-api servers answer with. */
void unified_poll_shapes(void)
{
    const char *shapes[] = {"flat", "openai", "realtime", "envelope"};
    vg_client *client = make_client("unified", g_base_url, NULL);
    size_t i;
    if (client == NULL) return;
    for (i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        char control[128], path[512], name[64];
        vg_task *task = NULL, *failing = NULL;
        vg_error *error = NULL;
        vg_code code;
        snprintf(control, sizeof control, "{\"unified_shape\": \"%s\"}", shapes[i]);
        if (!emulator_control(control)) break;
        /* Both tasks run at once on the emulator's clock. */
        task = submit_model(client, "sora-2");
        failing = submit_model(client, "emu-fail");
        /* The realtime shape carries no progress: -1 is the honest value there. */
        if (task != NULL && wait_success_ex(task, strcmp(shapes[i], "realtime") == 0, __FILE__, __LINE__)) {
            snprintf(name, sizeof name, "shape-%s.mp4", shapes[i]);
            work_path(path, sizeof path, name);
            remove_download(path);
            CHECKF(DOWNLOAD_CHECKED(task, path), "shape %s: the download failed", shapes[i]);
        } else {
            t_fail(__FILE__, __LINE__, "shape %s: the task did not succeed", shapes[i]);
        }
        if (failing != NULL) {
            code = vg_task_wait(failing, WAIT_LIMIT, NULL, NULL, &error);
            CHECKF(code == VG_E_TASK_FAILED || code == VG_E_CONTENT_POLICY, "shape %s: a failing task waited %s (%s)",
                   shapes[i], vg_code_str(code), vg_error_message(error));
            CHECKF(vg_task_state(failing) == VG_STATE_FAILED, "shape %s: a failing task ended %s", shapes[i],
                   vg_state_str(vg_task_state(failing)));
            CHECKF(vg_task_error_message(failing) != NULL, "shape %s: a failed task has no error message", shapes[i]);
            vg_error_free(error);
        }
        vg_task_free(task);
        vg_task_free(failing);
    }
    emulator_control("{\"unified_shape\": \"envelope\"}");
    vg_client_free(client);
}

/* Prompts are UTF-8; JSON escapes (including surrogate pairs) are decoded. */
void request_unicode_prompt(void)
{
    size_t d;
    for (d = 0; d < 2; d++) {
        vg_client *client = make_client(d == 0 ? "openai" : "unified", g_base_url, NULL);
        vg_task *task = NULL;
        vg_error *error = NULL;
        if (client == NULL) continue;
        CHECK_CODE_E(vg_client_submit(client,
                                      "{\"model\": \"sora-2\", \"prompt\": \"caf\\u00e9 \\ud83e\\udd8a \xe2\x80\x94 "
                                      "\xe6\x97\xa5\xe6\x9c\xac \\\"quoted\\\" \\\\ back\\nslash\"}",
                                      &task, &error),
                     VG_OK, error);
        vg_error_free(error);
        vg_task_free(task);
        vg_client_free(client);
    }
}

/* ---- Authentication. ---- */

#define WRONG_KEY "sk-wrong-7f3a9c2e5b1d4068"

static vg_client *client_with_key(const char *dialect, const char *base_url, const char *key)
{
    char config[512];
    vg_client *client = NULL;
    vg_error *error = NULL;
    snprintf(config, sizeof config,
             "{\"dialect\": \"%s\", \"base_url\": \"%s\", \"api_key\": \"%s\", \"request_timeout\": 10,"
             " \"poll\": {\"interval\": 0.2, \"max_interval\": 0.5}}",
             dialect, base_url, key);
    if (vg_client_create(config, &client, &error) != VG_OK) {
        t_fail(__FILE__, __LINE__, "vg_client_create failed: %s", vg_error_message(error));
        vg_error_free(error);
        return NULL;
    }
    return client;
}

/* Checks an error from a rejected key: code, status, provider code, no key in the message. */
static void check_auth_error(vg_code code, vg_error *error, const char *what, int basic, const char *file, int line)
{
    if (code != VG_E_AUTH)
        t_fail(file, line, "%s returned %s (%s), expected VG_E_AUTH", what, vg_code_str(code), vg_error_message(error));
    if (vg_error_code(error) != VG_E_AUTH) t_fail(file, line, "%s: vg_error_code is %d", what, (int)vg_error_code(error));
    if (vg_error_http_status(error) != 401)
        t_fail(file, line, "%s: vg_error_http_status is %d, expected 401", what, vg_error_http_status(error));
    /* Behind a Basic challenge the library cancels the challenge and may not see the body: NULL is allowed there. */
    if (basic && vg_error_provider_code(error) == NULL) {
    } else if (vg_error_provider_code(error) == NULL || strcmp(vg_error_provider_code(error), "invalid_api_key") != 0)
        t_fail(file, line, "%s: vg_error_provider_code is %s, expected invalid_api_key", what,
               vg_error_provider_code(error) ? vg_error_provider_code(error) : "NULL");
    if (vg_error_retry_after(error) != -1)
        t_fail(file, line, "%s: vg_error_retry_after is %g without a hint", what, vg_error_retry_after(error));
    if (strstr(vg_error_message(error), WRONG_KEY) != NULL || strstr(vg_error_message(error), "7f3a9c2e5b1d4068") != NULL)
        t_fail(file, line, "%s: the message contains the key: %s", what, vg_error_message(error));
    if (strstr(vg_error_message(error), TEST_API_KEY) != NULL)
        t_fail(file, line, "%s: the message contains the good key", what);
}

static void auth_wrong_key(const char *dialect, const char *base_url, int basic)
{
    vg_client *client = client_with_key(dialect, base_url, WRONG_KEY);
    vg_task *task = (vg_task *)(uintptr_t)0x1;
    vg_error *error = NULL;
    vg_code code;
    char record[1024];
    double start;
    REQUIRE(client != NULL);

    start = now_seconds();
    code = vg_client_submit(client, "{\"model\": \"sora-2\", \"prompt\": \"a fox\"}", &task, &error);
    check_auth_error(code, error, "vg_client_submit", basic, __FILE__, __LINE__);
    CHECKF(now_seconds() - start < 10, "vg_client_submit took %.1f s to report a rejected key", now_seconds() - start);
    CHECK(task == NULL);
    vg_error_free(error);
    error = NULL;
    task = NULL;

    /* Polls and waits fail the same way, and a wait gives up at once (a bad key cannot heal). */
    unknown_record(record, sizeof record, dialect, base_url);
    REQUIRE_CODE_E(vg_client_resume(client, record, &task, &error), VG_OK, error);
    code = vg_task_poll(task, &error);
    check_auth_error(code, error, "vg_task_poll", basic, __FILE__, __LINE__);
    vg_error_free(error);
    error = NULL;
    start = now_seconds();
    code = vg_task_wait(task, 60, NULL, NULL, &error);
    check_auth_error(code, error, "vg_task_wait", basic, __FILE__, __LINE__);
    CHECKF(now_seconds() - start < 10, "vg_task_wait took %.1f s to give up on a rejected key", now_seconds() - start);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

void auth_wrong_key_openai(void) { auth_wrong_key("openai", g_base_url, 0); }
void auth_wrong_key_unified(void) { auth_wrong_key("unified", g_base_url, 0); }

struct auth_job {
    const char *dialect;
    const char *base_url;
};

static void *auth_job_run(void *p)
{
    struct auth_job *job = p;
    auth_wrong_key(job->dialect, job->base_url, 1);
    return NULL;
}

/* A 401 with "WWW-Authenticate: Basic" once made URLSession wait forever for credentials; it is VG_E_AUTH at once. */
void auth_basic_challenge(void)
{
    size_t d;
    if (g_basic_url == NULL) {
        t_fail(__FILE__, __LINE__, "no --basic emulator URL given");
        return;
    }
    for (d = 0; d < 2; d++) {
        struct auth_job *job = malloc(sizeof *job);
        if (job == NULL) return;
        job->dialect = d == 0 ? "openai" : "unified";
        job->base_url = g_basic_url;
        if (run_with_timeout(auth_job_run, job, 25)) {
            free(job);
        } else {
            t_fail(__FILE__, __LINE__, "%s: a 401 with a Basic challenge hung for more than 25 s", d == 0 ? "openai" : "unified");
            /* the job stays with its thread */
        }
    }
    /* The right key works on that emulator. */
    {
        vg_client *client = make_client("openai", g_basic_url, NULL);
        vg_task *task = client ? submit_model(client, "sora-2") : NULL;
        vg_task_free(task);
        vg_client_free(client);
    }
}

/* ---- Unknown, failing and empty tasks. ---- */

static void unknown_task(const char *dialect)
{
    vg_client *client = make_client(dialect, g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    char record[1024];
    double start;
    REQUIRE(client != NULL);
    unknown_record(record, sizeof record, dialect, g_base_url);
    REQUIRE_CODE_E(vg_client_resume(client, record, &task, &error), VG_OK, error);
    CHECK_CODE_E(vg_task_poll(task, &error), VG_E_NOT_FOUND, error);
    CHECK(vg_error_code(error) == VG_E_NOT_FOUND);
    CHECKF(vg_error_http_status(error) == (strcmp(dialect, "openai") == 0 ? 404 : 400),
           "http status %d for an unknown task", vg_error_http_status(error));
    if (strcmp(dialect, "unified") == 0) {
        CHECKF(vg_error_provider_code(error) != NULL && strcmp(vg_error_provider_code(error), "task_not_exist") == 0,
               "provider code %s, expected task_not_exist",
               vg_error_provider_code(error) ? vg_error_provider_code(error) : "NULL");
    }
    vg_error_free(error);
    error = NULL;
    /* A wait gives up at once: an unknown task cannot heal. */
    start = now_seconds();
    CHECK_CODE_E(vg_task_wait(task, 60, NULL, NULL, &error), VG_E_NOT_FOUND, error);
    CHECKF(now_seconds() - start < 10, "vg_task_wait took %.1f s to give up on an unknown task", now_seconds() - start);
    /* Nothing to download. */
    CHECK(vg_task_download(task, "/tmp/vg-never-written.mp4", NULL, NULL, NULL) != VG_OK);
    CHECK(!file_exists("/tmp/vg-never-written.mp4"));
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

void unknown_task_openai(void) { unknown_task("openai"); }
void unknown_task_unified(void) { unknown_task("unified"); }

static void task_fails(const char *dialect)
{
    vg_client *client = make_client(dialect, g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    struct progress_log log;
    char path[512];
    char *json = NULL;
    vg_code code;
    REQUIRE(client != NULL);
    task = submit_model(client, "emu-fail");
    REQUIRE(task != NULL);
    progress_log_init(&log, task);
    code = vg_task_wait(task, WAIT_LIMIT, record_progress, &log, &error);
    CHECKF(code == VG_E_TASK_FAILED || code == VG_E_CONTENT_POLICY, "vg_task_wait returned %s: %s", vg_code_str(code),
           vg_error_message(error));
    CHECK(vg_error_code(error) == code);
    check_progress_log(&log, __FILE__, __LINE__);
    CHECK(log.last_state == VG_STATE_FAILED);
    CHECK(vg_task_state(task) == VG_STATE_FAILED);
    CHECKF(vg_task_error_code(task) == VG_E_TASK_FAILED || vg_task_error_code(task) == VG_E_CONTENT_POLICY,
           "vg_task_error_code is %s", vg_code_str(vg_task_error_code(task)));
    CHECK(vg_task_error_message(task) != NULL);
    CHECK(vg_task_video_url(task) == NULL);
    if (strcmp(dialect, "openai") == 0) {
        /* The provider's code comes through. */
        CHECKF(vg_error_provider_code(error) != NULL &&
                   strcmp(vg_error_provider_code(error), "content_policy_violation") == 0,
               "provider code %s, expected content_policy_violation",
               vg_error_provider_code(error) ? vg_error_provider_code(error) : "NULL");
        CHECK(code == VG_E_CONTENT_POLICY);
    }
    /* The provider's reason comes through. */
    CHECK_CONTAINS(vg_task_error_message(task), "safety system");
    CHECK(vg_task_snapshot_json(task, &json) == VG_OK);
    {
        char value[64];
        CHECK(json_string_member(json, "state", value, sizeof value) && strcmp(value, "failed") == 0);
    }
    vg_error_free(error);
    error = NULL;
    /* The record of a failed task resumes failed, with its reason, and a wait reports the failure at once. */
    {
        vg_task *again = NULL;
        vg_code again_code;
        double start;
        CHECK_CODE_E(vg_client_resume(client, json, &again, &error), VG_OK, error);
        if (again != NULL) {
            CHECK(vg_task_state(again) == VG_STATE_FAILED);
            CHECK(vg_task_error_code(again) == vg_task_error_code(task));
            CHECK_CONTAINS(vg_task_error_message(again), "safety system");
            start = now_seconds();
            again_code = vg_task_wait(again, WAIT_LIMIT, NULL, NULL, NULL);
            CHECKF(again_code == code, "waiting on the resumed failed task returned %s, the first wait %s",
                   vg_code_str(again_code), vg_code_str(code));
            CHECKF(now_seconds() - start < 5, "waiting on a failed task took %.1f s", now_seconds() - start);
        }
        vg_task_free(again);
        vg_error_free(error);
        error = NULL;
    }
    vg_string_free(json);

    work_path(path, sizeof path, "failed.mp4");
    remove_download(path);
    CHECK_CODE_E(vg_task_download(task, path, NULL, NULL, &error), VG_E_NOT_READY, error);
    CHECK(!file_exists(path));
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

void task_fails_openai(void) { task_fails("openai"); }
void task_fails_unified(void) { task_fails("unified"); }

static void task_empty(const char *dialect)
{
    vg_client *client = make_client(dialect, g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    char path[512];
    vg_code code;
    REQUIRE(client != NULL);
    task = submit_model(client, "emu-empty");
    REQUIRE(task != NULL);
    code = vg_task_wait(task, WAIT_LIMIT, NULL, NULL, &error);
    CHECKF(code != VG_OK, "a task that finished without a video waited VG_OK");
    CHECKF(code == VG_E_TASK_FAILED, "vg_task_wait returned %s, expected VG_E_TASK_FAILED", vg_code_str(code));
    CHECK(vg_task_state(task) == VG_STATE_FAILED);
    CHECK(vg_task_video_url(task) == NULL);
    CHECK(vg_task_error_code(task) != VG_OK);
    vg_error_free(error);
    error = NULL;
    work_path(path, sizeof path, "empty.mp4");
    remove_download(path);
    CHECK_CODE_E(vg_task_download(task, path, NULL, NULL, &error), VG_E_NOT_READY, error);
    CHECK(!file_exists(path));
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

/* In the openai dialect the video is the content route by contract (see VG_STATE_SUCCEEDED in the header): the
 * task succeeds, and the missing video shows as VG_E_NOT_FOUND at download, leaving no file. */
void task_empty_openai(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    char path[512], part[600];
    REQUIRE(client != NULL);
    task = submit_model(client, "emu-empty");
    REQUIRE(task != NULL);
    REQUIRE(WAIT_SUCCESS(task));
    work_path(path, sizeof path, "empty-openai.mp4");
    remove_download(path);
    CHECK_CODE_E(vg_task_download(task, path, NULL, NULL, &error), VG_E_NOT_FOUND, error);
    CHECK(vg_error_http_status(error) == 404);
    CHECK(!file_exists(path));
    snprintf(part, sizeof part, "%s.part", path);
    CHECK(!file_exists(part));
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

void task_empty_unified(void) { task_empty("unified"); }

void download_not_ready(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    char path[512];
    REQUIRE(client != NULL);
    task = submit_model(client, "sora-2");
    REQUIRE(task != NULL);
    work_path(path, sizeof path, "not-ready.mp4");
    remove_download(path);
    CHECK_CODE_E(vg_task_download(task, path, NULL, NULL, &error), VG_E_NOT_READY, error);
    CHECK(!file_exists(path));
    vg_error_free(error);
    error = NULL;
    /* The refused download did not spoil the task. */
    REQUIRE(WAIT_SUCCESS(task));
    REQUIRE(DOWNLOAD_CHECKED(task, path));
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

void download_io_error(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    char path[512], part[600];
    REQUIRE(client != NULL);
    task = submit_model(client, "sora-2");
    REQUIRE(task != NULL);
    REQUIRE(WAIT_SUCCESS(task));
    /* A folder that does not exist. */
    work_path(path, sizeof path, "no-such-folder/video.mp4");
    CHECK_CODE_E(vg_task_download(task, path, NULL, NULL, &error), VG_E_IO, error);
    CHECK(!file_exists(path));
    vg_error_free(error);
    error = NULL;
    /* A destination that is a folder: nothing partial may stay behind. */
    snprintf(part, sizeof part, "%s.part", g_workdir);
    CHECK_CODE_E(vg_task_download(task, g_workdir, NULL, NULL, &error), VG_E_IO, error);
    CHECKF(!file_exists(part), "%s was left behind", part);
    unlink(part);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

/* ---- Deadlines. ---- */

void wait_deadline(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    double start, elapsed;
    vg_state state;
    REQUIRE(client != NULL);
    task = submit_model(client, "emu-stuck");
    REQUIRE(task != NULL);
    start = now_seconds();
    CHECK_CODE_E(vg_task_wait(task, 1.5, NULL, NULL, &error), VG_E_DEADLINE, error);
    elapsed = now_seconds() - start;
    CHECKF(elapsed >= 1.0, "vg_task_wait gave up after %.2f s, before its 1.5 s deadline", elapsed);
    CHECKF(elapsed < 15, "vg_task_wait took %.1f s for a 1.5 s deadline", elapsed);
    CHECK(vg_error_code(error) == VG_E_DEADLINE);
    state = vg_task_state(task);
    CHECKF(state == VG_STATE_QUEUED || state == VG_STATE_RUNNING, "state after the deadline is %s", vg_state_str(state));
    CHECK(vg_task_error_code(task) == VG_OK);
    vg_error_free(error);
    error = NULL;
    /* The task still runs on the service: it can be polled again. */
    CHECK_CODE_E(vg_task_poll(task, &error), VG_OK, error);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

void wait_default_timeout(void)
{
    vg_client *client = make_client("unified", g_base_url, "\"wait_timeout\": 1.5");
    vg_task *task = NULL;
    vg_error *error = NULL;
    double start, elapsed;
    double timeouts[2] = {0, -1};
    int i;
    REQUIRE(client != NULL);
    task = submit_model(client, "emu-stuck");
    REQUIRE(task != NULL);
    for (i = 0; i < 2; i++) {
        start = now_seconds();
        CHECK_CODE_E(vg_task_wait(task, timeouts[i], NULL, NULL, &error), VG_E_DEADLINE, error);
        elapsed = now_seconds() - start;
        CHECKF(elapsed >= 1.0, "timeout %g: gave up after %.2f s, before the 1.5 s wait_timeout", timeouts[i], elapsed);
        CHECKF(elapsed < 15, "timeout %g: took %.1f s for a 1.5 s wait_timeout", timeouts[i], elapsed);
        vg_error_free(error);
        error = NULL;
    }
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

/* ---- Cancellation. ---- */

struct cancel_job {
    vg_task *task;
    double delay;
    pthread_mutex_t lock;
    int returned;          /* vg_task_cancel has returned */
    double started_at;     /* when vg_task_cancel was called */
    double returned_at;
    vg_code code;
    int callbacks_after;   /* progress callbacks that began after vg_task_cancel returned */
    int callbacks;
    double callback_sleep;
    pthread_t waiter;
    int wrong_thread;
};

static void *cancel_later(void *p)
{
    struct cancel_job *job = p;
    vg_code code;
    sleep_seconds(job->delay);
    job->started_at = now_seconds();
    code = vg_task_cancel(job->task, VG_CANCEL_LOCAL, NULL);
    pthread_mutex_lock(&job->lock);
    job->code = code;
    job->returned = 1;
    job->returned_at = now_seconds();
    pthread_mutex_unlock(&job->lock);
    return NULL;
}

static int progress_during_cancel(vg_task *task, void *user_data)
{
    struct cancel_job *job = user_data;
    (void)task;
    pthread_mutex_lock(&job->lock);
    if (job->returned) job->callbacks_after++;
    job->callbacks++;
    pthread_mutex_unlock(&job->lock);
    if (!pthread_equal(pthread_self(), job->waiter)) job->wrong_thread++;
    sleep_seconds(job->callback_sleep);
    return 0;
}

/* Waits on `task` while another thread cancels it after `delay` seconds. Returns the wait's code. */
static vg_code wait_while_cancelled(vg_task *task, double delay, double callback_sleep, struct cancel_job *job,
                                    double *returned_at)
{
    pthread_t canceller;
    vg_code code;
    vg_error *error = NULL;
    memset(job, 0, sizeof *job);
    pthread_mutex_init(&job->lock, NULL);
    job->task = task;
    job->delay = delay;
    job->callback_sleep = callback_sleep;
    job->code = (vg_code)-1;
    job->waiter = pthread_self();
    if (pthread_create(&canceller, NULL, cancel_later, job) != 0) {
        t_fail(__FILE__, __LINE__, "pthread_create failed");
        return VG_E_INTERNAL;
    }
    code = vg_task_wait(task, WAIT_LIMIT, progress_during_cancel, job, &error);
    *returned_at = now_seconds();
    if (code != vg_error_code(error) && code != VG_OK)
        t_fail(__FILE__, __LINE__, "the wait's error code %d differs from its result %d", (int)vg_error_code(error), (int)code);
    vg_error_free(error);
    pthread_join(canceller, NULL);
    pthread_mutex_destroy(&job->lock);
    return code;
}

void cancel_from_thread(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL, *resumed = NULL;
    vg_error *error = NULL;
    struct cancel_job job;
    double returned_at;
    char *record = NULL;
    vg_code code;
    int round;
    REQUIRE(client != NULL);

    /* A task that never ends: the wait can only end by the cancel. */
    task = submit_model(client, "emu-stuck");
    REQUIRE(task != NULL);
    code = wait_while_cancelled(task, 1.0, 0, &job, &returned_at);
    CHECKF(code == VG_E_CANCELLED, "vg_task_wait returned %s, expected VG_E_CANCELLED", vg_code_str(code));
    CHECKF(job.code == VG_OK, "vg_task_cancel returned %s", vg_code_str(job.code));
    CHECKF(returned_at - job.started_at < 5, "vg_task_wait returned %.2f s after vg_task_cancel was called",
           returned_at - job.started_at);
    CHECKF(job.callbacks_after == 0, "%d progress callbacks ran after vg_task_cancel returned", job.callbacks_after);
    CHECK(job.callbacks >= 1);
    CHECK(job.wrong_thread == 0);

    /* Later network calls on the task are cancelled too, at once; getters and the snapshot still work. */
    {
        double start = now_seconds();
        CHECK_CODE_E(vg_task_wait(task, WAIT_LIMIT, NULL, NULL, &error), VG_E_CANCELLED, error);
        CHECKF(now_seconds() - start < 5, "a wait on a cancelled task took %.1f s", now_seconds() - start);
        vg_error_free(error);
        error = NULL;
        CHECK_CODE_E(vg_task_poll(task, &error), VG_E_CANCELLED, error);
        vg_error_free(error);
        error = NULL;
    }
    CHECK(vg_task_id(task)[0] != '\0');
    CHECK_CODE(vg_task_cancel(task, VG_CANCEL_LOCAL, NULL), VG_OK);
    REQUIRE(vg_task_snapshot_json(task, &record) == VG_OK);
    /* The record resumes into a live task. */
    REQUIRE_CODE_E(vg_client_resume(client, record, &resumed, &error), VG_OK, error);
    CHECK_CODE_E(vg_task_poll(resumed, &error), VG_OK, error);
    vg_error_free(error);
    error = NULL;
    vg_task_free(task);
    task = NULL;

    /* Cancels that land while state and progress change, with a slow callback: no callback after cancel returns. */
    for (round = 0; round < 4; round++) {
        double delay = 0.1 + 0.1 * round;
        task = submit_model(client, "sora-2");
        REQUIRE(task != NULL);
        code = wait_while_cancelled(task, delay, 0.03, &job, &returned_at);
        if (code == VG_OK && returned_at < job.started_at) {
            /* The task finished before the cancel: nothing to check in this round. */
        } else {
            CHECKF(code == VG_E_CANCELLED, "round %d: vg_task_wait returned %s", round, vg_code_str(code));
        }
        CHECKF(job.callbacks_after == 0, "round %d: %d progress callbacks ran after vg_task_cancel returned", round,
               job.callbacks_after);
        vg_task_free(task);
        task = NULL;
    }
done:
    vg_error_free(error);
    vg_string_free(record);
    vg_task_free(task);
    vg_task_free(resumed);
    vg_client_free(client);
}

struct self_cancel {
    vg_task *task;
    int calls;
    int calls_after;
    int cancelled;
    vg_code cancel_code;
    vg_code wait_code;
};

static int cancel_from_callback(vg_task *task, void *user_data)
{
    struct self_cancel *job = user_data;
    job->calls++;
    if (job->cancelled) job->calls_after++;
    if (job->calls == 2 || (job->calls == 1 && vg_task_state(task) == VG_STATE_RUNNING)) {
        job->cancel_code = vg_task_cancel(task, VG_CANCEL_LOCAL, NULL);
        job->cancelled = 1;
    }
    return 0;
}

static void *self_cancel_run(void *p)
{
    struct self_cancel *job = p;
    job->wait_code = vg_task_wait(job->task, WAIT_LIMIT, cancel_from_callback, job, NULL);
    return NULL;
}

void cancel_in_callback(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    struct self_cancel *job = NULL;
    REQUIRE(client != NULL);
    job = calloc(1, sizeof *job);
    REQUIRE(job != NULL);
    job->task = submit_model(client, "emu-stuck");
    job->cancel_code = (vg_code)-1;
    REQUIRE(job->task != NULL);
    if (!run_with_timeout(self_cancel_run, job, 15)) {
        t_fail(__FILE__, __LINE__, "vg_task_cancel from inside the progress callback deadlocked the wait");
        job = NULL; /* left with the stuck thread */
        goto done;
    }
    CHECK(job->cancelled);
    CHECKF(job->cancel_code == VG_OK, "vg_task_cancel in the callback returned %s", vg_code_str(job->cancel_code));
    CHECKF(job->wait_code == VG_E_CANCELLED, "vg_task_wait returned %s", vg_code_str(job->wait_code));
    CHECKF(job->calls_after == 0, "%d callbacks after the cancel", job->calls_after);
done:
    if (job != NULL) {
        vg_task_free(job->task);
        free(job);
    }
    vg_client_free(client);
}

void cancel_remote_unsupported(void)
{
    size_t d;
    for (d = 0; d < 2; d++) {
        const char *dialect = d == 0 ? "openai" : "unified";
        vg_client *client = make_client(dialect, g_base_url, NULL);
        vg_task *task = NULL;
        vg_error *error = NULL;
        double start;
        if (client == NULL) continue;
        task = submit_model(client, "emu-stuck");
        if (task != NULL) {
            CHECK_CODE_E(vg_task_cancel(task, VG_CANCEL_REMOTE, &error), VG_E_UNSUPPORTED, error);
            CHECKF(vg_error_message(error)[0] != '\0', "%s: the error has no message", dialect);
            vg_error_free(error);
            error = NULL;
            /* Local cancellation still happened. */
            start = now_seconds();
            CHECK_CODE_E(vg_task_wait(task, WAIT_LIMIT, NULL, NULL, &error), VG_E_CANCELLED, error);
            CHECKF(now_seconds() - start < 5, "%s: the wait after the cancel took %.1f s", dialect, now_seconds() - start);
            vg_error_free(error);
        }
        vg_task_free(task);
        vg_client_free(client);
    }
}

struct free_job {
    vg_task *task;
    pthread_mutex_t lock;
    int done;
    vg_code code;
    double returned_at;
};

static void *wait_until_freed(void *p)
{
    struct free_job *job = p;
    vg_code code = vg_task_wait(job->task, WAIT_LIMIT, NULL, NULL, NULL);
    pthread_mutex_lock(&job->lock);
    job->code = code;
    job->done = 1;
    job->returned_at = now_seconds();
    pthread_mutex_unlock(&job->lock);
    return NULL;
}

void free_during_wait(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    struct free_job *job = NULL;
    pthread_t waiter;
    double freed_at, end;
    int done = 0;
    REQUIRE(client != NULL);
    job = calloc(1, sizeof *job);
    REQUIRE(job != NULL);
    pthread_mutex_init(&job->lock, NULL);
    job->task = submit_model(client, "emu-stuck");
    REQUIRE(job->task != NULL);
    REQUIRE(pthread_create(&waiter, NULL, wait_until_freed, job) == 0);
    sleep_seconds(0.7);
    freed_at = now_seconds();
    vg_task_free(job->task);
    end = freed_at + 10;
    while (now_seconds() < end) {
        pthread_mutex_lock(&job->lock);
        done = job->done;
        pthread_mutex_unlock(&job->lock);
        if (done) break;
        sleep_seconds(0.02);
    }
    if (!done) {
        t_fail(__FILE__, __LINE__, "a wait in another thread did not end within 10 s of vg_task_free");
        pthread_detach(waiter);
        job = NULL; /* still in use by the waiter */
        goto done;
    }
    pthread_join(waiter, NULL);
    CHECKF(job->code == VG_E_CANCELLED, "the wait ended with %s, expected VG_E_CANCELLED", vg_code_str(job->code));
    CHECKF(job->returned_at - freed_at < 5, "the wait ended %.2f s after vg_task_free", job->returned_at - freed_at);
    CHECK(strcmp(vg_task_id(job->task), "") == 0);
done:
    free(job);
    vg_client_free(client);
}

/* ---- Callbacks that stop. ---- */

void progress_callback_abort(void)
{
    vg_client *client = make_client("unified", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    struct progress_log log;
    double start;
    REQUIRE(client != NULL);
    task = submit_model(client, "sora-2");
    REQUIRE(task != NULL);
    progress_log_init(&log, task);
    log.abort_at_call = 1;
    start = now_seconds();
    CHECK_CODE_E(vg_task_wait(task, WAIT_LIMIT, record_progress, &log, &error), VG_E_ABORTED_BY_CALLBACK, error);
    CHECK(vg_error_code(error) == VG_E_ABORTED_BY_CALLBACK);
    CHECKF(log.calls == 1, "the callback was called %d times; it asked to stop at the first", log.calls);
    CHECKF(now_seconds() - start < 5, "the wait took %.1f s to stop", now_seconds() - start);
    vg_error_free(error);
    error = NULL;
    /* Stopping a wait is not cancelling the task: it can be waited on again. */
    REQUIRE(WAIT_SUCCESS(task));
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

void download_callback_abort(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    struct bytes_log log;
    char path[512], part[600], note[700];
    char *json = NULL;
    REQUIRE(client != NULL);
    task = submit_model(client, "sora-2");
    REQUIRE(task != NULL);
    REQUIRE(WAIT_SUCCESS(task));
    work_path(path, sizeof path, "aborted.mp4");
    snprintf(part, sizeof part, "%s.part", path);
    snprintf(note, sizeof note, "%s.part.resume", path);
    remove_download(path);
    bytes_log_init(&log, task);
    log.abort_at_call = 1;
    CHECK_CODE_E(vg_task_download(task, path, record_bytes, &log, &error), VG_E_ABORTED_BY_CALLBACK, error);
    CHECK(vg_error_code(error) == VG_E_ABORTED_BY_CALLBACK);
    CHECKF(log.calls == 1, "the byte callback was called %d times; it asked to stop at the first", log.calls);
    CHECKF(!file_exists(path), "%s exists after an aborted download", path);
    /* Bytes that arrived before the stop stay in the part file, with the note the next download continues from. */
    CHECKF(!file_exists(part) || file_exists(note), "%s was kept without its note after an aborted download", part);
    vg_error_free(error);
    error = NULL;
    /* The snapshot records no download that did not happen (its file is gone). */
    if (vg_task_snapshot_json(task, &json) == VG_OK) {
        char value[128];
        CHECKF(!json_string_member(json, "sha256", value, sizeof value),
               "the snapshot records a download after the download was aborted: %s", json);
        vg_string_free(json);
    }
    /* Stopping at the call that reports all bytes received still leaves no destination file, even when the callback
       takes a while (so that the transfer has finished before it returns). */
    bytes_log_init(&log, task);
    log.abort_when_complete = 1;
    log.abort_delay = 0.3;
    CHECK_CODE_E(vg_task_download(task, path, record_bytes, &log, &error), VG_E_ABORTED_BY_CALLBACK, error);
    if (getenv("VG_TEST_VERBOSE") != NULL)
        fprintf(stderr, "# abort at the last call: %d calls, last %llu of %lld, file %s\n", log.calls,
                (unsigned long long)log.last_received, (long long)log.last_total, file_exists(path) ? "left" : "gone");
    CHECKF(!file_exists(path), "%s exists after a download aborted at its last callback", path);
    CHECKF(!file_exists(part) || file_exists(note), "%s was kept without its note after a download aborted at its last callback",
           part);
    vg_error_free(error);
    error = NULL;
    if (vg_task_snapshot_json(task, &json) == VG_OK) {
        char value[128];
        CHECKF(!json_string_member(json, "sha256", value, sizeof value),
               "the snapshot records a download after the download was aborted at its last callback: %s", json);
        vg_string_free(json);
    }
    /* The task can still be downloaded. */
    REQUIRE(DOWNLOAD_CHECKED(task, path));
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

/* ---- Lifetimes and threads. ---- */

void client_free_keeps_tasks(void)
{
    vg_client *client = make_client("unified", g_base_url, NULL);
    vg_task *task = NULL;
    char path[512];
    REQUIRE(client != NULL);
    task = submit_model(client, "sora-2");
    REQUIRE(task != NULL);
    vg_client_free(client);
    REQUIRE(WAIT_SUCCESS(task));
    work_path(path, sizeof path, "orphan.mp4");
    remove_download(path);
    REQUIRE(DOWNLOAD_CHECKED(task, path));
done:
    vg_task_free(task);
    vg_client_free(client);
}

#define THREADS 8

struct worker {
    vg_client *client;
    int index;
    int ok;
    char id[128];
};

static void *worker_run(void *p)
{
    struct worker *w = p;
    vg_task *task = submit_model(w->client, "sora-2");
    char path[512], name[64];
    if (task == NULL) return NULL;
    snprintf(w->id, sizeof w->id, "%s", vg_task_id(task));
    snprintf(name, sizeof name, "thread-%d.mp4", w->index);
    work_path(path, sizeof path, name);
    remove_download(path);
    if (WAIT_SUCCESS(task) && vg_task_state(task) == VG_STATE_SUCCEEDED && DOWNLOAD_CHECKED(task, path)) w->ok = 1;
    vg_task_free(task);
    return NULL;
}

void many_threads(void)
{
    size_t d;
    for (d = 0; d < 2; d++) {
        vg_client *client = make_client(d == 0 ? "openai" : "unified", g_base_url, NULL);
        struct worker workers[THREADS];
        pthread_t threads[THREADS];
        int started[THREADS];
        int i, j;
        if (client == NULL) continue;
        for (i = 0; i < THREADS; i++) {
            memset(&workers[i], 0, sizeof workers[i]);
            workers[i].client = client;
            workers[i].index = (int)d * THREADS + i;
            started[i] = pthread_create(&threads[i], NULL, worker_run, &workers[i]) == 0;
            CHECKF(started[i], "pthread_create %d failed", i);
        }
        for (i = 0; i < THREADS; i++) {
            if (started[i]) pthread_join(threads[i], NULL);
            CHECKF(workers[i].ok, "%s: thread %d did not complete its job", d == 0 ? "openai" : "unified", i);
            for (j = 0; j < i; j++) {
                if (workers[i].id[0] && strcmp(workers[i].id, workers[j].id) == 0)
                    t_fail(__FILE__, __LINE__, "threads %d and %d got the same task id %s", j, i, workers[i].id);
            }
        }
        vg_client_free(client);
    }
}
