/*
 * job.c: the main job from C against an installed or dist libvideogen, for Tests/dist/run.sh.
 *
 * Creates a client for the emulator, submits a task, waits for it, downloads the video, checks the file is the
 * emulator's asset byte for byte and that the library reports the header's version and ABI; then reads
 * /proc/self/maps and fails when anything mapped comes from a forbidden directory (the toolchain's) or is a Swift
 * runtime library wherever it lives, and when libvideogen itself is not mapped from EXPECTED_LIBDIR.
 *
 * Usage: job BASE_URL ASSET OUTPUT EXPECTED_LIBDIR [FORBIDDEN_DIR...]
 * The API key is read from VIDEOGEN_API_KEY (never from the command line).
 * Prints "ok - what" / "FAIL - what: why" lines; exits 0 only when everything passed.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "videogen.h"

static int failures = 0;

static void check(int ok, const char *what, const char *why)
{
    if (ok) {
        printf("ok - %s\n", what);
    } else {
        printf("FAIL - %s: %s\n", what, why);
        failures++;
    }
    fflush(stdout);
}

static int step(const char *what, vg_code code, vg_error *error)
{
    char why[512];
    snprintf(why, sizeof why, "%s: %s", vg_code_str(code), error ? vg_error_message(error) : "");
    check(code == VG_OK, what, why);
    vg_error_free(error);
    return code == VG_OK;
}

/* 1 when the files at a and b have the same bytes. */
static int same_bytes(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa != NULL && fb != NULL;
    while (same) {
        int ca = getc(fa), cb = getc(fb);
        if (ca != cb) same = 0;
        if (ca == EOF || cb == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return same;
}

/* The Swift runtime and Foundation libraries, by file name: none may be mapped, from anywhere. */
static const char *const runtime_names[] = {"libswift", "libFoundation", "lib_Foundation", "libdispatch.so",
                                            "libBlocksRuntime.so", "libicu"};

/* Checks /proc/self/maps: no forbidden directory, no toolchain runtime, libvideogen from expected_dir. */
static void check_maps(const char *expected_dir, char **forbidden, int nforbidden)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    check(maps != NULL, "read_proc_self_maps", "cannot open /proc/self/maps");
    if (!maps) return;
    char line[4096], bad[4096] = "", videogen[4096] = "";
    size_t nexpected = strlen(expected_dir);
    while (fgets(line, sizeof line, maps)) {
        char *path = strchr(line, '/');
        if (!path) continue;
        path[strcspn(path, "\n")] = 0;
        const char *name = strrchr(path, '/') + 1;
        int is_bad = 0;
        for (int i = 0; i < nforbidden; i++) {
            size_t n = strlen(forbidden[i]);
            if (strncmp(path, forbidden[i], n) == 0 && (path[n] == '/' || path[n] == 0)) is_bad = 1;
        }
        for (size_t i = 0; i < sizeof runtime_names / sizeof runtime_names[0]; i++) {
            if (strncmp(name, runtime_names[i], strlen(runtime_names[i])) == 0) is_bad = 1;
        }
        if (is_bad && bad[0] == 0) snprintf(bad, sizeof bad, "%s is mapped", path);
        if (strncmp(name, "libvideogen.so", 14) == 0 && videogen[0] == 0) snprintf(videogen, sizeof videogen, "%s", path);
    }
    fclose(maps);
    check(bad[0] == 0, "nothing_mapped_from_the_toolchain", bad);
    char why[4600];
    snprintf(why, sizeof why, "libvideogen mapped from '%s', expected under %s", videogen, expected_dir);
    check(strncmp(videogen, expected_dir, nexpected) == 0 && videogen[nexpected] == '/', "libvideogen_mapped_from_expected_dir", why);
    if (videogen[0]) printf("# libvideogen mapped from %s\n", videogen);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s BASE_URL ASSET OUTPUT EXPECTED_LIBDIR [FORBIDDEN_DIR...]\n", argv[0]);
        return 2;
    }
    const char *base_url = argv[1], *asset = argv[2], *output = argv[3];
    char why[256];

    snprintf(why, sizeof why, "the library has ABI %u, the header %d", vg_abi_version(), VG_ABI_VERSION);
    check(vg_abi_version() == VG_ABI_VERSION, "abi_matches_header", why);
    snprintf(why, sizeof why, "the library is %s, the header %s", vg_version_string(), VG_VERSION_STRING);
    check(strcmp(vg_version_string(), VG_VERSION_STRING) == 0, "version_matches_header", why);

    char config[1024];
    snprintf(config, sizeof config,
             "{\"dialect\": \"openai\", \"base_url\": \"%s\", \"api_key_env\": \"VIDEOGEN_API_KEY\","
             " \"poll\": {\"interval\": 0.2, \"max_interval\": 0.4}}",
             base_url);
    vg_client *client = NULL;
    vg_task *task = NULL;
    vg_error *error = NULL;
    remove(output);
    if (step("client_create", vg_client_create(config, &client, &error), error)) {
        error = NULL;
        if (step("submit", vg_client_submit(client, "{\"model\": \"sora-2\", \"prompt\": \"a paper boat\", \"duration\": 4}",
                                            &task, &error), error)) {
            error = NULL;
            if (step("wait", vg_task_wait(task, 60, NULL, NULL, &error), error)) {
                snprintf(why, sizeof why, "the task is %s", vg_state_str(vg_task_state(task)));
                check(vg_task_state(task) == VG_STATE_SUCCEEDED, "task_succeeded", why);
                error = NULL;
                if (step("download", vg_task_download(task, output, NULL, NULL, &error), error)) {
                    snprintf(why, sizeof why, "%s differs from %s", output, asset);
                    check(same_bytes(output, asset), "download_is_the_asset", why);
                }
            }
        }
    }
    vg_task_free(task);
    vg_client_free(client);

    check_maps(argv[4], argv + 5, argc - 5);
    return failures == 0 ? 0 : 1;
}
