/* libcurl glue of videogen's transport (Sources/VideoGen/Transport): libcurl's option and info calls are
 * variadic, which Swift cannot call, so each transfer is configured and read here, from plain structs.
 * Every policy (redirects, deadlines, bounds, credentials) stays in Swift; this file only moves values.
 * Nothing here is exported from libvideogen.so (exports.map). */
#ifndef VIDEOGEN_CURL_H
#define VIDEOGEN_CURL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A libcurl easy handle (CURL *). */
typedef void videogen_curl_easy;
/** A libcurl multi handle (CURLM *). */
typedef void videogen_curl_multi;

/** Receives body bytes or one header line; returns `size` to go on, anything else aborts the transfer. */
typedef size_t (*videogen_curl_data_fn)(const char *bytes, size_t size, void *context);

/** What one transfer sends (one hop: the transport follows redirects itself). Strings are copied by libcurl,
 *  except `body`, which must stay valid until the transfer is removed from its multi handle. */
typedef struct videogen_curl_request {
    const char *url;
    /** "GET", "POST", "HEAD", or any other method (sent as given). */
    const char *method;
    const uint8_t *body;
    size_t body_length;
    /** Header lines "Name: value", `header_count` of them. */
    const char *const *headers;
    size_t header_count;
    /** Non-zero: ask for every encoding libcurl decodes (gzip, deflate, br, zstd) and decode; zero: send
     *  `Accept-Encoding: identity` and never decode (downloads: sizes are checked on the bytes as sent). */
    int decode_content;
    /** Non-zero: a new connection, closed after this transfer (a request that must never be re-sent). */
    int fresh_connection;
    /** A proxy URL, or NULL for libcurl's environment variables (http_proxy, HTTPS_PROXY, NO_PROXY, ...). */
    const char *proxy;
    /** A PEM file of CA certificates to verify servers with instead of the system's store, or NULL. */
    const char *ca_file;
    /** Milliseconds to wait for a connection (TCP and TLS) before libcurl gives up; <= 0 for libcurl's default. */
    long connect_timeout_ms;
    videogen_curl_data_fn on_header;
    videogen_curl_data_fn on_body;
    void *context;
} videogen_curl_request;

/** Calls curl_global_init once (thread-safe); returns 0 on success. */
int videogen_curl_global_init(void);

/** A new easy handle, or NULL. */
videogen_curl_easy *videogen_curl_easy_new(void);
/** Resets `easy` and configures it for `request`: TLS verification on (system CA store), HTTP/2 over TLS when
 *  offered, http and https only, no redirects, cookies, auth or signals. Returns a CURLcode (0 = CURLE_OK). */
int videogen_curl_easy_prepare(videogen_curl_easy *easy, const videogen_curl_request *request);
/** Frees the header list the last prepare built (NULL-safe), keeping the handle. */
void videogen_curl_easy_release(videogen_curl_easy *easy);
/** Frees the handle. */
void videogen_curl_easy_free(videogen_curl_easy *easy);

/** What is known about a transfer when it ended. */
typedef struct videogen_curl_info {
    /** Bytes of request headers sent (0: nothing went out). */
    long request_size;
    /** Body bytes uploaded. */
    int64_t uploaded;
    /** The HTTP version used (libcurl's CURL_HTTP_VERSION_*). */
    long http_version;
} videogen_curl_info;

void videogen_curl_easy_info(videogen_curl_easy *easy, videogen_curl_info *info);
/** libcurl's static text for a CURLcode. */
const char *videogen_curl_strerror(int code);

/** A multi handle with at most `per_host` connections per host (HTTP/2 multiplexing on), or NULL. */
videogen_curl_multi *videogen_curl_multi_new(long per_host);
int videogen_curl_multi_add(videogen_curl_multi *multi, videogen_curl_easy *easy);
int videogen_curl_multi_remove(videogen_curl_multi *multi, videogen_curl_easy *easy);
/** curl_multi_perform; stores the number of running transfers. */
int videogen_curl_multi_perform(videogen_curl_multi *multi, int *running);
/** The next finished transfer: returns 1 and fills `easy` and `result` (a CURLcode), or 0 when none is left. */
int videogen_curl_multi_next_done(videogen_curl_multi *multi, videogen_curl_easy **easy, int *result);
/** Milliseconds libcurl wants to be called again within (-1: no timer). */
long videogen_curl_multi_timeout(videogen_curl_multi *multi);
/** Waits for socket activity, a timer, or a wakeup, at most `timeout_ms`. */
int videogen_curl_multi_poll(videogen_curl_multi *multi, int timeout_ms);
/** Interrupts a poll from any thread. */
int videogen_curl_multi_wakeup(videogen_curl_multi *multi);

/** Names the calling thread (the first 15 bytes of `name`), for debuggers and `top -H`. */
void videogen_name_thread(const char *name);

#ifdef __cplusplus
}
#endif

#endif
