/*
 * test_webhooks.c: vg_webhook_verify and vg_client_webhook_apply.
 *
 * The known answer is a Standard Webhooks signature made by the reference implementation (the standardwebhooks
 * package, 1.1.0) over the body below; the verifier's "now" fixes the clock. The end-to-end test makes the emulator
 * (started by run.sh with --webhook-secret WEBHOOK_SECRET) post its signed callback to a receiver thread here; the
 * wait polls every 60 s with a 45-s deadline, so a wait that ends succeeded before 45 s can only have ended on the
 * callback (a poll at the deadline would come at 45 s).
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

#include "harness.h"

#define WEBHOOK_SECRET "whsec_dmlkZW9nZW4tYy10ZXN0LXNlY3JldC0zMi1ieXRlcyE="
#define KAT_BODY "{\"object\":\"event\",\"type\":\"video.completed\",\"data\":{\"id\":\"video_123\"}}"
#define KAT_HEADERS                                                                                                   \
    "webhook-id: msg_c1\r\nwebhook-timestamp: 1767000000\r\n"                                                         \
    "webhook-signature: v1,xB3BpGk0nMR1HYw6g2jZQT85RxoG9hHHd4tckH9wlP8=\r\n"

static vg_webhook_verdict verify(const char *verifier, const char *headers, const char *body, size_t length)
{
    vg_webhook_verdict verdict = (vg_webhook_verdict)-1;
    char *result = NULL;
    vg_error *error = NULL;
    vg_code code = vg_webhook_verify(verifier, "POST", "/hooks", headers, (const uint8_t *)body, length, &verdict,
                                     &result, &error);
    CHECKF(code == VG_OK, "vg_webhook_verify: %s: %s", vg_code_str(code), vg_error_message(error));
    CHECKF(result != NULL && strstr(result, "\"verdict\"") != NULL, "result %s", result ? result : "(null)");
    CHECKF(result == NULL || strstr(result, "dmlkZW9nZW4") == NULL, "the result shows the secret: %s", result);
    vg_string_free(result);
    vg_error_free(error);
    return verdict;
}

void webhooks_known_answer(void)
{
    const char *at = "{\"scheme\":\"standard_webhooks\",\"secret\":\"" WEBHOOK_SECRET "\",\"now\":1767000000}";
    const char *late = "{\"scheme\":\"standard_webhooks\",\"secret\":\"" WEBHOOK_SECRET "\",\"now\":1767000301}";
    const char *capped = "{\"scheme\":\"standard_webhooks\",\"secret\":\"" WEBHOOK_SECRET "\",\"now\":1767000000,"
                         "\"max_body_bytes\":16}";
    const char *other = "{\"scheme\":\"standard_webhooks\",\"secret\":\"whsec_b3RoZXI=\",\"now\":1767000000}";
    size_t length = strlen(KAT_BODY);
    CHECK(verify(at, KAT_HEADERS, KAT_BODY, length) == VG_WEBHOOK_ACCEPTED);
    CHECK(verify(at, "WEBHOOK-ID: msg_c1\nWebhook-Timestamp: 1767000000\nwebhook-signature: v2,x "
                     "v1,xB3BpGk0nMR1HYw6g2jZQT85RxoG9hHHd4tckH9wlP8=\n", KAT_BODY, length) == VG_WEBHOOK_ACCEPTED);
    CHECK(verify(late, KAT_HEADERS, KAT_BODY, length) == VG_WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE);
    CHECK(verify(other, KAT_HEADERS, KAT_BODY, length) == VG_WEBHOOK_BAD_SIGNATURE);
    CHECK(verify(at, KAT_HEADERS, KAT_BODY, length - 1) == VG_WEBHOOK_BAD_SIGNATURE); /* truncated */
    CHECK(verify(capped, KAT_HEADERS, KAT_BODY, length) == VG_WEBHOOK_BODY_TOO_LARGE);
    CHECK(verify(at, "webhook-id: msg_c1\r\nwebhook-timestamp: 1767000000\r\n", KAT_BODY, length)
          == VG_WEBHOOK_MALFORMED_HEADER);
    CHECK(verify(at, "not a header line", KAT_BODY, length) == VG_WEBHOOK_MALFORMED_HEADER);
    CHECK(verify("{\"scheme\":\"unsigned\"}", "", KAT_BODY, length) == VG_WEBHOOK_UNSIGNED);
    CHECK(verify("{\"scheme\":\"unsigned\",\"accept_unsigned\":true}", "", KAT_BODY, length) == VG_WEBHOOK_ACCEPTED);
}

void webhooks_argument_checks(void)
{
    const char *at = "{\"scheme\":\"standard_webhooks\",\"secret\":\"" WEBHOOK_SECRET "\"}";
    vg_webhook_verdict verdict;
    char *result = NULL;
    vg_error *error = NULL;
    CHECK_CODE(vg_webhook_verify(NULL, "POST", "/", "", NULL, 0, &verdict, NULL, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_webhook_verify("{", "POST", "/", "", NULL, 0, &verdict, NULL, NULL), VG_E_INVALID_JSON);
    CHECK_CODE(vg_webhook_verify("{\"scheme\":\"standard_webhooks\"}", "POST", "/", "", NULL, 0, &verdict, NULL, NULL),
               VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_webhook_verify(at, NULL, "/", "", NULL, 0, &verdict, NULL, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_webhook_verify(at, "POST", NULL, "", NULL, 0, &verdict, NULL, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_webhook_verify(at, "POST", "/", NULL, NULL, 0, &verdict, NULL, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_webhook_verify(at, "POST", "/", "", NULL, 5, &verdict, NULL, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_webhook_verify(at, "POST", "/", "", NULL, 0, NULL, &result, &error), VG_E_INVALID_ARGUMENT);
    CHECK(result == NULL);
    CHECK(error != NULL && strstr(vg_error_message(error), "verdict") != NULL);
    CHECK(error == NULL || strstr(vg_error_message(error), "dmlkZW9nZW4") == NULL);
    vg_error_free(error);
    CHECK_CODE(vg_webhook_verify(at, "POST", "/", "x-bad: \xff\xfe", NULL, 0, &verdict, NULL, NULL),
               VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_client_webhook_apply(NULL, at, "POST", "/", "", NULL, 0, &verdict, NULL, NULL), VG_E_INVALID_HANDLE);
}

/* ---- A one-callback receiver on a loopback port. ---- */

struct receiver {
    vg_client *client;
    const char *verifier; /* the verifier document */
    const char *target;   /* the request target the callback is posted to */
    int listener;
    vg_webhook_verdict verdict;
    char result[1024];
    double applied_at;
};

/* The Content-Length of a request head (-1 when absent or not a number). */
static long content_length(const char *head)
{
    const char *line = head;
    while ((line = strstr(line, "\r\n")) != NULL) {
        line += 2;
        if (strncasecmp(line, "content-length:", 15) == 0) return strtol(line + 15, NULL, 10);
    }
    return -1;
}

static void *receive_one(void *argument)
{
    struct receiver *r = argument;
    static char request[1 << 16];
    size_t used = 0;
    int fd = accept(r->listener, NULL, NULL);
    if (fd < 0) return NULL;
    for (;;) {
        char *end;
        ssize_t n = recv(fd, request + used, sizeof request - 1 - used, 0);
        if (n <= 0) break;
        used += (size_t)n;
        request[used] = '\0';
        end = strstr(request, "\r\n\r\n");
        if (end != NULL) {
            long length = content_length(request);
            size_t head = (size_t)(end + 4 - request);
            if (length >= 0 && used >= head + (size_t)length) {
                char *line_end = strstr(request, "\r\n");
                char *result = NULL;
                vg_error *error = NULL;
                *end = '\0';
                *line_end = '\0';
                r->applied_at = now_seconds();
                vg_client_webhook_apply(r->client, r->verifier, "POST", r->target, line_end + 2,
                                        (const uint8_t *)end + 4, (size_t)length, &r->verdict, &result, &error);
                snprintf(r->result, sizeof r->result, "%s", result ? result : vg_error_message(error));
                vg_string_free(result);
                vg_error_free(error);
                break;
            }
        }
        if (used >= sizeof request - 1) break;
    }
    (void)!send(fd, "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 66, 0);
    close(fd);
    return NULL;
}

/* Submits `model` on `dialect` with a callback_url at a receiver thread that applies what arrives with `verifier`;
 * the wait (60-s polling, 45-s deadline) must end succeeded on the callback, `applied`. */
static void wait_ends_on_callback(const char *dialect, const char *model, const char *verifier)
{
    struct receiver r;
    struct sockaddr_in address;
    socklen_t size = sizeof address;
    pthread_t thread;
    int started = 0;
    char config[1024], request[512];
    vg_task *task = NULL;
    vg_error *error = NULL;
    vg_code code;
    double begin, elapsed, ended;
    memset(&r, 0, sizeof r);
    r.verdict = (vg_webhook_verdict)-1;
    r.verifier = verifier;
    r.target = "/hooks?from=c";
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r.listener = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(r.listener >= 0);
    REQUIRE(bind(r.listener, (struct sockaddr *)&address, sizeof address) == 0);
    REQUIRE(listen(r.listener, 4) == 0);
    REQUIRE(getsockname(r.listener, (struct sockaddr *)&address, &size) == 0);
    snprintf(config, sizeof config,
             "{\"dialect\": \"%s\", \"base_url\": \"%s\", \"api_key_env\": \"%s\","
             " \"poll\": {\"interval\": 60, \"max_interval\": 60, \"jitter\": 0}}",
             dialect, g_base_url, TEST_KEY_ENV);
    REQUIRE_CODE_E(vg_client_create(config, &r.client, &error), VG_OK, error);
    REQUIRE(pthread_create(&thread, NULL, receive_one, &r) == 0);
    started = 1;
    snprintf(request, sizeof request,
             "{\"model\": \"%s\", \"prompt\": \"a paper boat\", \"callback_url\": \"http://127.0.0.1:%d%s\"}",
             model, ntohs(address.sin_port), r.target);
    REQUIRE_CODE_E(vg_client_submit(r.client, request, &task, &error), VG_OK, error);
    begin = now_seconds();
    code = vg_task_wait(task, 45, NULL, NULL, &error);
    ended = now_seconds();
    elapsed = ended - begin;
    CHECKF(code == VG_OK, "vg_task_wait: %s: %s", vg_code_str(code), vg_error_message(error));
    CHECK(vg_task_state(task) == VG_STATE_SUCCEEDED);
    CHECKF(elapsed < 44, "the wait took %.1f s: it ended on a poll, not on the callback", elapsed);
    pthread_join(thread, NULL);
    started = 0;
    CHECKF(r.verdict == VG_WEBHOOK_ACCEPTED, "verdict %d: %s", (int)r.verdict, r.result);
    CHECK_CONTAINS(r.result, "\"kind\":\"applied\"");
    CHECK_CONTAINS(r.result, "\"waits\":1");
    printf("# %s: callback received -> wait ended: %.1f ms\n", dialect, 1000 * (ended - r.applied_at));
done:
    vg_error_free(error);
    if (r.listener >= 0) {
        shutdown(r.listener, SHUT_RDWR);
        close(r.listener);
    }
    if (started) pthread_join(thread, NULL);
    vg_task_free(task);
    vg_client_free(r.client);
}

void webhooks_wait_ends_on_callback(void)
{
    wait_ends_on_callback("unified", "veo-3", "{\"scheme\":\"standard_webhooks\",\"secret\":\"" WEBHOOK_SECRET "\"}");
}

/* OpenRouter signs with the workspace secret (the emulator's configured secret, used as OpenRouter's). */
void webhooks_openrouter_wait_ends_on_callback(void)
{
    wait_ends_on_callback("openrouter", "google/veo-3.1", "{\"scheme\":\"openrouter\",\"secret\":\"" WEBHOOK_SECRET "\"}");
}

/* Vidu signs with the API token. */
void webhooks_vidu_wait_ends_on_callback(void)
{
    char verifier[512];
    const char *key = getenv(TEST_KEY_ENV);
    REQUIRE(key != NULL && strlen(key) < 256 && strpbrk(key, "\"\\") == NULL);
    snprintf(verifier, sizeof verifier, "{\"scheme\":\"vidu\",\"secret\":\"%s\"}", key);
    wait_ends_on_callback("vidu", "viduq2", verifier);
done:
    return;
}
