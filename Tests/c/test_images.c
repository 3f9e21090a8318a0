/*
 * test_images.c: reference images given as bytes (vg_client_submit_images).
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <stdlib.h>
#include <string.h>

/* The 8-byte PNG signature and a little more: the library and the emulator check the magic bytes only. */
static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
static const char request[] = "{\"model\": \"sora-2\", \"prompt\": \"from bytes\"}";

static vg_code submit_one(vg_client *client, const char *json, const char *field, const void *data, size_t size,
                          const char *mime, vg_task **task, vg_error **error)
{
    vg_image image;
    image.field = field;
    image.data = data;
    image.size = size;
    image.mime_type = mime;
    return vg_client_submit_images(client, json, &image, 1, task, error);
}

static void bytes_reach_the_service(const char *dialect)
{
    vg_client *client = make_client(dialect, g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    REQUIRE(client != NULL);
    REQUIRE_CODE_E(submit_one(client, request, "image", png, sizeof png, "image/png", &task, &error), VG_OK, error);
    CHECK(vg_task_id(task)[0] != '\0');
    CHECK_CODE_E(vg_task_wait(task, 30, NULL, NULL, &error), VG_OK, error);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

void image_bytes_openai(void) { bytes_reach_the_service("openai"); }
void image_bytes_unified(void) { bytes_reach_the_service("unified"); }

void image_bytes_refusals(void)
{
    /* A closed port: anything that reached the network would be VG_E_NETWORK instead of the expected code. */
    vg_client *client = make_client("openai", "http://127.0.0.1:1", NULL);
    vg_client *urls_only = make_client("routerone", "http://127.0.0.1:1", NULL);
    vg_task *task = (vg_task *)0x1;
    vg_error *error = NULL;
    vg_image two[2];
    const char text[] = "this is not an image";
    unsigned char *huge = NULL;
    REQUIRE(client != NULL && urls_only != NULL);
    CHECK_CODE_E(submit_one(client, request, "image", text, sizeof text, "image/png", &task, &error),
                 VG_E_INVALID_ARGUMENT, error);
    CHECK(task == NULL);
    CHECK_CONTAINS(vg_error_message(error), "image");
    vg_error_free(error);
    error = NULL;
    CHECK_CODE_E(submit_one(client, request, "poster", png, sizeof png, NULL, &task, &error), VG_E_INVALID_ARGUMENT, error);
    CHECK_CONTAINS(vg_error_message(error), "poster");
    vg_error_free(error);
    error = NULL;
    CHECK_CODE(submit_one(client, request, "image", NULL, 10, NULL, &task, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(submit_one(client, request, NULL, png, sizeof png, NULL, &task, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(submit_one(client, request, "image", png, sizeof png, "text/plain", &task, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(vg_client_submit_images(client, request, NULL, 1, &task, NULL), VG_E_INVALID_ARGUMENT);
    CHECK_CODE(submit_one(client, "{\"model\": \"m\", \"prompt\": \"p\", \"image\": \"https://x/a.png\"}", "image",
                          png, sizeof png, NULL, &task, NULL),
               VG_E_INVALID_ARGUMENT);
    two[0].field = two[1].field = "image";
    two[0].data = two[1].data = png;
    two[0].size = two[1].size = sizeof png;
    two[0].mime_type = two[1].mime_type = NULL;
    CHECK_CODE(vg_client_submit_images(client, request, two, 2, &task, NULL), VG_E_INVALID_ARGUMENT);
    huge = calloc(20 * 1024 * 1024 + 1, 1);
    REQUIRE(huge != NULL);
    memcpy(huge, png, sizeof png);
    CHECK_CODE(submit_one(client, request, "image", huge, 20 * 1024 * 1024 + 1, NULL, &task, NULL), VG_E_TOO_LARGE);
    CHECK_CODE_E(submit_one(urls_only, request, "image", png, sizeof png, NULL, &task, &error), VG_E_UNSUPPORTED, error);
    CHECK(task == NULL);
    /* Images are optional: count 0 is a plain submit (which reaches the closed port). */
    CHECK_CODE(vg_client_submit_images(client, request, NULL, 0, &task, NULL), VG_E_NETWORK);
done:
    free(huge);
    vg_error_free(error);
    vg_client_free(client);
    vg_client_free(urls_only);
}
