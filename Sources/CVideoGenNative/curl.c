/* See include/videogen_curl.h. */
#define _GNU_SOURCE
#include "videogen_curl.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_FAILED_INIT;

static void global_init(void) {
    global_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int videogen_curl_global_init(void) {
    pthread_once(&global_once, global_init);
    return (int)global_result;
}

/* What an easy handle carries besides libcurl's state (CURLOPT_PRIVATE): the header list of its current transfer
 * and the transfer's callbacks, which the trampolines below read (libcurl's callbacks take (ptr, size, nmemb,
 * userdata); ours take (ptr, bytes, context)). */
typedef struct easy_extra {
    struct curl_slist *headers;
    videogen_curl_data_fn header;
    videogen_curl_data_fn body;
    void *context;
    /* The options that stay the same from one transfer to the next are set once per profile (decoding, proxy, CA
     * file): a handle prepared again with the same profile only gets the per-request options, without the
     * curl_easy_reset that would also free and re-allocate its buffers. */
    int configured;
    int decode;
    char *proxy;
    char *ca_file;
} easy_extra;

static int same_text(const char *a, const char *b) {
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

static void forget_profile(easy_extra *extra) {
    free(extra->proxy);
    free(extra->ca_file);
    extra->proxy = extra->ca_file = NULL;
    extra->configured = 0;
}

videogen_curl_easy *videogen_curl_easy_new(void) {
    CURL *easy = curl_easy_init();
    if (!easy) return NULL;
    easy_extra *extra = calloc(1, sizeof *extra);
    if (!extra) {
        curl_easy_cleanup(easy);
        return NULL;
    }
    curl_easy_setopt(easy, CURLOPT_PRIVATE, extra);
    return easy;
}

static easy_extra *extra_of(CURL *easy) {
    char *extra = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &extra);
    return (easy_extra *)extra;
}

void videogen_curl_easy_release(videogen_curl_easy *easy) {
    if (!easy) return;
    easy_extra *extra = extra_of(easy);
    if (extra && extra->headers) {
        curl_slist_free_all(extra->headers);
        extra->headers = NULL;
    }
}

void videogen_curl_easy_free(videogen_curl_easy *easy) {
    if (!easy) return;
    videogen_curl_easy_release(easy);
    easy_extra *extra = extra_of(easy);
    curl_easy_cleanup(easy);
    if (extra) forget_profile(extra);
    free(extra);
}

static size_t header_trampoline(char *bytes, size_t size, size_t count, void *userdata) {
    const easy_extra *extra = userdata;
    return extra->header(bytes, size * count, extra->context);
}

static size_t body_trampoline(char *bytes, size_t size, size_t count, void *userdata) {
    const easy_extra *extra = userdata;
    return extra->body(bytes, size * count, extra->context);
}

static CURLcode append(struct curl_slist **list, const char *line) {
    struct curl_slist *next = curl_slist_append(*list, line);
    if (!next) return CURLE_OUT_OF_MEMORY;
    *list = next;
    return CURLE_OK;
}

/* The options of a profile (see easy_extra), after a reset. */
static CURLcode configure(CURL *easy, easy_extra *extra, const videogen_curl_request *request) {
    forget_profile(extra);
    curl_easy_reset(easy);
    CURLcode rc = CURLE_OK;
#define SET(option, value) do { if (rc == CURLE_OK) rc = curl_easy_setopt(easy, option, value); } while (0)
    SET(CURLOPT_PRIVATE, extra);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_TCP_NODELAY, 1L);
    SET(CURLOPT_HEADERFUNCTION, header_trampoline);
    SET(CURLOPT_HEADERDATA, extra);
    SET(CURLOPT_WRITEFUNCTION, body_trampoline);
    SET(CURLOPT_WRITEDATA, extra);
    if (request->proxy) SET(CURLOPT_PROXY, request->proxy);
    if (request->ca_file) SET(CURLOPT_CAINFO, request->ca_file);
    if (request->decode_content) {
        SET(CURLOPT_ACCEPT_ENCODING, "");
    } else {
        /* Downloads: never decoded; larger reads (fewer callbacks and wake-ups per MiB). */
        SET(CURLOPT_HTTP_CONTENT_DECODING, 0L);
        SET(CURLOPT_BUFFERSIZE, 256L * 1024L);
    }
    if (rc != CURLE_OK) return rc;
    extra->decode = request->decode_content;
    extra->proxy = request->proxy ? strdup(request->proxy) : NULL;
    extra->ca_file = request->ca_file ? strdup(request->ca_file) : NULL;
    if ((request->proxy && !extra->proxy) || (request->ca_file && !extra->ca_file)) {
        forget_profile(extra);
        return CURLE_OUT_OF_MEMORY;
    }
    extra->configured = 1;
    return CURLE_OK;
}

int videogen_curl_easy_prepare(videogen_curl_easy *easy, const videogen_curl_request *request) {
    easy_extra *extra = extra_of(easy);
    if (!extra || !request || !request->url || !request->on_header || !request->on_body) return CURLE_BAD_FUNCTION_ARGUMENT;
    videogen_curl_easy_release(easy);
    extra->header = request->on_header;
    extra->body = request->on_body;
    extra->context = request->context;
    CURLcode rc = CURLE_OK;
    if (!extra->configured || extra->decode != request->decode_content || !same_text(extra->proxy, request->proxy)
        || !same_text(extra->ca_file, request->ca_file)) {
        rc = configure(easy, extra, request);
    }
    SET(CURLOPT_URL, request->url);
    SET(CURLOPT_CONNECTTIMEOUT_MS, request->connect_timeout_ms > 0 ? request->connect_timeout_ms : 0L);
    /* A request that must not be sent twice gets a fresh connection, closed after it. Others wait, over TLS, for a
     * connection being set up to say whether it multiplexes (HTTP/2) rather than open one each. */
    SET(CURLOPT_FRESH_CONNECT, request->fresh_connection ? 1L : 0L);
    SET(CURLOPT_FORBID_REUSE, request->fresh_connection ? 1L : 0L);
    SET(CURLOPT_PIPEWAIT, request->fresh_connection ? 0L : 1L);
    const char *method = request->method ? request->method : "GET";
    SET(CURLOPT_CUSTOMREQUEST, (char *)NULL);
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
        /* Forget an earlier transfer's body (setting it selects POST, so GET is selected after). */
        SET(CURLOPT_POSTFIELDS, (char *)NULL);
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)-1);
        SET(CURLOPT_HTTPGET, 1L);
        if (method[0] == 'H') SET(CURLOPT_NOBODY, 1L);
    } else {
        SET(CURLOPT_POST, 1L);
        if (strcmp(method, "POST") != 0) SET(CURLOPT_CUSTOMREQUEST, method);
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)request->body_length);
        SET(CURLOPT_POSTFIELDS, request->body_length ? (const char *)request->body : "");
    }
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < request->header_count && rc == CURLE_OK; i++) rc = append(&list, request->headers[i]);
    /* No 100-continue round trip before a body, and no encoding asked of the server for downloads. */
    if (rc == CURLE_OK) rc = append(&list, "Expect:");
    if (rc == CURLE_OK && !request->decode_content) rc = append(&list, "Accept-Encoding: identity");
    extra->headers = list;
    SET(CURLOPT_HTTPHEADER, list);
#undef SET
    return (int)rc;
}

void videogen_curl_easy_info(videogen_curl_easy *easy, videogen_curl_info *info) {
    long request_size = 0, version = 0;
    curl_off_t uploaded = 0;
    curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_size);
    curl_easy_getinfo(easy, CURLINFO_SIZE_UPLOAD_T, &uploaded);
    curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
    info->request_size = request_size;
    info->uploaded = (int64_t)uploaded;
    info->http_version = version;
}

const char *videogen_curl_strerror(int code) {
    return curl_easy_strerror((CURLcode)code);
}

videogen_curl_multi *videogen_curl_multi_new(long per_host) {
    CURLM *multi = curl_multi_init();
    if (!multi) return NULL;
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    if (per_host > 0) curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, per_host);
    return multi;
}

int videogen_curl_multi_add(videogen_curl_multi *multi, videogen_curl_easy *easy) {
    return (int)curl_multi_add_handle(multi, easy);
}

int videogen_curl_multi_remove(videogen_curl_multi *multi, videogen_curl_easy *easy) {
    return (int)curl_multi_remove_handle(multi, easy);
}

int videogen_curl_multi_perform(videogen_curl_multi *multi, int *running) {
    return (int)curl_multi_perform(multi, running);
}

int videogen_curl_multi_next_done(videogen_curl_multi *multi, videogen_curl_easy **easy, int *result) {
    int left = 0;
    CURLMsg *message;
    while ((message = curl_multi_info_read(multi, &left))) {
        if (message->msg != CURLMSG_DONE) continue;
        *easy = message->easy_handle;
        *result = (int)message->data.result;
        return 1;
    }
    return 0;
}

long videogen_curl_multi_timeout(videogen_curl_multi *multi) {
    long timeout = -1;
    curl_multi_timeout(multi, &timeout);
    return timeout;
}

int videogen_curl_multi_poll(videogen_curl_multi *multi, int timeout_ms) {
    return (int)curl_multi_poll(multi, NULL, 0, timeout_ms, NULL);
}

int videogen_curl_multi_wakeup(videogen_curl_multi *multi) {
    return (int)curl_multi_wakeup(multi);
}

void videogen_name_thread(const char *name) {
    char shortened[16];
    strncpy(shortened, name, sizeof shortened - 1);
    shortened[sizeof shortened - 1] = 0;
    pthread_setname_np(pthread_self(), shortened);
}
