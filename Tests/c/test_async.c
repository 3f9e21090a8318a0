/*
 * test_async.c: the asynchronous operations and event dispatch (vg_*_async, vg_client_event_fd,
 * vg_client_dispatch) against the emulator.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define MANY 200

/* What the dispatch callback saw, per task. */
struct task_log {
    vg_task *task;
    int updates;
    int transfers;
    int done;
    vg_code done_code;
    int last_progress;
    int progress_went_back;
    int event_after_done;
    uint64_t last_received;
};

struct run {
    struct task_log logs[MANY];
    int count;
    int done_total;
    pthread_t dispatcher;
    int wrong_thread;
    int stop_on_update;  /* return non-zero from the first UPDATE */
    char provider_code[64];
};

static struct task_log *find_log(struct run *run, vg_task *task)
{
    int i;
    for (i = 0; i < run->count; i++)
        if (run->logs[i].task == task) return &run->logs[i];
    return NULL;
}

static int on_event(vg_task *task, vg_event_kind kind, vg_code code, const vg_error *error, void *user_data)
{
    struct run *run = user_data;
    struct task_log *log = find_log(run, task);
    if (!pthread_equal(pthread_self(), run->dispatcher)) run->wrong_thread = 1;
    if (!log) return 0;
    if (log->done) log->event_after_done = 1;
    switch (kind) {
    case VG_EVENT_UPDATE: {
        int progress = vg_task_progress(task);
        log->updates++;
        if (progress >= 0 && progress < log->last_progress) log->progress_went_back = 1;
        if (progress >= 0) log->last_progress = progress;
        return run->stop_on_update;
    }
    case VG_EVENT_TRANSFER:
        log->transfers++;
        log->last_received = vg_task_bytes_received(task);
        return 0;
    case VG_EVENT_DONE:
        log->done++;
        log->done_code = code;
        run->done_total++;
        if (error && vg_error_provider_code(error))
            snprintf(run->provider_code, sizeof run->provider_code, "%s", vg_error_provider_code(error));
        return 0;
    }
    return 0;
}

/* Dispatches until `target` DONE events arrived or `limit` seconds passed, waiting on the event fd with poll(). */
static void pump(vg_client *client, struct run *run, int target, double limit)
{
    int fd = -1;
    double end = now_seconds() + limit;
    run->dispatcher = pthread_self();
    CHECK_CODE(vg_client_event_fd(client, &fd), VG_OK);
    while (run->done_total < target && now_seconds() < end) {
        struct pollfd entry;
        size_t dispatched = 0;
        entry.fd = fd;
        entry.events = POLLIN;
        entry.revents = 0;
        poll(&entry, 1, 200);
        CHECK_CODE(vg_client_dispatch(client, 0, on_event, run, &dispatched), VG_OK);
    }
}

static void submit_wait_many(const char *dialect)
{
    static struct run run;
    vg_client *client = make_client(dialect, g_base_url, NULL);
    int i, submitted_ok = 0, succeeded = 0;
    memset(&run, 0, sizeof run);
    REQUIRE(client != NULL);
    for (i = 0; i < MANY; i++) {
        vg_error *error = NULL;
        vg_task *task = NULL;
        CHECK_CODE_E(vg_client_submit_async(client, "{\"model\": \"sora-2\", \"prompt\": \"many\"}", &task, &error),
                     VG_OK, error);
        vg_error_free(error);
        if (!task) continue;
        CHECK(vg_task_state(task) == VG_STATE_QUEUED);
        CHECK_STR_EQ(vg_task_id(task), "");
        run.logs[run.count++].task = task;
    }
    pump(client, &run, run.count, 60);
    for (i = 0; i < run.count; i++) {
        vg_error *error = NULL;
        if (run.logs[i].done_code == VG_OK && vg_task_id(run.logs[i].task)[0] != '\0') submitted_ok++;
        run.logs[i].done = 0;
        /* A second operation before the first one's DONE was dispatched would be VG_E_BUSY; now it starts. */
        CHECK_CODE_E(vg_task_wait_async(run.logs[i].task, 60, &error), VG_OK, error);
        vg_error_free(error);
    }
    CHECKF(submitted_ok == run.count, "%d of %d async submits succeeded", submitted_ok, run.count);
    run.done_total = 0;
    pump(client, &run, run.count, 90);
    for (i = 0; i < run.count; i++) {
        struct task_log *log = &run.logs[i];
        if (log->done == 1 && log->done_code == VG_OK && vg_task_state(log->task) == VG_STATE_SUCCEEDED) succeeded++;
        CHECK(!log->progress_went_back);
        CHECK(!log->event_after_done);
        CHECK(log->updates >= 1);
    }
    CHECKF(succeeded == run.count, "%d of %d async waits succeeded", succeeded, run.count);
    CHECK(!run.wrong_thread);
done:
    for (i = 0; i < run.count; i++) vg_task_free(run.logs[i].task);
    vg_client_free(client);
}

void async_many_openai(void) { submit_wait_many("openai"); }
void async_many_unified(void) { submit_wait_many("unified"); }

void async_download(void)
{
    static struct run run;
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    char path[512];
    memset(&run, 0, sizeof run);
    REQUIRE(client != NULL);
    task = submit_model(client, "sora-2");
    REQUIRE(task != NULL);
    run.logs[run.count++].task = task;
    work_path(path, sizeof path, "async.mp4");
    remove_download(path);
    CHECK_CODE_E(vg_task_download_async(task, path, &error), VG_E_NOT_READY, error);
    vg_error_free(error);
    error = NULL;
    REQUIRE_CODE_E(vg_task_wait_async(task, 30, &error), VG_OK, error);
    CHECK_CODE_E(vg_task_wait_async(task, 30, &error), VG_E_BUSY, error);
    vg_error_free(error);
    error = NULL;
    CHECK_CODE_E(vg_task_poll(task, &error), VG_E_BUSY, error);
    vg_error_free(error);
    error = NULL;
    pump(client, &run, 1, 30);
    REQUIRE(run.logs[0].done_code == VG_OK);
    run.logs[0].done = 0;
    run.done_total = 0;
    REQUIRE_CODE_E(vg_task_download_async(task, path, &error), VG_OK, error);
    pump(client, &run, 1, 30);
    CHECK(run.logs[0].done_code == VG_OK);
    CHECK(run.logs[0].transfers >= 1);
    CHECK(vg_task_bytes_received(task) == (uint64_t)file_size(g_asset_path));
    CHECK(vg_task_bytes_total(task) == (int64_t)file_size(g_asset_path));
    CHECK(files_equal(path, g_asset_path));
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

void async_failure_and_abort(void)
{
    static struct run run;
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *failing = NULL, *stopped = NULL;
    vg_error *error = NULL;
    memset(&run, 0, sizeof run);
    REQUIRE(client != NULL);
    failing = submit_model(client, "emu-fail");
    REQUIRE(failing != NULL);
    run.logs[run.count++].task = failing;
    REQUIRE_CODE_E(vg_task_wait_async(failing, 30, &error), VG_OK, error);
    pump(client, &run, 1, 30);
    CHECKF(run.logs[0].done_code == VG_E_CONTENT_POLICY || run.logs[0].done_code == VG_E_TASK_FAILED,
           "DONE code %s", vg_code_str(run.logs[0].done_code));
    CHECK_STR_EQ(run.provider_code, "content_policy_violation");
    CHECK(vg_task_state(failing) == VG_STATE_FAILED);

    stopped = submit_model(client, "emu-stuck");
    REQUIRE(stopped != NULL);
    run.logs[run.count++].task = stopped;
    run.stop_on_update = 1;
    run.done_total = 0;
    REQUIRE_CODE_E(vg_task_wait_async(stopped, 30, &error), VG_OK, error);
    pump(client, &run, 1, 30);
    CHECK(run.logs[1].done == 1);
    CHECKF(run.logs[1].done_code == VG_E_ABORTED_BY_CALLBACK, "DONE code %s", vg_code_str(run.logs[1].done_code));
done:
    vg_error_free(error);
    vg_task_free(failing);
    vg_task_free(stopped);
    vg_client_free(client);
}

void async_cancel(void)
{
    static struct run run;
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    double start;
    memset(&run, 0, sizeof run);
    REQUIRE(client != NULL);
    task = submit_model(client, "emu-stuck");
    REQUIRE(task != NULL);
    run.logs[run.count++].task = task;
    REQUIRE_CODE_E(vg_task_wait_async(task, 60, &error), VG_OK, error);
    sleep_seconds(0.3);
    start = now_seconds();
    CHECK_CODE(vg_task_cancel(task, VG_CANCEL_LOCAL, NULL), VG_OK);
    pump(client, &run, 1, 10);
    CHECKF(now_seconds() - start < 5, "the DONE event came %.2f s after cancel", now_seconds() - start);
    CHECK(run.logs[0].done == 1);
    CHECKF(run.logs[0].done_code == VG_E_CANCELLED, "DONE code %s", vg_code_str(run.logs[0].done_code));
    CHECK_CODE_E(vg_task_wait_async(task, 1, &error), VG_E_CANCELLED, error);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

void async_argument_checks(void)
{
    vg_client *client = make_client("openai", "http://127.0.0.1:1", NULL);
    vg_task *task = (vg_task *)0x1;
    vg_error *error = NULL;
    size_t dispatched = 7;
    int fd = -1;
    REQUIRE(client != NULL);
    CHECK_CODE(vg_client_submit_async(NULL, "{}", &task, NULL), VG_E_INVALID_HANDLE);
    CHECK(task == NULL);
    CHECK_CODE(vg_client_submit_async(client, NULL, &task, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_client_submit_async(client, "{\"model\": \"m\"}", NULL, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE_E(vg_client_submit_async(client, "{\"model\": \"m\", \"prompt\": \"p\", \"seed\": 1}", &task, &error),
                 VG_E_UNSUPPORTED, error);
    CHECK(task == NULL);
    vg_error_free(error);
    CHECK_CODE(vg_task_wait_async(NULL, 1, NULL), VG_E_INVALID_HANDLE);
    CHECK_CODE(vg_task_download_async(NULL, "x", NULL), VG_E_INVALID_HANDLE);
    CHECK_CODE(vg_client_event_fd(NULL, &fd), VG_E_INVALID_HANDLE);
    CHECK_CODE(vg_client_event_fd(client, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_client_dispatch(client, 0, NULL, NULL, &dispatched), VG_E_INVALID_ARGUMENT);
    CHECK(dispatched == 0);
    CHECK_CODE(vg_client_dispatch(NULL, 0, on_event, NULL, NULL), VG_E_INVALID_HANDLE);
    CHECK_CODE(vg_client_dispatch(client, 0.05, on_event, NULL, &dispatched), VG_OK);
    CHECK(dispatched == 0);
    CHECK(vg_task_bytes_received(NULL) == 0);
    CHECK(vg_task_bytes_total(NULL) == -1);
    /* An async submit that fails on the network reports through DONE and leaves a FAILED task. */
    {
        static struct run run;
        memset(&run, 0, sizeof run);
        REQUIRE_CODE_E(vg_client_submit_async(client, "{\"model\": \"m\", \"prompt\": \"p\"}", &task, &error), VG_OK, error);
        run.logs[run.count++].task = task;
        pump(client, &run, 1, 30);
        CHECKF(run.logs[0].done_code == VG_E_NETWORK, "DONE code %s", vg_code_str(run.logs[0].done_code));
        CHECK(vg_task_state(task) == VG_STATE_FAILED);
        CHECK(vg_task_error_code(task) == VG_E_NETWORK);
        vg_task_free(task);
    }
done:
    vg_client_free(client);
}

/* vg_client_free while an asynchronous wait runs: nobody can dispatch its DONE any more, so the library drops it when
 * it comes and ends the operation: the task (still usable) is busy only until the wait's own deadline, not forever. */
void async_client_freed_first(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    vg_code code = VG_E_BUSY;
    int tries;
    REQUIRE(client != NULL);
    task = submit_model(client, "emu-stuck");
    REQUIRE(task != NULL);
    REQUIRE_CODE_E(vg_task_wait_async(task, 1, &error), VG_OK, error);
    vg_client_free(client);
    client = NULL;
    CHECK_CODE(vg_task_poll(task, NULL), VG_E_BUSY);  /* the wait is still running (1 s deadline) */
    /* Its DONE, due at the deadline, is dropped and ends it; then the task takes a new operation. */
    for (tries = 0; tries < 300 && code == VG_E_BUSY; tries++) {
        sleep_seconds(0.1);
        code = vg_task_poll(task, NULL);
    }
    CHECKF(code == VG_OK, "vg_task_poll returned %s after the client was freed", vg_code_str(code));
    CHECK(vg_task_state(task) == VG_STATE_QUEUED || vg_task_state(task) == VG_STATE_RUNNING);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}
