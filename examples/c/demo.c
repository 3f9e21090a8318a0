/*
 * demo.c: the main job of libvideogen from C: create a client, submit a text-to-video task, print its progress
 * while waiting, download the MP4, print its path and size.
 *
 * Usage: demo BASE_URL OUTPUT.mp4 [DIALECT] [MODEL]
 * The API key is read from the environment variable VIDEOGEN_API_KEY (never from the command line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "videogen.h"

static int on_progress(vg_task *task, void *user_data)
{
    (void)user_data;
    int progress = vg_task_progress(task);
    int position = vg_task_queue_position(task);
    printf("  %-9s", vg_state_str(vg_task_state(task)));
    if (progress >= 0) printf(" %3d%%", progress);
    if (position >= 0) printf("  (queue position %d)", position);
    printf("\n");
    fflush(stdout);
    return 0;
}

static int on_bytes(vg_task *task, uint64_t received, int64_t total, void *user_data)
{
    (void)task;
    (void)user_data;
    if (total > 0) printf("\r  downloaded %llu of %lld bytes", (unsigned long long)received, (long long)total);
    else printf("\r  downloaded %llu bytes", (unsigned long long)received);
    fflush(stdout);
    return 0;
}

static int fail(const char *step, vg_code code, vg_error *error)
{
    fprintf(stderr, "demo: %s failed: %s: %s\n", step, vg_code_str(code), vg_error_message(error));
    vg_error_free(error);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s BASE_URL OUTPUT.mp4 [DIALECT] [MODEL]\n", argv[0]);
        return 2;
    }
    const char *dialect = argc > 3 ? argv[3] : "openai";
    const char *model = argc > 4 ? argv[4] : "sora-2";
    if (vg_abi_version() != VG_ABI_VERSION) {
        fprintf(stderr, "demo: libvideogen ABI %u, built for %d\n", vg_abi_version(), VG_ABI_VERSION);
        return 1;
    }
    printf("libvideogen %s, dialect %s, service %s\n", vg_version_string(), dialect, argv[1]);

    char config[1024];
    snprintf(config, sizeof config,
             "{\"dialect\": \"%s\", \"base_url\": \"%s\", \"api_key_env\": \"VIDEOGEN_API_KEY\","
             " \"poll\": {\"interval\": 0.4, \"max_interval\": 0.8}}",
             dialect, argv[1]);
    vg_error *error = NULL;
    vg_client *client = NULL;
    vg_code code = vg_client_create(config, &client, &error);
    if (code != VG_OK) return fail("creating the client", code, error);

    char request[512];
    snprintf(request, sizeof request,
             "{\"model\": \"%s\", \"prompt\": \"A paper boat drifting down a rainy street, cinematic\","
             " \"duration\": 4, \"size\": \"1280x720\"}",
             model);
    vg_task *task = NULL;
    code = vg_client_submit(client, request, &task, &error);
    if (code != VG_OK) {
        vg_client_free(client);
        return fail("submitting", code, error);
    }
    printf("submitted task %s\n", vg_task_id(task));

    code = vg_task_wait(task, 120, on_progress, NULL, &error);
    if (code != VG_OK) {
        vg_task_free(task);
        vg_client_free(client);
        return fail("waiting", code, error);
    }

    code = vg_task_download(task, argv[2], on_bytes, NULL, &error);
    printf("\n");
    if (code != VG_OK) {
        vg_task_free(task);
        vg_client_free(client);
        return fail("downloading", code, error);
    }

    char *snapshot = NULL;
    if (vg_task_snapshot_json(task, &snapshot) == VG_OK) {
        const char *digest = strstr(snapshot, "\"sha256\":\"");
        if (digest) printf("sha256 %.64s\n", digest + 10);
        vg_string_free(snapshot);
    }
    FILE *file = fopen(argv[2], "rb");
    long size = -1;
    if (file) {
        fseek(file, 0, SEEK_END);
        size = ftell(file);
        fclose(file);
    }
    printf("saved %s (%ld bytes)\n", argv[2], size);
    vg_task_free(task);
    vg_client_free(client);
    return 0;
}
