/*
 * child_program.h: what the C programs that the Swift tests compile and run as child processes share
 * (crash_download.c, cancel_soak.c, fault_points.c; none of them is part of Tests/c/run.sh).
 */
#ifndef VIDEOGEN_TESTS_CHILD_PROGRAM_H
#define VIDEOGEN_TESTS_CHILD_PROGRAM_H

#include <stddef.h>
#include <stdio.h>

/* Failed checks so far; a program's exit status is 0 only when it stays 0. */
static int g_failures __attribute__((unused));

/* Counts a failed check and prints "FAIL: line N: <condition>: <message>" on stdout, at once. */
#define CHECK(cond, ...)                                                                                              \
    do {                                                                                                              \
        if (!(cond)) {                                                                                                \
            g_failures++;                                                                                             \
            printf("FAIL: line %d: %s: ", __LINE__, #cond);                                                           \
            printf(__VA_ARGS__);                                                                                      \
            printf("\n");                                                                                             \
            fflush(stdout);                                                                                           \
        }                                                                                                             \
    } while (0)

/* The configuration of an openai-dialect client of the emulator at `base_url` with `key`, and the record of a
 * succeeded task "blob" whose video is `video_url`, as another process would have saved it. */
static inline void blob_job(char *config, size_t config_size, char *record, size_t record_size, const char *base_url,
                            const char *key, const char *video_url) {
    snprintf(config, config_size,
             "{\"dialect\":\"openai\",\"base_url\":\"%s\",\"api_key\":\"%s\",\"request_timeout\":10,\"stall_timeout\":10}",
             base_url, key);
    snprintf(record, record_size,
             "{\"record_version\":1,\"id\":\"blob\",\"dialect\":\"openai\",\"base_url\":\"%s\",\"state\":\"succeeded\","
             "\"video_url\":\"%s\"}",
             base_url, video_url);
}

#endif
