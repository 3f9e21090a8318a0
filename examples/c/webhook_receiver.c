/*
 * webhook_receiver.c: a task that finishes on the provider's signed callback instead of polling.
 *
 * Submits a request with a callback_url pointing at a tiny HTTP receiver (one thread, POSIX sockets), waits with
 * vg_task_wait while polling only every 60 s, and hands every callback to vg_client_webhook_apply, which verifies
 * it (Standard Webhooks here) and ends the wait when it says the task ended. Then downloads the video.
 *
 * Usage: VIDEOGEN_API_KEY=... VIDEOGEN_WEBHOOK_SECRET=whsec_... ./webhook_receiver BASE_URL OUTPUT.mp4 [DIALECT] [MODEL]
 * (the unified dialect by default: new-api passes metadata.callback_url to the upstream provider). Try it against the
 * emulator: PYTHONPATH=emulator python3 -m videogen_emulator --api-key "$VIDEOGEN_API_KEY" \
 *   --webhook-secret "$VIDEOGEN_WEBHOOK_SECRET". A real provider needs a public https URL in front of the receiver.
 * Build: cc -std=c99 -I include examples/c/webhook_receiver.c -L .build/release -lvideogen -lpthread
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "videogen.h"

#define MAX_HEAD 16384
#define MAX_BODY (1 << 20)

struct receiver {
    vg_client *client;
    char verifier[512];
    int listener;
};

/* Reads one request (head up to MAX_HEAD, body by Content-Length up to MAX_BODY) and applies it. */
static void serve_one(struct receiver *r, int fd) {
    static char head[MAX_HEAD + 1];
    size_t used = 0;
    char *end = NULL;
    while (used < MAX_HEAD && end == NULL) {
        ssize_t n = recv(fd, head + used, MAX_HEAD - used, 0);
        if (n <= 0) return;
        used += (size_t)n;
        head[used] = '\0';
        end = strstr(head, "\r\n\r\n");
    }
    if (end == NULL) return;
    *end = '\0';
    char *body_start = end + 4;
    size_t have = used - (size_t)(body_start - head);

    /* Request line: METHOD SP TARGET SP VERSION. */
    char *line_end = strstr(head, "\r\n");
    if (line_end == NULL) return;
    *line_end = '\0';
    char method[16], target[2048];
    if (sscanf(head, "%15s %2047s", method, target) != 2) return;
    char *headers = line_end + 2;

    long length = 0;
    for (char *p = headers; p != NULL && *p != '\0';) {
        if (strncasecmp(p, "Content-Length:", 15) == 0) length = strtol(p + 15, NULL, 10);
        p = strstr(p, "\r\n");
        if (p != NULL) p += 2;
    }
    const char *status = "400 Bad Request";
    if (length < 0 || length > MAX_BODY) {
        status = "413 Content Too Large";
    } else {
        unsigned char *body = malloc((size_t)length + 1);
        if (body == NULL) return;
        size_t got = have < (size_t)length ? have : (size_t)length;
        memcpy(body, body_start, got);
        while (got < (size_t)length) {
            ssize_t n = recv(fd, body + got, (size_t)length - got, 0);
            if (n <= 0) break;
            got += (size_t)n;
        }
        if (got == (size_t)length) {
            vg_webhook_verdict verdict;
            char *result = NULL;
            vg_error *error = NULL;
            vg_code code = vg_client_webhook_apply(r->client, r->verifier, method, target, headers, body, got,
                                                   &verdict, &result, &error);
            if (code != VG_OK) {
                fprintf(stderr, "webhook: %s\n", vg_error_message(error));
                vg_error_free(error);
            } else {
                printf("callback %s\n", result);
                fflush(stdout);
                status = verdict == VG_WEBHOOK_ACCEPTED ? "204 No Content" : "401 Unauthorized";
            }
            vg_string_free(result);
        }
        free(body);
    }
    char answer[128];
    int n = snprintf(answer, sizeof answer, "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
    if (send(fd, answer, (size_t)n, 0) < 0) perror("send");
}

static void *receive(void *argument) {
    struct receiver *r = argument;
    for (;;) {
        int fd = accept(r->listener, NULL, NULL);
        if (fd < 0) return NULL; /* the listener was shut down */
        serve_one(r, fd);
        close(fd);
    }
}

static int fail(const char *what, vg_code code, vg_error *error) {
    fprintf(stderr, "%s: %s: %s\n", what, vg_code_str(code), error ? vg_error_message(error) : "");
    vg_error_free(error);
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s BASE_URL OUTPUT.mp4 [DIALECT] [MODEL]\n", argv[0]);
        return 2;
    }
    const char *secret = getenv("VIDEOGEN_WEBHOOK_SECRET");
    if (secret == NULL || strncmp(secret, "whsec_", 6) != 0 || strlen(secret) > 200) {
        fprintf(stderr, "set VIDEOGEN_WEBHOOK_SECRET to the whsec_... secret the provider signs with\n");
        return 2;
    }
    const char *dialect = argc > 3 ? argv[3] : "unified";
    const char *model = argc > 4 ? argv[4] : "veo-3";
    struct receiver r = {0};
    snprintf(r.verifier, sizeof r.verifier, "{\"scheme\":\"standard_webhooks\",\"secret\":\"%s\"}", secret);

    /* The receiver: loopback, any free port. */
    r.listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (r.listener < 0 || bind(r.listener, (struct sockaddr *)&address, sizeof address) != 0
        || listen(r.listener, 16) != 0 || getsockname(r.listener, (struct sockaddr *)&address, &size) != 0) {
        perror("receiver");
        return 1;
    }
    int port = ntohs(address.sin_port);

    char config[1024];
    snprintf(config, sizeof config,
             "{\"dialect\":\"%s\",\"base_url\":\"%s\",\"api_key_env\":\"VIDEOGEN_API_KEY\",\"poll\":{\"interval\":60,\"max_interval\":60}}", dialect, argv[1]);
    vg_error *error = NULL;
    vg_code code = vg_client_create(config, &r.client, &error);
    if (code != VG_OK) return fail("vg_client_create", code, error);
    pthread_t thread;
    pthread_create(&thread, NULL, receive, &r);

    char request[1024];
    snprintf(request, sizeof request,
             "{\"model\":\"%s\",\"prompt\":\"A paper boat drifting down a rainy street\","
             "\"callback_url\":\"http://127.0.0.1:%d/hooks/videogen\"}", model, port);
    vg_task *task = NULL;
    int status = 1;
    code = vg_client_submit(r.client, request, &task, &error);
    if (code != VG_OK) {
        status = fail("vg_client_submit", code, error);
    } else {
        printf("submitted %s; callbacks to http://127.0.0.1:%d/hooks/videogen\n", vg_task_id(task), port);
        fflush(stdout);
        /* Polls every 60 s; the callback ends the wait as soon as it is applied. */
        code = vg_task_wait(task, 600, NULL, NULL, &error);
        if (code != VG_OK) {
            status = fail("vg_task_wait", code, error);
        } else {
            printf("%s\n", vg_state_str(vg_task_state(task)));
            code = vg_task_download(task, argv[2], NULL, NULL, &error);
            status = code == VG_OK ? 0 : fail("vg_task_download", code, error);
            if (status == 0) printf("saved %s\n", argv[2]);
        }
    }
    shutdown(r.listener, SHUT_RDWR);
    close(r.listener);
    pthread_join(thread, NULL);
    vg_task_free(task);
    vg_client_free(r.client);
    return status;
}
