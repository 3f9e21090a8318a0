/*
 * vg_overhead.c: benchmark client for scenario 4. Times loading libvideogen (dlopen, which maps the Swift runtime
 * too) and creating a client, then the cost of task getters called through the C ABI.
 *
 * Usage: vg_overhead PATH/TO/libvideogen.so GETTER_CALLS
 *        vg_overhead PATH/TO/ANY.so 0     (only the dlopen: prints {"load_ms": ...}; what one dependency costs)
 * Prints one JSON object: load_ms, create_ms, nanoseconds per call of vg_task_state, vg_task_progress and
 * vg_task_id on a task resumed from a record (no network traffic), the shared libraries mapped once the library is
 * loaded and a client created that were not mapped before the dlopen ("libraries", from /proc/self/maps), and the
 * process's RSS at that point (rss_kb, of which rss_anon_kb private and rss_file_kb mapped files).
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proc_status.h"
#include "videogen.h"

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The shared objects (paths containing ".so") in /proc/self/maps, each once, joined by '\n' into `out`. */
static void mapped_libraries(char *out, size_t size)
{
    out[0] = 0;
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps) return;
    char line[4096];
    size_t used = 0;
    while (fgets(line, sizeof line, maps)) {
        char *path = strchr(line, '/');
        if (!path || !strstr(path, ".so")) continue;
        path[strcspn(path, "\n")] = 0;
        size_t n = strlen(path);
        /* Already listed? (a library maps several segments) */
        int seen = 0;
        for (char *at = out; (at = strstr(at, path)) != NULL; at += n) {
            if ((at == out || at[-1] == '\n') && (at[n] == '\n' || at[n] == 0)) {
                seen = 1;
                break;
            }
        }
        if (seen || used + n + 2 > size) continue;
        memcpy(out + used, path, n);
        used += n;
        out[used++] = '\n';
        out[used] = 0;
    }
    fclose(maps);
}

static char before[1 << 16], after[1 << 16];

#define BIND(handle, name) name##_fn name##_ = (name##_fn)(uintptr_t)dlsym(handle, #name)

typedef vg_code (*vg_client_create_fn)(const char *, vg_client **, vg_error **);
typedef vg_code (*vg_client_resume_fn)(vg_client *, const char *, vg_task **, vg_error **);
typedef vg_state (*vg_task_state_fn)(vg_task *);
typedef int (*vg_task_progress_fn)(vg_task *);
typedef const char *(*vg_task_id_fn)(vg_task *);
typedef void (*vg_task_free_fn)(vg_task *);
typedef void (*vg_client_free_fn)(vg_client *);

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s LIBVIDEOGEN GETTER_CALLS\n", argv[0]);
        return 2;
    }
    long calls = atol(argv[2]);
    mapped_libraries(before, sizeof before);
    double t0 = seconds();
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    double t1 = seconds();
    if (!lib) {
        fprintf(stderr, "vg_overhead: %s\n", dlerror());
        return 1;
    }
    if (calls == 0) {
        printf("{\"load_ms\": %.3f}\n", (t1 - t0) * 1e3);
        return 0;
    }
    BIND(lib, vg_client_create);
    BIND(lib, vg_client_resume);
    BIND(lib, vg_task_state);
    BIND(lib, vg_task_progress);
    BIND(lib, vg_task_id);
    BIND(lib, vg_task_free);
    BIND(lib, vg_client_free);
    if (!vg_client_create_ || !vg_client_resume_ || !vg_task_state_ || !vg_task_progress_ || !vg_task_id_ ||
        !vg_task_free_ || !vg_client_free_ || calls < 0) {
        fprintf(stderr, "vg_overhead: missing symbol or bad GETTER_CALLS\n");
        return 1;
    }
    vg_client *client = NULL;
    double t2 = seconds();
    vg_code code = vg_client_create_(
        "{\"dialect\": \"openai\", \"base_url\": \"http://127.0.0.1:9\", \"api_key\": \"sk-bench\"}", &client, NULL);
    double t3 = seconds();
    mapped_libraries(after, sizeof after);
    long rss = status_kb("VmRSS"), rss_anon = status_kb("RssAnon"), rss_file = status_kb("RssFile");
    vg_task *task = NULL;
    if (code == VG_OK)
        code = vg_client_resume_(client, "{\"record_version\": 1, \"id\": \"video_1\", \"state\": \"running\","
                                         " \"progress\": 42}", &task, NULL);
    if (code != VG_OK) {
        fprintf(stderr, "vg_overhead: setup failed: %d\n", (int)code);
        return 1;
    }
    volatile long sink = 0;
    double s0 = seconds();
    for (long i = 0; i < calls; i++) sink += vg_task_state_(task);
    double s1 = seconds();
    for (long i = 0; i < calls; i++) sink += vg_task_progress_(task);
    double s2 = seconds();
    for (long i = 0; i < calls; i++) sink += vg_task_id_(task)[0];
    double s3 = seconds();
    printf("{\"load_ms\": %.3f, \"create_ms\": %.3f, \"state_ns\": %.1f, \"progress_ns\": %.1f, \"id_ns\": %.1f,"
           " \"calls\": %ld, \"sink\": %ld, \"rss_kb\": %ld, \"rss_anon_kb\": %ld, \"rss_file_kb\": %ld,"
           " \"libraries\": [", (t1 - t0) * 1e3, (t3 - t2) * 1e3, (s1 - s0) * 1e9 / (double)calls,
           (s2 - s1) * 1e9 / (double)calls, (s3 - s2) * 1e9 / (double)calls, calls, (long)sink, rss, rss_anon, rss_file);
    int first = 1;
    for (char *line = strtok(after, "\n"); line; line = strtok(NULL, "\n")) {
        size_t n = strlen(line);
        int was_mapped = 0;
        for (char *at = before; (at = strstr(at, line)) != NULL; at += n) {
            if ((at == before || at[-1] == '\n') && at[n] == '\n') {
                was_mapped = 1;
                break;
            }
        }
        if (was_mapped) continue;
        printf("%s\"%s\"", first ? "" : ", ", line);
        first = 0;
    }
    printf("]}\n");
    vg_task_free_(task);
    vg_client_free_(client);
    return 0;
}
