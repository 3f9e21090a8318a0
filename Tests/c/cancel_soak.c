/*
 * cancel_soak.c: cancellation under faults (RELIABILITY.md row 19) and a small soak (row 20) through the C ABI, in a
 * process of its own so that its descriptor, thread and RSS counts are not disturbed by other tests. Not part of
 * Tests/c/run.sh: FaultRecoveryTests / SoakTests compile it with `cc` and run it against the emulator.
 *
 * Usage:
 *   cancel_soak cancel BASE_URL API_KEY WORKDIR
 *   cancel_soak soak   BASE_URL API_KEY CYCLES CLIENTS
 * It installs the emulator's fault rules itself (POST /_emulator/control, a minimal HTTP/1.0 client below).
 * Output: "FIGURE: ..." lines, "RESULT key value" lines for the Swift test, "FAIL: ..." lines for failed checks;
 * exit status 0 when no check failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <malloc.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "videogen.h"
#include "child_program.h"

static const char *g_base;
static const char *g_key;
static char g_config[2048];
/* ---- clocks, counts ---- */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_s(double s) {
    struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

static int count_entries(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) return -1;
    int n = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL)
        if (entry->d_name[0] != '.') n++;
    closedir(dir);
    return n;
}

/* Open descriptors (the directory stream's own descriptor not counted) and threads of this process. */
static int fd_count(void) { return count_entries("/proc/self/fd") - 1; }
static int thread_count(void) { return count_entries("/proc/self/task"); }

static long rss_kib(void) {
    long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* ---- a minimal HTTP/1.0 client for the emulator's control routes ---- */

static int emu(const char *method, const char *path, const char *body, char *out, size_t outsz) {
    int port = 0;
    const char *colon = strrchr(g_base, ':');
    if (colon) port = atoi(colon + 1);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof addr) != 0) {
        if (s >= 0) close(s);
        return -1;
    }
    char request[4096];
    int n = snprintf(request, sizeof request,
                     "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s",
                     method, path, body ? strlen(body) : 0, body ? body : "");
    if (write(s, request, (size_t)n) != n) {
        close(s);
        return -1;
    }
    static char answer[1 << 16];
    size_t got = 0;
    ssize_t r;
    while (got < sizeof answer - 1 && (r = read(s, answer + got, sizeof answer - 1 - got)) > 0) got += (size_t)r;
    answer[got] = 0;
    close(s);
    int status = 0;
    sscanf(answer, "HTTP/%*s %d", &status);
    if (out && outsz) {
        const char *start = strstr(answer, "\r\n\r\n");
        snprintf(out, outsz, "%s", start ? start + 4 : "");
    }
    return status;
}

static void set_faults(const char *rules) {
    char body[2048];
    snprintf(body, sizeof body, "{\"faults\": %s, \"fault_seed\": 0}", rules);
    int status = emu("POST", "/_emulator/control", body, NULL, 0);
    CHECK(status == 200, "setting faults %s: HTTP %d", rules, status);
}

/* ---- blocking operations on a worker thread, cancelled from this one ---- */

static atomic_int g_cancel_returned;
static atomic_int g_late_callbacks;
static atomic_int g_callbacks;

static int on_progress(vg_task *task, void *user_data) {
    (void)task;
    (void)user_data;
    atomic_fetch_add(&g_callbacks, 1);
    if (atomic_load(&g_cancel_returned)) atomic_fetch_add(&g_late_callbacks, 1);
    return 0;
}

static int on_transfer(vg_task *task, uint64_t received, int64_t total, void *user_data) {
    (void)received;
    (void)total;
    return on_progress(task, user_data);
}

typedef struct {
    vg_task *task;
    int download; /* 0: vg_task_wait, 1: vg_task_download */
    const char *path;
    vg_code code;
    double returned_at;
} job;

static void *worker(void *argument) {
    job *j = argument;
    vg_error *error = NULL;
    j->code = j->download ? vg_task_download(j->task, j->path, on_transfer, NULL, &error)
                          : vg_task_wait(j->task, 60, on_progress, NULL, &error);
    j->returned_at = now();
    vg_error_free(error);
    return NULL;
}

static double g_worst_ack;
static int g_cancels;

/* Starts the operation, cancels it `point` seconds later, returns the seconds from vg_task_cancel to the
 * operation's return, and its code. */
static double cancel_blocking(vg_task *task, int download, const char *path, double point, vg_code *code) {
    job j = {task, download, path, VG_OK, 0};
    atomic_store(&g_cancel_returned, 0);
    pthread_t thread;
    pthread_create(&thread, NULL, worker, &j);
    sleep_s(point);
    double start = now();
    vg_code cancelled = vg_task_cancel(task, VG_CANCEL_LOCAL, NULL);
    atomic_store(&g_cancel_returned, 1);
    CHECK(cancelled == VG_OK, "vg_task_cancel returned %d", (int)cancelled);
    pthread_join(thread, NULL);
    *code = j.code;
    double ack = j.returned_at - start;
    if (ack > g_worst_ack) g_worst_ack = ack;
    g_cancels++;
    return ack;
}

static vg_client *new_client(void) {
    vg_client *client = NULL;
    vg_error *error = NULL;
    vg_code code = vg_client_create(g_config, &client, &error);
    CHECK(code == VG_OK, "vg_client_create: %s", vg_error_message(error));
    vg_error_free(error);
    return client;
}

static char *snapshot(vg_task *task) {
    char *json = NULL;
    CHECK(vg_task_snapshot_json(task, &json) == VG_OK, "snapshot");
    return json;
}

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static const char *REQUEST = "{\"model\":\"sora-2\",\"prompt\":\"a paper boat\"}";

/* ---- async submit events ---- */

typedef struct {
    vg_task *task;
    int done;
    vg_code code;
    double done_at;
    int late; /* events other than the DONE after vg_task_cancel returned */
} submit_watch;

static int on_event(vg_task *task, vg_event_kind kind, vg_code code, const vg_error *error, void *user_data) {
    (void)error;
    submit_watch *watch = user_data;
    if (task != watch->task) return 0;
    if (kind == VG_EVENT_DONE) {
        watch->done++;
        watch->code = code;
        watch->done_at = now();
    } else if (atomic_load(&g_cancel_returned)) {
        watch->late++;
    }
    return 0;
}

/* ---- row 19 ---- */

static int run_cancel(const char *workdir) {
    char path[1024];
    int submits = 0;

    /* Warm-up: one whole job, so the process-wide transport, the library's pool and Swift's cooperative pool
     * exist before the baseline is taken. */
    vg_client *client = new_client();
    vg_task *task = NULL;
    vg_error *error = NULL;
    CHECK(vg_client_submit(client, REQUEST, &task, &error) == VG_OK, "warm-up submit");
    submits++;
    CHECK(vg_task_wait(task, 30, NULL, NULL, &error) == VG_OK, "warm-up wait");
    snprintf(path, sizeof path, "%s/warm.mp4", workdir);
    CHECK(vg_task_download(task, path, NULL, NULL, &error) == VG_OK, "warm-up download");
    vg_task_free(task);
    vg_task *async_task = NULL;
    CHECK(vg_client_submit_async(client, REQUEST, &async_task, &error) == VG_OK, "warm-up async submit");
    submits++;
    submit_watch warm = {async_task, 0, VG_OK, 0, 0};
    for (int i = 0; i < 50 && !warm.done; i++) vg_client_dispatch(client, 0.2, on_event, &warm, NULL);
    vg_task_free(async_task);
    vg_client_free(client);
    vg_error_free(error);
    error = NULL;
    sleep_s(0.3);
    int fds0 = fd_count(), threads0 = thread_count();

    /* 1. Cancel during a submit (asynchronous: the blocking vg_client_submit has no task to cancel until it
     *    returns). The submit POST is stalled 20 s by the emulator. */
    set_faults("[{\"fault\":\"stall:20\",\"match\":\"/v1/videos\",\"method\":\"POST\"}]");
    const double submit_points[] = {0.0, 0.02, 0.1, 0.3, 0.6};
    client = new_client();
    int submit_late = 0;
    double submit_worst = 0;
    for (size_t i = 0; i < sizeof submit_points / sizeof submit_points[0]; i++) {
        task = NULL;
        CHECK(vg_client_submit_async(client, REQUEST, &task, &error) == VG_OK, "async submit");
        submits++;
        submit_watch watch = {task, 0, VG_OK, 0, 0};
        atomic_store(&g_cancel_returned, 0);
        /* events before the cancel point are dispatched as an application would */
        double until = now() + submit_points[i];
        while (now() < until) vg_client_dispatch(client, until - now(), on_event, &watch, NULL);
        double start = now();
        CHECK(vg_task_cancel(task, VG_CANCEL_LOCAL, NULL) == VG_OK, "cancel async submit");
        atomic_store(&g_cancel_returned, 1);
        double deadline = now() + 10;
        while (!watch.done && now() < deadline) vg_client_dispatch(client, 0.1, on_event, &watch, NULL);
        vg_client_dispatch(client, 0.2, on_event, &watch, NULL); /* anything after the DONE would be late */
        double ack = watch.done ? watch.done_at - start : 99;
        if (ack > submit_worst) submit_worst = ack;
        CHECK(watch.done == 1, "exactly one DONE event (got %d)", watch.done);
        CHECK(watch.code == VG_E_CANCELLED, "async submit DONE code %d", (int)watch.code);
        CHECK(ack < 3, "async submit cancel acknowledged after %.3f s", ack);
        submit_late += watch.late;
        if (i == 0) {
            char *record = snapshot(task);
            printf("RESULT submit_record %s\n", record ? record : "");
            vg_string_free(record);
        }
        vg_task_free(task);
    }
    vg_client_free(client);
    CHECK(submit_late == 0, "%d events after cancel returned", submit_late);
    printf("FIGURE: row19: cancel during a stalled submit (async C API), %zu points 0-0.6 s: DONE(VG_E_CANCELLED) "
           "after at most %.0f ms, %d late events\n",
           sizeof submit_points / sizeof submit_points[0], submit_worst * 1000, submit_late);

    /* 2. Cancel during a wait whose polls stall 20 s (first poll 0.1 s after the submit). */
    set_faults("[{\"fault\":\"stall:20\",\"match\":\"/v1/videos/\",\"method\":\"GET\"}]");
    const double poll_points[] = {0.03, 0.15, 0.4, 0.9};
    enum { POLLS = sizeof poll_points / sizeof poll_points[0] };
    char *poll_records[POLLS] = {0};
    double poll_worst = 0;
    for (int i = 0; i < POLLS; i++) {
        client = new_client();
        task = NULL;
        CHECK(vg_client_submit(client, REQUEST, &task, &error) == VG_OK, "submit");
        submits++;
        vg_code code;
        double ack = cancel_blocking(task, 0, NULL, poll_points[i], &code);
        if (ack > poll_worst) poll_worst = ack;
        CHECK(code == VG_E_CANCELLED, "wait returned %d", (int)code);
        CHECK(ack < 3, "wait cancel acknowledged after %.3f s", ack);
        CHECK(vg_task_wait(task, 5, NULL, NULL, NULL) == VG_E_CANCELLED, "a later wait is cancelled at once");
        poll_records[i] = snapshot(task);
        vg_task_free(task);
        vg_client_free(client);
    }
    printf("FIGURE: row19: cancel during a wait with polls stalled 20 s, %d points 0.03-0.9 s: returned after at most "
           "%.0f ms\n",
           POLLS, poll_worst * 1000);

    /* 3. Cancel during a download: stalled after 512 KiB, or dripping at 1 MiB/s (2 MiB blob). */
    const struct {
        const char *rule;
        double point;
    } downloads[] = {
        {"stall-after:524288:20", 0.05}, {"stall-after:524288:20", 0.6}, {"drip:1048576", 0.1},
        {"drip:1048576", 0.5},          {"drip:1048576", 1.1},          {"drip:1048576", 1.8},
    };
    enum { DOWNLOADS = sizeof downloads / sizeof downloads[0] };
    char *download_records[DOWNLOADS] = {0};
    double download_worst = 0;
    long long kept_parts[DOWNLOADS] = {0};
    int kept = 0;
    for (int i = 0; i < DOWNLOADS; i++) {
        char rules[512];
        snprintf(rules, sizeof rules, "[{\"fault\":\"%s\",\"match\":\"/_emulator/blob/\"}]", downloads[i].rule);
        set_faults(rules);
        client = new_client();
        char record[1024];
        snprintf(record, sizeof record,
                 "{\"record_version\":1,\"id\":\"blob\",\"dialect\":\"openai\",\"base_url\":\"%s\",\"state\":\"succeeded\","
                 "\"video_url\":\"%s/_emulator/blob/2097152\"}",
                 g_base, g_base);
        task = NULL;
        CHECK(vg_client_resume(client, record, &task, &error) == VG_OK, "resume blob");
        snprintf(path, sizeof path, "%s/download-%d.bin", workdir, i);
        vg_code code;
        double ack = cancel_blocking(task, 1, path, downloads[i].point, &code);
        if (ack > download_worst) download_worst = ack;
        CHECK(code == VG_E_CANCELLED, "download %s at %.2f s returned %d", downloads[i].rule, downloads[i].point, (int)code);
        CHECK(ack < 3, "download cancel acknowledged after %.3f s", ack);
        char part[1100], note[1100];
        snprintf(part, sizeof part, "%s.part", path);
        snprintf(note, sizeof note, "%s.part.resume", path);
        CHECK(!exists(path), "no final file after a cancelled download");
        /* A part that holds bytes stays with its note, for the restart below to continue; an empty one goes. */
        struct stat st;
        if (stat(part, &st) == 0) {
            kept_parts[i] = (long long)st.st_size;
            kept++;
            CHECK(st.st_size > 0, "an empty part file was kept");
            CHECK(exists(note), "a part file was kept without its note");
        }
        /* Progress is reported per MiB: a download that reported bytes had written them, and must keep them. */
        CHECK(vg_task_bytes_received(task) == 0 || kept_parts[i] > 0, "download %d reported %llu bytes but kept no part",
              i, (unsigned long long)vg_task_bytes_received(task));
        printf("RESULT download_cancel %s %.2f received=%llu part=%lld ack_ms=%.0f\n", downloads[i].rule,
               downloads[i].point, (unsigned long long)vg_task_bytes_received(task), kept_parts[i], ack * 1000);
        download_records[i] = snapshot(task);
        vg_task_free(task);
        vg_client_free(client);
    }
    printf("RESULT kept_parts");
    for (int i = 0; i < DOWNLOADS; i++) printf(" %lld", kept_parts[i]);
    printf("\n");
    printf("FIGURE: row19: cancel during a download (2 MiB, stalled after 512 KiB or dripping 1 MiB/s), %d points: "
           "returned after at most %.0f ms, no final file, %d part files kept with their notes (sizes",
           DOWNLOADS, download_worst * 1000, kept);
    for (int i = 0; i < DOWNLOADS; i++) printf(" %lld", kept_parts[i]);
    printf(")\n");
    int late = atomic_load(&g_late_callbacks);
    CHECK(late == 0, "%d callbacks after vg_task_cancel returned", late);
    printf("FIGURE: row19: %d blocking cancels, %d progress/transfer callbacks in all, %d after vg_task_cancel "
           "returned\n",
           g_cancels, atomic_load(&g_callbacks), late);

    /* 4. Restart from the records, in fresh clients, without faults: every job finishes byte-exact (the Swift
     *    test compares the files). */
    set_faults("[]");
    for (int i = 0; i < POLLS; i++) {
        client = new_client();
        task = NULL;
        CHECK(poll_records[i] && vg_client_resume(client, poll_records[i], &task, &error) == VG_OK, "resume poll record");
        CHECK(vg_task_wait(task, 30, NULL, NULL, &error) == VG_OK, "resumed wait");
        snprintf(path, sizeof path, "%s/resumed-poll-%d.mp4", workdir, i);
        CHECK(vg_task_download(task, path, NULL, NULL, &error) == VG_OK, "resumed download");
        vg_task_free(task);
        vg_client_free(client);
        vg_string_free(poll_records[i]);
    }
    for (int i = 0; i < DOWNLOADS; i++) {
        client = new_client();
        task = NULL;
        CHECK(download_records[i] && vg_client_resume(client, download_records[i], &task, &error) == VG_OK,
              "resume download record");
        snprintf(path, sizeof path, "%s/download-%d.bin", workdir, i);
        CHECK(vg_task_download(task, path, NULL, NULL, &error) == VG_OK, "resumed blob download");
        vg_task_free(task);
        vg_client_free(client);
        vg_string_free(download_records[i]);
    }
    if (error) printf("INFO: last error: %s\n", vg_error_message(error));
    vg_error_free(error);
    printf("RESULT submits %d\n", submits);

    /* 5. Descriptors and threads back to the warm-up baseline (allowing the connection pool to settle). */
    int fds1 = fd_count(), threads1 = thread_count();
    for (int i = 0; i < 30 && (fds1 > fds0 + 4 || threads1 > threads0 + 4); i++) {
        sleep_s(0.1);
        fds1 = fd_count();
        threads1 = thread_count();
    }
    printf("RESULT fds %d %d\nRESULT threads %d %d\n", fds0, fds1, threads0, threads1);
    printf("FIGURE: row19: descriptors %d -> %d, threads %d -> %d (after warm-up -> after %d cancels and restarts)\n",
           fds0, fds1, threads0, threads1, g_cancels + (int)(sizeof submit_points / sizeof submit_points[0]));
    return g_failures ? 1 : 0;
}

/* ---- row 20 ---- */

/* The emulator answers a request on a reused keep-alive connection about 40 ms late (curl sees the same), so the
 * cycles run on SOAK_THREADS threads sharing the one client (a client is thread-safe). */
enum { SOAK_THREADS = 10 };

typedef struct {
    vg_client *client; /* NULL: each cycle creates and frees its own client */
    const char *record;
    int cycles;
    atomic_int *aborts;
} soak_job;

static void *soak_worker(void *argument) {
    soak_job *job = argument;
    for (int i = 0; i < job->cycles; i++) {
        vg_client *client = job->client;
        vg_task *task = NULL;
        if (!client && vg_client_create(g_config, &client, NULL) != VG_OK) {
            atomic_fetch_add(job->aborts, 1);
            continue;
        }
        if (job->client && i % 10 == 0) {
            if (vg_client_submit(client, REQUEST, &task, NULL) != VG_OK) atomic_fetch_add(job->aborts, 1);
            vg_task_free(task);
            task = NULL;
        }
        if (vg_client_resume(client, job->record, &task, NULL) != VG_OK || vg_task_poll(task, NULL) != VG_OK)
            atomic_fetch_add(job->aborts, 1);
        vg_task_free(task);
        if (!job->client) vg_client_free(client);
    }
    return NULL;
}

/* Bytes malloc has handed out and not had back, in KiB (all arenas): a leak grows it, fragmentation does not. */
static long heap_kib(void) {
    struct mallinfo2 info = mallinfo2();
    return (long)((info.uordblks + info.hblkhd) / 1024);
}

typedef struct {
    long rss0, rss1, rss_peak, heap0, heap1;
    int fds0, fds1, fds_max, threads0, threads1, threads_max;
    double seconds;
} soak_stats;

/* Runs `cycles` cycles on SOAK_THREADS threads (after `warm` warm-up cycles), sampling RSS, descriptors and threads
 * every 50 ms. */
static soak_stats soak_phase(vg_client *client, const char *record, int warm, int cycles, atomic_int *aborts) {
    soak_stats stats = {0};
    pthread_t threads[SOAK_THREADS];
    soak_job jobs[SOAK_THREADS];
    for (int phase = 0; phase < 2; phase++) {
        int total = phase == 0 ? warm : cycles;
        if (phase == 1) {
            stats.rss0 = stats.rss_peak = rss_kib();
            stats.heap0 = heap_kib();
            stats.fds0 = stats.fds_max = fd_count();
            stats.threads0 = stats.threads_max = thread_count();
        }
        double start = now();
        for (int t = 0; t < SOAK_THREADS; t++) {
            jobs[t] = (soak_job){client, record, total / SOAK_THREADS + (t < total % SOAK_THREADS), aborts};
            pthread_create(&threads[t], NULL, soak_worker, &jobs[t]);
        }
        if (phase == 1) {
            /* sample while the workers run; the sampler's own thread count is the same at both ends */
            for (int t = 0; t < SOAK_THREADS; t++) {
                while (pthread_tryjoin_np(threads[t], NULL) != 0) {
                    sleep_s(0.05);
                    long rss = rss_kib();
                    int fds = fd_count() , count = thread_count() - SOAK_THREADS;
                    if (rss > stats.rss_peak) stats.rss_peak = rss;
                    if (fds > stats.fds_max) stats.fds_max = fds;
                    if (count > stats.threads_max) stats.threads_max = count;
                }
            }
        } else {
            for (int t = 0; t < SOAK_THREADS; t++) pthread_join(threads[t], NULL);
        }
        stats.seconds = now() - start;
    }
    sleep_s(0.2);
    stats.rss1 = rss_kib();
    stats.heap1 = heap_kib();
    stats.fds1 = fd_count();
    stats.threads1 = thread_count();
    return stats;
}

static int run_soak(int cycles, int clients) {
    vg_client *client = new_client();
    vg_task *task = NULL;
    vg_error *error = NULL;
    CHECK(vg_client_submit(client, REQUEST, &task, &error) == VG_OK, "submit");
    CHECK(vg_task_wait(task, 30, NULL, NULL, &error) == VG_OK, "wait");
    char *record = snapshot(task);
    vg_task_free(task);
    vg_error_free(error);
    atomic_int aborts = 0;

    /* A cycle on the long-lived client: resume the record and poll it once; every 10th cycle also submits. */
    int warm = cycles / 5 > 400 ? 400 : cycles / 5;
    soak_stats a = soak_phase(client, record, warm, cycles, &aborts);
    vg_client_free(client);
    printf("RESULT cycles_heap_kib %ld %ld\n", a.heap0, a.heap1);
    printf("RESULT cycles_rss_kib %ld %ld %ld\nRESULT cycles_fds %d %d %d\nRESULT cycles_threads %d %d %d\n", a.rss0,
           a.rss1, a.rss_peak, a.fds0, a.fds1, a.fds_max, a.threads0, a.threads1, a.threads_max);
    printf("FIGURE: row20: %d poll cycles (+%d submits) on one client, %d threads, in %.1f s after %d warm-up cycles: "
           "RSS %ld -> %ld KiB (%+ld KiB, peak %ld), malloc in use %ld -> %ld KiB (%+ld), descriptors %d -> %d (max %d), "
           "threads %d -> %d (max %d)\n",
           cycles, (cycles + 9) / 10, SOAK_THREADS, a.seconds, warm, a.rss0, a.rss1, a.rss1 - a.rss0, a.rss_peak, a.heap0,
           a.heap1, a.heap1 - a.heap0, a.fds0,
           a.fds1, a.fds_max, a.threads0, a.threads1, a.threads_max);

    /* A cycle of the second phase: create a client, resume the record, poll once, free both. */
    int warm_clients = clients / 5 > 100 ? 100 : clients / 5;
    soak_stats b = soak_phase(NULL, record, warm_clients, clients, &aborts);
    printf("RESULT clients_rss_kib %ld %ld %ld\nRESULT clients_fds %d %d %d\nRESULT clients_threads %d %d %d\n", b.rss0,
           b.rss1, b.rss_peak, b.fds0, b.fds1, b.fds_max, b.threads0, b.threads1, b.threads_max);
    printf("RESULT aborts %d\n", atomic_load(&aborts));
    printf("FIGURE: row20: %d clients created, polled once and freed (%d threads) in %.1f s after %d warm-up: RSS %ld "
           "-> %ld KiB (%+ld KiB, peak %ld), descriptors %d -> %d (max %d), threads %d -> %d (max %d); %d failed calls "
           "in both phases\n",
           clients, SOAK_THREADS, b.seconds, warm_clients, b.rss0, b.rss1, b.rss1 - b.rss0, b.rss_peak, b.fds0, b.fds1,
           b.fds_max, b.threads0, b.threads1, b.threads_max, atomic_load(&aborts));
    vg_string_free(record);
    return g_failures || atomic_load(&aborts) ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s cancel BASE_URL KEY WORKDIR | soak BASE_URL KEY CYCLES CLIENTS\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    g_base = argv[2];
    g_key = argv[3];
    snprintf(g_config, sizeof g_config,
             "{\"dialect\":\"openai\",\"base_url\":\"%s\",\"api_key\":\"%s\",\"request_timeout\":30,\"stall_timeout\":30,"
             "\"poll\":{\"interval\":0.1,\"max_interval\":0.1,\"min_interval\":0.05,\"jitter\":0}}",
             g_base, g_key);
    if (strcmp(argv[1], "cancel") == 0) return run_cancel(argv[4]);
    if (strcmp(argv[1], "soak") == 0 && argc >= 6) return run_soak(atoi(argv[4]), atoi(argv[5]));
    fprintf(stderr, "unknown mode %s\n", argv[1]);
    return 2;
}
