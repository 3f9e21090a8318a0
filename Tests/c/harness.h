/*
 * harness.h: the tiny test harness of the C test suite of libvideogen.
 *
 * A test is a `void name(void)` function. CHECK-style macros record a failure and go on; REQUIRE-style macros
 * record a failure and jump to the test's `done:` label (where it frees what it holds). The runner (test_main.c)
 * prints one line per test, "ok - name" or "FAIL - name: reason", and as its last line "N passed, N failed".
 * Failures may be recorded from any thread (callbacks, worker threads).
 */
#ifndef VG_TEST_HARNESS_H
#define VG_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "videogen.h"

/* ---- Run-wide settings, from the command line (see test_main.c). ---- */

/** Base URL of the main emulator (api key sk-test, task_seconds about 1). */
extern const char *g_base_url;
/** Base URL of an emulator whose 401 answers carry "WWW-Authenticate: Basic", or NULL when not given. */
extern const char *g_basic_url;
/** Path of the emulator's sample.mp4, to compare downloads with, or NULL when not given. */
extern const char *g_asset_path;
/** Lower-case hex SHA-256 of the sample, or NULL when not given. */
extern const char *g_asset_sha256;
/** A writable directory for downloads. */
extern const char *g_workdir;

/** The API key the emulator expects, and the environment variable the tests put it in. */
#define TEST_API_KEY "sk-test"
#define TEST_KEY_ENV "VG_TEST_API_KEY"

/* ---- Recording failures. ---- */

/** Records a failure of the current test (thread-safe). */
void t_fail(const char *file, int line, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/** Number of failures recorded so far in the current test. */
int t_failures(void);

#define CHECK(cond)                                                                                                   \
    do {                                                                                                              \
        if (!(cond)) t_fail(__FILE__, __LINE__, "check failed: %s", #cond);                                           \
    } while (0)

#define CHECKF(cond, ...)                                                                                             \
    do {                                                                                                              \
        if (!(cond)) t_fail(__FILE__, __LINE__, __VA_ARGS__);                                                         \
    } while (0)

#define REQUIRE(cond)                                                                                                 \
    do {                                                                                                              \
        if (!(cond)) {                                                                                                \
            t_fail(__FILE__, __LINE__, "requirement failed: %s", #cond);                                              \
            goto done;                                                                                                \
        }                                                                                                             \
    } while (0)

/** Checks that a vg_code expression equals the expected code; names both, and the error message if `err` is set. */
#define CHECK_CODE(expr, expected)                                                                                    \
    do {                                                                                                              \
        vg_code check_code_got_ = (expr);                                                                             \
        vg_code check_code_want_ = (expected);                                                                        \
        if (check_code_got_ != check_code_want_)                                                                      \
            t_fail(__FILE__, __LINE__, "%s returned %d (%s), expected %d (%s)", #expr, (int)check_code_got_,          \
                   vg_code_str(check_code_got_), (int)check_code_want_, vg_code_str(check_code_want_));               \
    } while (0)

/** Like CHECK_CODE, with the message of an error handle in the failure text; jumps to done: on mismatch. */
#define REQUIRE_CODE_E(expr, expected, err)                                                                           \
    do {                                                                                                              \
        vg_code check_code_got_ = (expr);                                                                             \
        vg_code check_code_want_ = (expected);                                                                        \
        if (check_code_got_ != check_code_want_) {                                                                    \
            t_fail(__FILE__, __LINE__, "%s returned %d (%s: %s), expected %d (%s)", #expr, (int)check_code_got_,      \
                   vg_code_str(check_code_got_), vg_error_message(err), (int)check_code_want_,                        \
                   vg_code_str(check_code_want_));                                                                    \
            goto done;                                                                                                \
        }                                                                                                             \
    } while (0)

#define CHECK_CODE_E(expr, expected, err)                                                                             \
    do {                                                                                                              \
        vg_code check_code_got_ = (expr);                                                                             \
        vg_code check_code_want_ = (expected);                                                                        \
        if (check_code_got_ != check_code_want_)                                                                      \
            t_fail(__FILE__, __LINE__, "%s returned %d (%s: %s), expected %d (%s)", #expr, (int)check_code_got_,      \
                   vg_code_str(check_code_got_), vg_error_message(err), (int)check_code_want_,                        \
                   vg_code_str(check_code_want_));                                                                    \
    } while (0)

#define CHECK_STR_EQ(got, want)                                                                                       \
    do {                                                                                                              \
        const char *check_got_ = (got);                                                                               \
        const char *check_want_ = (want);                                                                             \
        if (check_got_ == NULL || strcmp(check_got_, check_want_) != 0)                                               \
            t_fail(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", #got,                                         \
                   check_got_ ? check_got_ : "(NULL)", check_want_);                                                  \
    } while (0)

#define CHECK_CONTAINS(haystack, needle)                                                                              \
    do {                                                                                                              \
        const char *check_hay_ = (haystack);                                                                          \
        const char *check_needle_ = (needle);                                                                         \
        if (check_hay_ == NULL || strstr(check_hay_, check_needle_) == NULL)                                          \
            t_fail(__FILE__, __LINE__, "%s (\"%s\") does not contain \"%s\"", #haystack,                              \
                   check_hay_ ? check_hay_ : "(NULL)", check_needle_);                                                \
    } while (0)

#define CHECK_NOT_CONTAINS(haystack, needle)                                                                          \
    do {                                                                                                              \
        const char *check_hay_ = (haystack);                                                                          \
        const char *check_needle_ = (needle);                                                                         \
        if (check_hay_ != NULL && strstr(check_hay_, check_needle_) != NULL)                                          \
            t_fail(__FILE__, __LINE__, "%s contains \"%s\"", #haystack, check_needle_);                               \
    } while (0)

/* ---- Helpers (harness.c). ---- */

/** Monotonic time in seconds. */
double now_seconds(void);

/** Sleeps for `seconds`. */
void sleep_seconds(double seconds);

/**
 * Creates a client for `dialect` on `base_url` with the key taken from TEST_KEY_ENV and a fast poll schedule;
 * `extra` (may be NULL) is spliced into the JSON object, e.g. "\"wait_timeout\": 5". Records a failure and returns
 * NULL when creation fails.
 */
vg_client *make_client(const char *dialect, const char *base_url, const char *extra);

/** Submits {"model": model, "prompt": ...}; records a failure and returns NULL when the submit fails. */
vg_task *submit_model(vg_client *client, const char *model);

/** A path in the work directory: `<workdir>/<name>` (static buffer per call slot: use the result at once). */
void work_path(char *buffer, size_t size, const char *name);

/** 1 when the file exists. */
int file_exists(const char *path);

/** The file's size, or -1. */
long file_size(const char *path);

/** 1 when both files exist and have the same bytes. */
int files_equal(const char *a, const char *b);

/** Removes `path`, `path.part` and `path.part.resume` if present. */
void remove_download(const char *path);

/**
 * Finds the string member `key` in a JSON text (first occurrence, any depth) and copies its raw value (escapes
 * not decoded) into `out`. Returns 1 when found as a string.
 */
int json_string_member(const char *json, const char *key, char *out, size_t size);

/** 1 when `text` is exactly 64 lower-case hex digits. */
int is_sha256_hex(const char *text);

/**
 * A plain HTTP/1.0 request to a loopback "http://host:port" URL; the response (status line, headers, body) goes to
 * a malloc'ed string in *response (caller frees). Returns the HTTP status, or -1 on a connection error.
 */
int http_request(const char *base_url, const char *method, const char *path, const char *body, char **response);

/**
 * Runs `fn(arg)` on a new thread and waits at most `timeout` seconds for it. Returns 1 when it finished in time;
 * 0 when it did not (the thread is left running, detached: a hang is reported, never waited on).
 */
int run_with_timeout(void *(*fn)(void *), void *arg, double timeout);

#endif /* VG_TEST_HARNESS_H */
