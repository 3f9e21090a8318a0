/*
 * curl_multi_loop.c: the floor row of scenario 2. A bare libcurl-multi loop, no library around it: it polls one
 * task's status (GET BASE_URL/v1/videos/TASK_ID with the same Authorization header videogen sends) REQUESTS times,
 * CONNECTIONS transfers in flight over as many keep-alive connections (CURLMOPT_MAX_HOST_CONNECTIONS, as
 * videogen's control loop sets it), one thread sleeping in curl_multi_poll. Each answer's body is kept in a buffer
 * and its status checked, as any client must; nothing is parsed. The harness measures its CPU and context switches
 * (wait4 rusage) the way it measures videogen's.
 *
 * Usage: curl_multi_loop BASE_URL TASK_ID REQUESTS CONNECTIONS
 * The key comes from $VIDEOGEN_API_KEY. Prints one JSON object: requests, ok, failed, first_error, wall_s.
 */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    CURL *easy;
    char *body;          /* the answer's bytes so far (a client has to hold them to parse them) */
    size_t length;
    size_t capacity;
} slot;

static size_t on_body(char *bytes, size_t size, size_t count, void *user_data)
{
    slot *s = user_data;
    size_t n = size * count;
    if (s->length + n > s->capacity) {
        size_t capacity = s->capacity ? s->capacity : 1024;
        while (capacity < s->length + n) capacity *= 2;
        char *grown = realloc(s->body, capacity);
        if (!grown) return 0;    /* aborts the transfer: counted as failed */
        s->body = grown;
        s->capacity = capacity;
    }
    memcpy(s->body + s->length, bytes, n);
    s->length += n;
    return n;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s BASE_URL TASK_ID REQUESTS CONNECTIONS\n", argv[0]);
        return 2;
    }
    long total = atol(argv[3]);
    long connections = atol(argv[4]);
    const char *key = getenv("VIDEOGEN_API_KEY");
    if (total <= 0 || connections <= 0 || !key) {
        fprintf(stderr, "curl_multi_loop: bad arguments or no $VIDEOGEN_API_KEY\n");
        return 2;
    }
    if (connections > total) connections = total;
    char url[2048], authorization[1024];
    snprintf(url, sizeof url, "%s/v1/videos/%s", argv[1], argv[2]);
    snprintf(authorization, sizeof authorization, "Authorization: Bearer %s", key);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, connections);
    struct curl_slist *headers = curl_slist_append(NULL, authorization);
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "User-Agent: curl-multi-loop");
    slot *slots = calloc((size_t)connections, sizeof *slots);
    if (!multi || !headers || !slots) return 1;

    long started = 0, ok = 0, failed = 0;
    char first_error[256] = "";
    double t0 = seconds();
    for (long i = 0; i < connections; i++) {
        slot *s = &slots[i];
        s->easy = curl_easy_init();
        if (!s->easy) return 1;
        curl_easy_setopt(s->easy, CURLOPT_URL, url);
        curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(s->easy, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(s->easy, CURLOPT_ACCEPT_ENCODING, "");   /* videogen asks for any encoding on polls */
        curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
        curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
        curl_multi_add_handle(multi, s->easy);
        started++;
    }
    int running = 1;
    while (running || started < total) {
        curl_multi_perform(multi, &running);
        CURLMsg *message;
        int left = 0;
        while ((message = curl_multi_info_read(multi, &left))) {
            if (message->msg != CURLMSG_DONE) continue;
            CURL *easy = message->easy_handle;
            CURLcode result = message->data.result;
            slot *s = NULL;
            curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&s);
            long status = 0;
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
            if (result == CURLE_OK && status == 200 && s->length > 0 && s->body[0] == '{') {
                ok++;
            } else {
                failed++;
                if (!first_error[0])
                    snprintf(first_error, sizeof first_error, "%s (HTTP %ld)", curl_easy_strerror(result), status);
            }
            s->length = 0;
            curl_multi_remove_handle(multi, easy);
            if (started < total) {
                curl_multi_add_handle(multi, easy);   /* the same handle again: its connection stays alive */
                started++;
                running = 1;
            }
        }
        if (running) curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    double wall = seconds() - t0;
    for (long i = 0; i < connections; i++) {
        curl_multi_remove_handle(multi, slots[i].easy);
        curl_easy_cleanup(slots[i].easy);
        free(slots[i].body);
    }
    free(slots);
    curl_slist_free_all(headers);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    printf("{\"requests\": %ld, \"ok\": %ld, \"failed\": %ld, \"first_error\": \"%s\", \"wall_s\": %.6f}\n",
           ok + failed, ok, failed, first_error, wall);
    return failed ? 1 : 0;
}
