/*
 * harness.c: helpers of the C test suite (time, files, tiny JSON lookups, a raw loopback HTTP client, threads).
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sleep_seconds(double seconds)
{
    struct timespec ts;
    if (seconds <= 0) return;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

vg_client *make_client(const char *dialect, const char *base_url, const char *extra)
{
    char config[2048];
    vg_client *client = NULL;
    vg_error *error = NULL;
    vg_code code;
    snprintf(config, sizeof config,
             "{\"dialect\": \"%s\", \"base_url\": \"%s\", \"api_key_env\": \"%s\","
             " \"request_timeout\": 10, \"poll\": {\"interval\": 0.2, \"max_interval\": 0.5}%s%s}",
             dialect, base_url, TEST_KEY_ENV, extra ? ", " : "", extra ? extra : "");
    code = vg_client_create(config, &client, &error);
    if (code != VG_OK) {
        t_fail(__FILE__, __LINE__, "vg_client_create(%s) failed: %s: %s", config, vg_code_str(code),
               vg_error_message(error));
        vg_error_free(error);
        return NULL;
    }
    if (client == NULL) t_fail(__FILE__, __LINE__, "vg_client_create returned VG_OK but no client");
    return client;
}

vg_task *submit_model(vg_client *client, const char *model)
{
    char request[512];
    vg_task *task = NULL;
    vg_error *error = NULL;
    vg_code code;
    snprintf(request, sizeof request,
             "{\"model\": \"%s\", \"prompt\": \"a paper boat on a rainy street\", \"duration\": 4,"
             " \"size\": \"1280x720\"}",
             model);
    code = vg_client_submit(client, request, &task, &error);
    if (code != VG_OK) {
        t_fail(__FILE__, __LINE__, "vg_client_submit(%s) failed: %s: %s (http %d)", model, vg_code_str(code),
               vg_error_message(error), vg_error_http_status(error));
        vg_error_free(error);
        return NULL;
    }
    if (error != NULL) t_fail(__FILE__, __LINE__, "vg_client_submit succeeded but left *error non-NULL");
    if (task == NULL) t_fail(__FILE__, __LINE__, "vg_client_submit returned VG_OK but no task");
    return task;
}

void work_path(char *buffer, size_t size, const char *name)
{
    snprintf(buffer, size, "%s/%s", g_workdir, name);
}

int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

long file_size(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    return (long)st.st_size;
}

int files_equal(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb");
    FILE *fb = fopen(b, "rb");
    int equal = fa != NULL && fb != NULL;
    while (equal) {
        int ca = fgetc(fa);
        int cb = fgetc(fb);
        if (ca != cb) equal = 0;
        if (ca == EOF || cb == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return equal;
}

void remove_download(const char *path)
{
    char part[1024], note[1100];
    snprintf(part, sizeof part, "%s.part", path);
    snprintf(note, sizeof note, "%s.part.resume", path);
    unlink(path);
    unlink(part);
    unlink(note);
}

int json_string_member(const char *json, const char *key, char *out, size_t size)
{
    char pattern[256];
    const char *p;
    size_t n = 0;
    if (json == NULL) return 0;
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    for (p = strstr(json, pattern); p != NULL; p = strstr(p + 1, pattern)) {
        const char *q = p + strlen(pattern);
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
        if (*q != ':') continue;
        q++;
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
        if (*q != '"') return 0;
        q++;
        while (*q != '\0' && *q != '"') {
            if (*q == '\\' && q[1] != '\0') {
                if (n + 1 < size) out[n++] = *q;
                q++;
            }
            if (n + 1 < size) out[n++] = *q;
            q++;
        }
        if (size > 0) out[n < size ? n : size - 1] = '\0';
        return *q == '"';
    }
    return 0;
}

int is_sha256_hex(const char *text)
{
    size_t i;
    if (text == NULL || strlen(text) != 64) return 0;
    for (i = 0; i < 64; i++) {
        char c = text[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return 0;
    }
    return 1;
}

int http_request(const char *base_url, const char *method, const char *path, const char *body, char **response)
{
    char host[64];
    int port = 0;
    const char *p;
    size_t hn;
    int fd;
    struct sockaddr_in addr;
    struct timeval tv;
    char head[1024];
    size_t cap = 4096, len = 0;
    char *buf;
    int status = -1;

    *response = NULL;
    if (strncmp(base_url, "http://", 7) != 0) return -1;
    p = base_url + 7;
    hn = strcspn(p, ":/");
    if (hn == 0 || hn >= sizeof host || p[hn] != ':') return -1;
    memcpy(host, p, hn);
    host[hn] = '\0';
    port = atoi(p + hn + 1);
    if (port <= 0 || port > 65535) return -1;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    tv.tv_sec = 10;
    tv.tv_usec = 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    snprintf(head, sizeof head,
             "%s %s HTTP/1.0\r\nHost: %s:%d\r\nConnection: close\r\nContent-Type: application/json\r\n"
             "Content-Length: %lu\r\n\r\n",
             method, path, host, port, (unsigned long)(body ? strlen(body) : 0));
    if (write(fd, head, strlen(head)) < 0 || (body && write(fd, body, strlen(body)) < 0)) {
        close(fd);
        return -1;
    }
    buf = malloc(cap);
    if (buf == NULL) {
        close(fd);
        return -1;
    }
    for (;;) {
        ssize_t got;
        if (cap - len < 2048) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) break;
            buf = bigger;
            cap *= 2;
        }
        got = read(fd, buf + len, cap - len - 1);
        if (got <= 0) break;
        len += (size_t)got;
    }
    buf[len] = '\0';
    close(fd);
    if (strncmp(buf, "HTTP/1.", 7) == 0 && len > 12) status = atoi(buf + 9);
    *response = buf;
    return status;
}

struct timed_run {
    void *(*fn)(void *);
    void *arg;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int finished;
    int abandoned;
};

static void *timed_trampoline(void *p)
{
    struct timed_run *run = p;
    int abandoned;
    run->fn(run->arg);
    pthread_mutex_lock(&run->lock);
    run->finished = 1;
    abandoned = run->abandoned;
    pthread_cond_signal(&run->cond);
    pthread_mutex_unlock(&run->lock);
    if (abandoned) free(run); /* the waiter gave up; the run record is ours to free (the arg stays leaked) */
    return NULL;
}

int run_with_timeout(void *(*fn)(void *), void *arg, double timeout)
{
    struct timed_run *run = calloc(1, sizeof *run);
    pthread_t thread;
    struct timespec deadline;
    int finished;
    if (run == NULL) return 0;
    run->fn = fn;
    run->arg = arg;
    pthread_mutex_init(&run->lock, NULL);
    pthread_cond_init(&run->cond, NULL);
    if (pthread_create(&thread, NULL, timed_trampoline, run) != 0) {
        free(run);
        return 0;
    }
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += (time_t)timeout;
    deadline.tv_nsec += (long)((timeout - (double)(long)timeout) * 1e9);
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec += 1;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&run->lock);
    while (!run->finished) {
        if (pthread_cond_timedwait(&run->cond, &run->lock, &deadline) == ETIMEDOUT) break;
    }
    finished = run->finished;
    if (!finished) run->abandoned = 1;
    pthread_mutex_unlock(&run->lock);
    if (finished) {
        pthread_join(thread, NULL);
        pthread_mutex_destroy(&run->lock);
        pthread_cond_destroy(&run->cond);
        free(run);
    } else {
        pthread_detach(thread);
    }
    return finished;
}
