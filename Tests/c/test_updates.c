/*
 * test_updates.c: the update callbacks (vg_update, vg_update_fn) and the *_v2 calls against the emulator: every
 * update carries the values it changed, the same values the getters show at that moment; blocking calls report one
 * DONE last; asynchronous ones through vg_client_dispatch_v2; argument checks.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* What an update callback saw. */
struct seen {
    vg_task *task;
    pthread_t thread;
    int wrong_thread;
    int updates;
    int transfers;
    int done;
    int after_done;            /* a callback came after DONE */
    int mismatches;            /* an update's values differed from the getters' */
    char mismatch[256];
    int bad_size;
    int json_wrong;            /* snapshot_json NULL on UPDATE/DONE, or set on TRANSFER */
    int progress_went_back;
    int last_progress;
    vg_state first_state;
    vg_state last_state;
    uint64_t last_received;
    int64_t last_total;
    int transfer_total_known;
    vg_code done_code;
    int done_had_error;
    char done_provider_code[64];
    int task_error_seen;
    vg_code task_error_code;
    char task_error_message[256];
    char done_json[4096];
    char done_id[128];
    int stop_on_update;        /* return non-zero from the first UPDATE */
    int stop_on_transfer;      /* return non-zero from the first TRANSFER */
    int cancel_on_update;      /* call vg_task_cancel from the first UPDATE (in-callback cancel) */
    int stop_answer_given;
    int running;               /* 1 while a callback runs (for the cancel test); under calls_lock */
    int calls;                 /* callbacks so far; under calls_lock */
};

/* Guards `running` and `calls`, which the cancel test reads from another thread. */
static pthread_mutex_t calls_lock = PTHREAD_MUTEX_INITIALIZER;

static void set_running(struct seen *seen, int running)
{
    pthread_mutex_lock(&calls_lock);
    seen->running = running;
    if (running) seen->calls++;
    pthread_mutex_unlock(&calls_lock);
}

/* Reads `calls` (and `running`, into *running when not NULL) from any thread. */
static int calls_so_far(struct seen *seen, int *running)
{
    int calls;
    pthread_mutex_lock(&calls_lock);
    calls = seen->calls;
    if (running) *running = seen->running;
    pthread_mutex_unlock(&calls_lock);
    return calls;
}

static void mismatch(struct seen *seen, const char *what, long long got, long long want)
{
    if (seen->mismatches++ == 0)
        snprintf(seen->mismatch, sizeof seen->mismatch, "%s: update says %lld, getter says %lld", what, got, want);
}

static int on_update(vg_task *task, const vg_update *update, void *user_data)
{
    struct seen *seen = user_data;
    int answer = 0;
    set_running(seen, 1);
    if (!pthread_equal(pthread_self(), seen->thread)) seen->wrong_thread = 1;
    if (seen->task && task != seen->task) mismatch(seen, "task handle", 0, 1);
    if (update == NULL) {
        seen->bad_size = 1;
        set_running(seen, 0);
        return 1;
    }
    if (update->size < offsetof(vg_update, snapshot_json) + sizeof update->snapshot_json) seen->bad_size = 1;
    if (seen->done) seen->after_done = 1;
    /* The values are the ones the task shows now: the getters agree with the update. */
    if (update->state != vg_task_state(task)) mismatch(seen, "state", update->state, vg_task_state(task));
    if (update->progress != vg_task_progress(task)) mismatch(seen, "progress", update->progress, vg_task_progress(task));
    if (update->queue_position != vg_task_queue_position(task))
        mismatch(seen, "queue_position", update->queue_position, vg_task_queue_position(task));
    if (update->bytes_received != vg_task_bytes_received(task))
        mismatch(seen, "bytes_received", (long long)update->bytes_received, (long long)vg_task_bytes_received(task));
    if (update->bytes_total != vg_task_bytes_total(task))
        mismatch(seen, "bytes_total", (long long)update->bytes_total, (long long)vg_task_bytes_total(task));
    if ((update->task_error != NULL) != (vg_task_error_code(task) != VG_OK))
        mismatch(seen, "task_error present", update->task_error != NULL, vg_task_error_code(task) != VG_OK);
    if (update->task_error) {
        seen->task_error_seen = 1;
        seen->task_error_code = vg_error_code(update->task_error);
        snprintf(seen->task_error_message, sizeof seen->task_error_message, "%s", vg_error_message(update->task_error));
        if (seen->task_error_code != vg_task_error_code(task))
            mismatch(seen, "task_error code", seen->task_error_code, vg_task_error_code(task));
    }
    if ((update->kind == VG_EVENT_TRANSFER) != (update->snapshot_json == NULL)) seen->json_wrong = 1;
    if (update->snapshot_json) {
        char id[128];
        if (!json_string_member(update->snapshot_json, "id", id, sizeof id) || strcmp(id, vg_task_id(task)) != 0)
            seen->json_wrong = 1;
    }
    switch (update->kind) {
    case VG_EVENT_UPDATE:
        if (update->code != VG_OK || update->error != NULL) mismatch(seen, "UPDATE code", update->code, VG_OK);
        if (seen->updates++ == 0) seen->first_state = update->state;
        seen->last_state = update->state;
        if (update->progress >= 0 && update->progress < seen->last_progress) seen->progress_went_back = 1;
        if (update->progress >= 0) seen->last_progress = update->progress;
        if (seen->cancel_on_update && seen->updates == 1) vg_task_cancel(task, VG_CANCEL_LOCAL, NULL);
        answer = seen->stop_on_update;
        break;
    case VG_EVENT_TRANSFER:
        if (update->code != VG_OK || update->error != NULL) mismatch(seen, "TRANSFER code", update->code, VG_OK);
        seen->transfers++;
        if (update->bytes_received < seen->last_received) seen->progress_went_back = 1;
        seen->last_received = update->bytes_received;
        seen->last_total = update->bytes_total;
        if (update->bytes_total >= 0) seen->transfer_total_known = 1;
        answer = seen->stop_on_transfer;
        break;
    case VG_EVENT_DONE:
        seen->done++;
        seen->done_code = update->code;
        seen->last_state = update->state;
        seen->done_had_error = update->error != NULL;
        if ((update->code == VG_OK) != (update->error == NULL)) mismatch(seen, "DONE error present", 0, 1);
        if (update->error && vg_error_code(update->error) != update->code)
            mismatch(seen, "DONE error code", vg_error_code(update->error), update->code);
        if (update->error && vg_error_provider_code(update->error))
            snprintf(seen->done_provider_code, sizeof seen->done_provider_code, "%s",
                     vg_error_provider_code(update->error));
        if (update->snapshot_json) {
            snprintf(seen->done_json, sizeof seen->done_json, "%s", update->snapshot_json);
            json_string_member(update->snapshot_json, "id", seen->done_id, sizeof seen->done_id);
        }
        break;
    }
    if (answer) seen->stop_answer_given = 1;
    set_running(seen, 0);
    return answer;
}

static void seen_init(struct seen *seen, vg_task *task)
{
    memset(seen, 0, sizeof *seen);
    seen->task = task;
    seen->thread = pthread_self();
    seen->last_total = -2;
}

#define CHECK_SEEN_CLEAN(s)                                                                                           \
    do {                                                                                                              \
        CHECK(!(s).wrong_thread);                                                                                     \
        CHECK(!(s).bad_size);                                                                                         \
        CHECK(!(s).json_wrong);                                                                                       \
        CHECK(!(s).after_done);                                                                                       \
        CHECK(!(s).progress_went_back);                                                                               \
        CHECKF((s).mismatches == 0, "%d mismatches, first: %s", (s).mismatches, (s).mismatch);                        \
    } while (0)

/* A blocking wait reports UPDATEs with the values, then one DONE carrying the final snapshot. */
void updates_wait_v2(void)
{
    static struct seen seen;
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    REQUIRE(client != NULL);
    task = submit_model(client, "sora-2");
    REQUIRE(task != NULL);
    seen_init(&seen, task);
    REQUIRE_CODE_E(vg_task_wait_v2(task, 30, on_update, &seen, &error), VG_OK, error);
    CHECK_SEEN_CLEAN(seen);
    CHECK(seen.updates >= 2);                      /* the start, and at least the end */
    CHECK(seen.last_progress == 100);
    CHECK(seen.done == 1);
    CHECK(seen.done_code == VG_OK);
    CHECK(!seen.done_had_error);
    CHECK(seen.last_state == VG_STATE_SUCCEEDED);
    CHECK_CONTAINS(seen.done_json, "\"succeeded\"");
    CHECK_STR_EQ(seen.done_id, vg_task_id(task));
    CHECK(seen.transfers == 0);
    /* A poll reports its result the same way: one DONE with the snapshot. */
    seen_init(&seen, task);
    REQUIRE_CODE_E(vg_task_poll_v2(task, on_update, &seen, &error), VG_OK, error);
    CHECK_SEEN_CLEAN(seen);
    CHECK(seen.done == 1 && seen.updates == 0 && seen.calls == 1);
    CHECK(seen.last_state == VG_STATE_SUCCEEDED);
    /* NULL callbacks are allowed: the calls are then exactly vg_task_poll and vg_task_wait. */
    CHECK_CODE_E(vg_task_poll_v2(task, NULL, NULL, &error), VG_OK, error);
    CHECK_CODE_E(vg_task_wait_v2(task, 30, NULL, NULL, &error), VG_OK, error);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

/* A blocking download reports TRANSFERs (no snapshot), the last with received == total, then DONE with the record. */
void updates_download_v2(void)
{
    static struct seen seen;
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    char path[512];
    long size = g_asset_path ? file_size(g_asset_path) : -1;
    REQUIRE(client != NULL);
    REQUIRE(size > 0);
    task = submit_model(client, "sora-2");
    REQUIRE(task != NULL);
    REQUIRE_CODE_E(vg_task_wait(task, 30, NULL, NULL, &error), VG_OK, error);
    work_path(path, sizeof path, "updates-v2.mp4");
    remove_download(path);
    seen_init(&seen, task);
    REQUIRE_CODE_E(vg_task_download_v2(task, NULL, path, on_update, &seen, &error), VG_OK, error);
    CHECK_SEEN_CLEAN(seen);
    CHECK(seen.transfers >= 1);
    CHECK(seen.updates == 0);
    CHECK(seen.last_received == (uint64_t)size);
    CHECK(seen.last_total == (int64_t)size);
    CHECK(seen.done == 1 && seen.done_code == VG_OK);
    CHECK_CONTAINS(seen.done_json, "\"sha256\"");
    CHECK_CONTAINS(seen.done_json, "updates-v2.mp4");
    CHECK(files_equal(path, g_asset_path));
    /* A callback that stops the download: aborted, the destination not written, DONE still reported once. */
    remove_download(path);
    work_path(path, sizeof path, "updates-v2-stopped.mp4");
    remove_download(path);
    seen_init(&seen, task);
    seen.stop_on_transfer = 1;
    CHECK_CODE_E(vg_task_download_v2(task, "video", path, on_update, &seen, &error), VG_E_ABORTED_BY_CALLBACK, error);
    vg_error_free(error);
    error = NULL;
    CHECK(!file_exists(path));
    CHECK(seen.transfers == 1);
    CHECK(seen.done == 1 && seen.done_code == VG_E_ABORTED_BY_CALLBACK && seen.done_had_error);
    CHECK_NOT_CONTAINS(seen.done_json, "stopped");  /* the snapshot records no download whose file is gone */
    remove_download(path);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

/* A task that fails: its error travels in every update (task_error), and the DONE carries the wait's error. */
void updates_failed_task(void)
{
    static struct seen seen;
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    REQUIRE(client != NULL);
    task = submit_model(client, "emu-fail");
    REQUIRE(task != NULL);
    seen_init(&seen, task);
    vg_code code = vg_task_wait_v2(task, 30, on_update, &seen, &error);
    CHECKF(code == VG_E_CONTENT_POLICY || code == VG_E_TASK_FAILED, "wait returned %s", vg_code_str(code));
    CHECK_SEEN_CLEAN(seen);
    CHECK(seen.done == 1 && seen.done_code == code && seen.done_had_error);
    CHECK_STR_EQ(seen.done_provider_code, "content_policy_violation");
    CHECK(seen.task_error_seen);
    CHECK(seen.task_error_code == vg_task_error_code(task));
    CHECK_STR_EQ(seen.task_error_message, vg_task_error_message(task) ? vg_task_error_message(task) : "(NULL)");
    CHECK(seen.last_state == VG_STATE_FAILED);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

/* A callback that stops a wait: aborted; a callback that cancels from inside: cancelled, and no DONE callback. */
void updates_stop_and_cancel_v2(void)
{
    static struct seen seen;
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    REQUIRE(client != NULL);
    task = submit_model(client, "emu-stuck");
    REQUIRE(task != NULL);
    seen_init(&seen, task);
    seen.stop_on_update = 1;
    CHECK_CODE_E(vg_task_wait_v2(task, 30, on_update, &seen, &error), VG_E_ABORTED_BY_CALLBACK, error);
    vg_error_free(error);
    error = NULL;
    CHECK(seen.updates == 1);
    CHECK(seen.done == 1 && seen.done_code == VG_E_ABORTED_BY_CALLBACK);
    seen_init(&seen, task);
    seen.cancel_on_update = 1;
    CHECK_CODE_E(vg_task_wait_v2(task, 30, on_update, &seen, &error), VG_E_CANCELLED, error);
    vg_error_free(error);
    error = NULL;
    CHECK(seen.updates == 1);
    CHECK(seen.done == 0);  /* a blocking call's DONE is a callback too: none once vg_task_cancel returned */
    CHECK_CODE_E(vg_task_poll_v2(task, on_update, &seen, &error), VG_E_CANCELLED, error);
    CHECK(seen.calls == 1);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

struct waiter {
    vg_task *task;
    struct seen *seen;
    vg_code code;
};

static void *wait_thread(void *arg)
{
    struct waiter *waiter = arg;
    waiter->seen->thread = pthread_self();
    waiter->code = vg_task_wait_v2(waiter->task, 60, on_update, waiter->seen, NULL);
    return NULL;
}

/* vg_task_cancel from another thread: once it returned, no callback runs, and the wait returns VG_E_CANCELLED. */
void updates_cancel_from_thread_v2(void)
{
    static struct seen seen;
    static struct waiter waiter;
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    pthread_t thread;
    int started = 0, i, calls_at_cancel, running = 1;
    REQUIRE(client != NULL);
    task = submit_model(client, "emu-stuck");
    REQUIRE(task != NULL);
    seen_init(&seen, task);
    waiter.task = task;
    waiter.seen = &seen;
    REQUIRE(pthread_create(&thread, NULL, wait_thread, &waiter) == 0);
    started = 1;
    for (i = 0; i < 200 && calls_so_far(&seen, NULL) == 0; i++) sleep_seconds(0.05);
    REQUIRE(calls_so_far(&seen, NULL) >= 1);  /* the wait reported its start */
    CHECK_CODE(vg_task_cancel(task, VG_CANCEL_LOCAL, NULL), VG_OK);
    calls_at_cancel = calls_so_far(&seen, &running);
    CHECK(!running);  /* vg_task_cancel waited for a callback running on the other thread */
    pthread_join(thread, NULL);
    started = 0;
    CHECK(calls_so_far(&seen, NULL) == calls_at_cancel);
    CHECK(seen.done == 0);
    CHECKF(waiter.code == VG_E_CANCELLED, "wait returned %s", vg_code_str(waiter.code));
done:
    if (started) pthread_join(thread, NULL);
    vg_task_free(task);
    vg_client_free(client);
}

/* Dispatches with vg_client_dispatch_v2 until `target` DONE updates arrived or `limit` seconds passed. */
static void pump_v2(vg_client *client, struct seen *seen, int target, double limit)
{
    double end = now_seconds() + limit;
    seen->thread = pthread_self();
    while (seen->done < target && now_seconds() < end) {
        size_t dispatched = 0;
        CHECK_CODE(vg_client_dispatch_v2(client, 0.2, on_update, seen, &dispatched), VG_OK);
    }
}

/* The asynchronous calls through vg_client_dispatch_v2: the submit's DONE carries the id, the wait's UPDATEs the
 * values, the download's TRANSFERs the bytes; after vg_task_cancel only the DONE comes. */
void updates_dispatch_v2(void)
{
    static struct seen seen;
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL, *stuck = NULL;
    vg_error *error = NULL;
    char path[512];
    REQUIRE(client != NULL);
    REQUIRE_CODE_E(vg_client_submit_async(client, "{\"model\": \"sora-2\", \"prompt\": \"v2\"}", &task, &error),
                   VG_OK, error);
    seen_init(&seen, task);
    pump_v2(client, &seen, 1, 30);
    REQUIRE(seen.done == 1);
    CHECK(seen.done_code == VG_OK);
    CHECK(seen.done_id[0] != '\0');
    CHECK_STR_EQ(seen.done_id, vg_task_id(task));
    CHECK_SEEN_CLEAN(seen);

    seen_init(&seen, task);
    REQUIRE_CODE_E(vg_task_wait_async(task, 30, &error), VG_OK, error);
    pump_v2(client, &seen, 1, 30);
    CHECK_SEEN_CLEAN(seen);
    CHECK(seen.updates >= 2);
    CHECK(seen.done == 1 && seen.done_code == VG_OK && seen.last_state == VG_STATE_SUCCEEDED);

    work_path(path, sizeof path, "updates-async.mp4");
    remove_download(path);
    seen_init(&seen, task);
    REQUIRE_CODE_E(vg_task_download_async(task, path, &error), VG_OK, error);
    pump_v2(client, &seen, 1, 30);
    CHECK_SEEN_CLEAN(seen);
    CHECK(seen.transfers >= 1);
    CHECK(g_asset_path && seen.last_received == (uint64_t)file_size(g_asset_path));
    CHECK(seen.done == 1 && seen.done_code == VG_OK);
    CHECK_CONTAINS(seen.done_json, "\"sha256\"");
    CHECK(g_asset_path && files_equal(path, g_asset_path));
    remove_download(path);

    stuck = submit_model(client, "emu-stuck");
    REQUIRE(stuck != NULL);
    seen_init(&seen, stuck);
    REQUIRE_CODE_E(vg_task_wait_async(stuck, 60, &error), VG_OK, error);
    pump_v2(client, &seen, 1, 0.5);  /* the start's UPDATE, at least */
    CHECK_CODE(vg_task_cancel(stuck, VG_CANCEL_LOCAL, NULL), VG_OK);
    seen.updates = 0;
    seen.transfers = 0;
    pump_v2(client, &seen, 1, 10);
    CHECK(seen.updates == 0 && seen.transfers == 0);
    CHECK(seen.done == 1);
    CHECKF(seen.done_code == VG_E_CANCELLED, "DONE code %s", vg_code_str(seen.done_code));
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_task_free(stuck);
    vg_client_free(client);
}

/* Every argument of the *_v2 calls is checked. */
void updates_argument_checks(void)
{
    static struct seen seen;
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL, *freed = NULL;
    vg_error *error = NULL;
    size_t dispatched = 7;
    char path[512];
    REQUIRE(client != NULL);
    seen_init(&seen, NULL);
    CHECK_CODE(vg_task_poll_v2(NULL, on_update, &seen, NULL), VG_E_INVALID_HANDLE);
    CHECK_CODE(vg_task_wait_v2(NULL, 1, on_update, &seen, NULL), VG_E_INVALID_HANDLE);
    CHECK_CODE(vg_task_download_v2(NULL, NULL, "x", on_update, &seen, NULL), VG_E_INVALID_HANDLE);
    CHECK_CODE(vg_task_wait_v2((vg_task *)client, 1, on_update, &seen, NULL), VG_E_INVALID_HANDLE);
    CHECK_CODE(vg_client_dispatch_v2(NULL, 0, on_update, &seen, &dispatched), VG_E_INVALID_HANDLE);
    CHECK(dispatched == 0);
    dispatched = 7;
    CHECK_CODE(vg_client_dispatch_v2(client, 0, NULL, NULL, &dispatched), VG_E_INVALID_ARGUMENT);
    CHECK(dispatched == 0);
    CHECK_CODE(vg_client_dispatch_v2(client, NAN, on_update, &seen, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_client_dispatch_v2(client, 0.05, on_update, &seen, &dispatched), VG_OK);
    CHECK(dispatched == 0);
    CHECK(seen.calls == 0);

    task = submit_model(client, "sora-2");
    REQUIRE(task != NULL);
    seen.task = task;
    CHECK_CODE_E(vg_task_wait_v2(task, NAN, on_update, &seen, &error), VG_E_INVALID_ARGUMENT, error);
    vg_error_free(error);
    error = NULL;
    CHECK_CODE_E(vg_task_download_v2(task, "poster", "x.mp4", on_update, &seen, &error), VG_E_INVALID_ARGUMENT, error);
    CHECK_CONTAINS(vg_error_message(error), "poster");
    vg_error_free(error);
    error = NULL;
    CHECK_CODE_E(vg_task_download_v2(task, NULL, NULL, on_update, &seen, &error), VG_E_INVALID_ARGUMENT, error);
    vg_error_free(error);
    error = NULL;
    CHECK_CODE_E(vg_task_download_v2(task, NULL, "", on_update, &seen, &error), VG_E_INVALID_ARGUMENT, error);
    vg_error_free(error);
    error = NULL;
    work_path(path, sizeof path, "updates-not-ready.mp4");
    CHECK_CODE_E(vg_task_download_v2(task, NULL, path, on_update, &seen, &error), VG_E_NOT_READY, error);
    vg_error_free(error);
    error = NULL;
    CHECK(!file_exists(path));
    CHECK(seen.transfers == 0);
    CHECK(seen.done == 1 && seen.done_code == VG_E_NOT_READY);  /* a blocking call reports its end, failed or not */
    /* A freed handle is refused, never dereferenced. */
    freed = task;
    vg_task_free(task);
    task = NULL;
    CHECK_CODE(vg_task_poll_v2(freed, on_update, &seen, NULL), VG_E_INVALID_HANDLE);
    CHECK_CODE(vg_task_wait_v2(freed, 1, on_update, &seen, NULL), VG_E_INVALID_HANDLE);
    CHECK_CODE(vg_task_download_v2(freed, NULL, path, on_update, &seen, NULL), VG_E_INVALID_HANDLE);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}
