/*
 * test_main.c: the runner of the C test suite of libvideogen.
 *
 * Usage: vg_tests BASE_URL [--basic URL] [--asset PATH] [--sha256 HEX] [--workdir DIR] [--only NAME]...
 *   BASE_URL   the emulator (api key sk-test; task_seconds about 1)
 *   --basic    a second emulator started with --www-authenticate Basic
 *   --asset    the emulator's sample.mp4, compared byte for byte with downloads
 *   --sha256   its SHA-256 in lower-case hex
 *   --workdir  where downloads go (default: a new directory under /tmp)
 *   --only     run only tests whose name contains this text (repeatable)
 * With VG_TEST_TIMES set in the environment, the time of each test goes to stderr; with VG_TEST_VERBOSE, a few
 * tests describe what they observed there.
 *
 * Prints "ok - name" or "FAIL - name: reason" per test and, as the last line, "N passed, N failed"; exits 1 when a
 * test failed. A test that hangs past its time limit, or crashes the process, is reported as failed by a watchdog
 * thread or a signal handler, which still print the closing line.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *g_base_url = NULL;
const char *g_basic_url = NULL;
const char *g_asset_path = NULL;
const char *g_asset_sha256 = NULL;
const char *g_workdir = NULL;

/* The tests, with their time limits in seconds. */
#define TEST_LIST(X)                                                                                                  \
    X(version_numbers, 10)                                                                                            \
    X(code_strings, 10)                                                                                               \
    X(state_strings, 10)                                                                                              \
    X(idempotency_keys, 10)                                                                                           \
    X(config_literal_key, 10)                                                                                         \
    X(config_env_key, 10)                                                                                             \
    X(config_missing_key_env, 10)                                                                                     \
    X(config_empty_key_env, 10)                                                                                       \
    X(config_no_key, 10)                                                                                              \
    X(config_unknown_dialect, 10)                                                                                     \
    X(config_relative_url, 10)                                                                                        \
    X(config_ftp_url, 10)                                                                                             \
    X(config_insecure_http, 10)                                                                                       \
    X(config_malformed_json, 10)                                                                                      \
    X(config_unknown_key, 10)                                                                                         \
    X(config_wrong_type, 10)                                                                                          \
    X(config_secret_not_in_messages, 10)                                                                              \
    X(config_out_cleared_on_failure, 10)                                                                              \
    X(request_missing_model, 10)                                                                                      \
    X(request_missing_prompt, 10)                                                                                     \
    X(request_unknown_field, 10)                                                                                      \
    X(request_wrong_type, 10)                                                                                         \
    X(request_malformed_json, 10)                                                                                     \
    X(request_openai_seed_unsupported, 10)                                                                            \
    X(null_args_client_create, 10)                                                                                    \
    X(null_args_client_submit, 10)                                                                                    \
    X(null_args_client_resume, 10)                                                                                    \
    X(null_args_task_calls, 10)                                                                                       \
    X(null_handle_getters, 10)                                                                                        \
    X(free_null_is_noop, 10)                                                                                          \
    X(double_free, 10)                                                                                                \
    X(use_after_free, 10)                                                                                             \
    X(stale_handle_after_reuse, 10)                                                                                   \
    X(wrong_kind_handles, 10)                                                                                         \
    X(forged_handles, 10)                                                                                             \
    X(error_cleared_on_success, 10)                                                                                   \
    X(resume_refuses_bad_records, 10)                                                                                 \
    X(cancel_bad_flags, 10)                                                                                           \
    X(wait_nan_timeout, 10)                                                                                           \
    X(happy_path_openai, 30)                                                                                          \
    X(happy_path_unified, 30)                                                                                         \
    X(literal_key_submit, 20)                                                                                         \
    X(poll_and_resume_openai, 30)                                                                                     \
    X(poll_and_resume_unified, 30)                                                                                    \
    X(resume_succeeded_record, 30)                                                                                    \
    X(redirect_download, 30)                                                                                          \
    X(unified_poll_shapes, 60)                                                                                        \
    X(request_unicode_prompt, 20)                                                                                     \
    X(cdn_never_gets_key, 20)                                                                                         \
    X(poll_hint_honoured, 30)                                                                                         \
    X(download_too_large, 20)                                                                                         \
    X(foreign_video_url_gets_no_key, 30)                                                                              \
    X(auth_wrong_key_openai, 20)                                                                                      \
    X(auth_wrong_key_unified, 20)                                                                                     \
    X(auth_basic_challenge, 60)                                                                                       \
    X(unknown_task_openai, 30)                                                                                        \
    X(unknown_task_unified, 30)                                                                                       \
    X(task_fails_openai, 30)                                                                                          \
    X(task_fails_unified, 30)                                                                                         \
    X(task_empty_openai, 30)                                                                                          \
    X(task_empty_unified, 30)                                                                                         \
    X(download_not_ready, 20)                                                                                         \
    X(download_io_error, 30)                                                                                          \
    X(wait_deadline, 30)                                                                                              \
    X(wait_default_timeout, 30)                                                                                       \
    X(cancel_from_thread, 30)                                                                                         \
    X(cancel_in_callback, 30)                                                                                         \
    X(cancel_remote_unsupported, 30)                                                                                  \
    X(free_during_wait, 30)                                                                                           \
    X(progress_callback_abort, 30)                                                                                    \
    X(download_callback_abort, 30)                                                                                    \
    X(client_free_keeps_tasks, 30)                                                                                    \
    X(many_threads, 60)                                                                                               \
    X(async_argument_checks, 30)                                                                                      \
    X(async_many_openai, 150)                                                                                         \
    X(async_many_unified, 150)                                                                                        \
    X(async_download, 60)                                                                                             \
    X(async_failure_and_abort, 60)                                                                                    \
    X(async_cancel, 30)                                                                                               \
    X(async_client_freed_first, 60)                                                                                   \
    X(updates_wait_v2, 60)                                                                                            \
    X(updates_download_v2, 60)                                                                                        \
    X(updates_failed_task, 30)                                                                                        \
    X(updates_stop_and_cancel_v2, 30)                                                                                 \
    X(updates_cancel_from_thread_v2, 30)                                                                              \
    X(updates_dispatch_v2, 90)                                                                                        \
    X(updates_argument_checks, 30)                                                                                    \
    X(image_bytes_openai, 30)                                                                                         \
    X(image_bytes_unified, 30)                                                                                        \
    X(image_bytes_refusals, 30)                                                                                       \
    X(videos_argument_checks, 20)                                                                                     \
    X(videos_list_pages, 60)                                                                                          \
    X(videos_delete, 30)                                                                                              \
    X(videos_remix, 60)                                                                                               \
    X(videos_download_variants, 30)                                                                                   \
    X(videos_unsupported_dialects, 30)                                                                                \
    X(providers_direct, 120)                                                                                          \
    X(providers2_whole_jobs, 60) X(providers2_download_output, 60) X(providers2_output_argument_checks, 30)          \
    X(providers2_vidu_cover_and_resume, 60) X(providers2_errors, 60)                                                  \
    X(download_refuses_planted_links, 30)                                                                             \
    X(download_replaces_link_at_destination, 30)                                                                      \
    X(download_refuses_fifo_destination, 30)                                                                          \
    X(download_path_not_utf8, 30)                                                                                     \
    X(input_not_utf8_refused, 30)                                                                                     \
    X(webhooks_known_answer, 20)                                                                                      \
    X(webhooks_argument_checks, 20)                                                                                   \
    X(webhooks_wait_ends_on_callback, 60)                                                                             \
    X(direct_providers, 120)                                                                                          \
    X(webhooks_openrouter_wait_ends_on_callback, 60)                                                                  \
    X(webhooks_vidu_wait_ends_on_callback, 60)                                                                        \
    X(threads_hammer, 90)                                                                                             \
    X(google_gemini_end_to_end, 60)                                                                                   \
    X(google_vertex_end_to_end, 60)                                                                                   \
    X(gemini_interactions_end_to_end, 60)

#define DECLARE_TEST(name, limit) void name(void);
TEST_LIST(DECLARE_TEST)

struct test_entry {
    const char *name;
    void (*fn)(void);
    int limit;
};

#define TEST_ENTRY(name, limit) {#name, name, limit},
static const struct test_entry tests[] = {TEST_LIST(TEST_ENTRY)};

/* ---- State of the run. ---- */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *volatile g_current = "(none)";
static volatile int g_passed = 0;
static volatile int g_failed = 0;
static int g_test_failures = 0;
static char g_first_reason[1024];
static double g_deadline = 0; /* monotonic; 0 = no test running */

void t_fail(const char *file, int line, const char *format, ...)
{
    char reason[900];
    va_list args;
    const char *base = strrchr(file, '/');
    va_start(args, format);
    vsnprintf(reason, sizeof reason, format, args);
    va_end(args);
    pthread_mutex_lock(&g_lock);
    if (g_test_failures == 0) {
        snprintf(g_first_reason, sizeof g_first_reason, "%s (%s:%d)", reason, base ? base + 1 : file, line);
    }
    g_test_failures++;
    fprintf(stderr, "#   %s: %s:%d: %s\n", g_current, base ? base + 1 : file, line, reason);
    pthread_mutex_unlock(&g_lock);
}

int t_failures(void)
{
    int n;
    pthread_mutex_lock(&g_lock);
    n = g_test_failures;
    pthread_mutex_unlock(&g_lock);
    return n;
}

/* ---- Async-signal-safe reporting of hangs and crashes. ---- */

static void put_text(const char *text)
{
    size_t n = strlen(text);
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, text, n);
        if (w <= 0) return;
        text += w;
        n -= (size_t)w;
    }
}

static void put_int(int value)
{
    char digits[16];
    int i = (int)sizeof digits - 1;
    unsigned int v = value < 0 ? (unsigned int)-value : (unsigned int)value;
    digits[i] = '\0';
    do {
        digits[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0 && i > 0);
    if (value < 0 && i > 0) digits[--i] = '-';
    put_text(digits + i);
}

static void abort_run(const char *why, int number)
{
    put_text("FAIL - ");
    put_text(g_current);
    put_text(": ");
    put_text(why);
    if (number >= 0) put_int(number);
    put_text(" (remaining tests not run)\n");
    put_int(g_passed);
    put_text(" passed, ");
    put_int(g_failed + 1);
    put_text(" failed\n");
    _exit(1);
}

static void on_crash(int signal_number)
{
    abort_run("the process crashed with signal ", signal_number);
}

static void *watchdog(void *unused)
{
    (void)unused;
    for (;;) {
        double deadline;
        sleep_seconds(0.1);
        pthread_mutex_lock(&g_lock);
        deadline = g_deadline;
        pthread_mutex_unlock(&g_lock);
        if (deadline > 0 && now_seconds() > deadline) {
            fflush(stdout);
            abort_run("hung past its time limit (watchdog)", -1);
        }
    }
    return NULL;
}

static int selected(const char *name, int argc, char **argv)
{
    int i, any = 0;
    for (i = 2; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--only") == 0) {
            any = 1;
            if (strstr(name, argv[i + 1]) != NULL) return 1;
        }
    }
    return !any;
}

int main(int argc, char **argv)
{
    static char tmpdir[] = "/tmp/vg-c-tests.XXXXXX";
    pthread_t watchdog_thread;
    size_t i;
    int a;
    int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};

    if (argc < 2 || strncmp(argv[1], "http", 4) != 0) {
        fprintf(stderr, "usage: %s BASE_URL [--basic URL] [--asset PATH] [--sha256 HEX] [--workdir DIR] [--only NAME]\n",
                argv[0]);
        return 2;
    }
    g_base_url = argv[1];
    for (a = 2; a + 1 < argc; a += 2) {
        if (strcmp(argv[a], "--basic") == 0) g_basic_url = argv[a + 1];
        else if (strcmp(argv[a], "--asset") == 0) g_asset_path = argv[a + 1];
        else if (strcmp(argv[a], "--sha256") == 0) g_asset_sha256 = argv[a + 1];
        else if (strcmp(argv[a], "--workdir") == 0) g_workdir = argv[a + 1];
        else if (strcmp(argv[a], "--only") == 0) continue;
        else {
            fprintf(stderr, "unknown option %s\n", argv[a]);
            return 2;
        }
    }
    if (g_workdir == NULL) {
        if (mkdtemp(tmpdir) == NULL) {
            perror("mkdtemp");
            return 2;
        }
        g_workdir = tmpdir;
    }
    if (setenv(TEST_KEY_ENV, TEST_API_KEY, 1) != 0) {
        perror("setenv");
        return 2;
    }
    unsetenv("VG_TEST_UNSET_VARIABLE");
    signal(SIGPIPE, SIG_IGN);
    for (i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_crash;
        sigemptyset(&action.sa_mask);
        action.sa_flags = (int)SA_RESETHAND;
        sigaction(signals[i], &action, NULL);
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (pthread_create(&watchdog_thread, NULL, watchdog, NULL) != 0) {
        perror("pthread_create");
        return 2;
    }
    pthread_detach(watchdog_thread);

    for (i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        int failures;
        double started;
        if (!selected(tests[i].name, argc, argv)) continue;
        pthread_mutex_lock(&g_lock);
        g_current = tests[i].name;
        g_test_failures = 0;
        g_first_reason[0] = '\0';
        g_deadline = now_seconds() + tests[i].limit;
        pthread_mutex_unlock(&g_lock);

        started = now_seconds();
        tests[i].fn();
        if (getenv("VG_TEST_TIMES") != NULL) fprintf(stderr, "# %s took %.2f s\n", tests[i].name, now_seconds() - started);

        pthread_mutex_lock(&g_lock);
        g_deadline = 0;
        failures = g_test_failures;
        if (failures == 0) {
            g_passed++;
            printf("ok - %s\n", tests[i].name);
        } else {
            g_failed++;
            if (failures > 1) printf("FAIL - %s: %s (+%d more)\n", tests[i].name, g_first_reason, failures - 1);
            else printf("FAIL - %s: %s\n", tests[i].name, g_first_reason);
        }
        fflush(stdout);
        fflush(stderr);
        pthread_mutex_unlock(&g_lock);
    }
    pthread_mutex_lock(&g_lock);
    g_current = "(after the last test)";
    printf("%d passed, %d failed\n", g_passed, g_failed);
    fflush(stdout);
    pthread_mutex_unlock(&g_lock);
    /* _exit: threads deliberately left behind by timed-out tests must not delay or crash the exit. */
    _exit(g_failed == 0 ? 0 : 1);
}
