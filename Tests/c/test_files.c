/*
 * test_files.c: where a download writes and what text the library takes (issue 11, points 6, 7 and 9), through
 * the C API against the emulator: symbolic links planted at "<path>.part" and its notes, a link or a FIFO at the
 * destination, a path that is not UTF-8, and request and configuration text that is not UTF-8.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char victim_text[] = "the victim's own file: it must never change\n";

/* Writes `text` to `path`; 1 on success. */
static int write_text(const char *path, const char *text)
{
    FILE *file = fopen(path, "wb");
    size_t length = strlen(text);
    int ok;
    if (file == NULL) return 0;
    ok = fwrite(text, 1, length, file) == length;
    return fclose(file) == 0 && ok;
}

/* 1 when `path` holds exactly `text`. */
static int holds_text(const char *path, const char *text)
{
    char buffer[256];
    size_t got;
    FILE *file = fopen(path, "rb");
    if (file == NULL) return 0;
    got = fread(buffer, 1, sizeof buffer, file);
    fclose(file);
    return got == strlen(text) && memcmp(buffer, text, got) == 0;
}

/* What `path` is, not following a link: 'l' a link, 'r' a regular file, 'p' a FIFO, '?' else, '-' nothing. */
static char kind_of(const char *path)
{
    struct stat status;
    if (lstat(path, &status) != 0) return '-';
    if (S_ISLNK(status.st_mode)) return 'l';
    if (S_ISREG(status.st_mode)) return 'r';
    if (S_ISFIFO(status.st_mode)) return 'p';
    return '?';
}

/* A task of `client` that succeeded, or NULL (a failure is recorded). */
static vg_task *succeeded_task(vg_client *client)
{
    vg_task *task = submit_model(client, "sora-2");
    vg_error *error = NULL;
    if (task == NULL) return NULL;
    if (vg_task_wait(task, 30, NULL, NULL, &error) != VG_OK) {
        t_fail(__FILE__, __LINE__, "the task did not succeed: %s", vg_error_message(error));
        vg_error_free(error);
        vg_task_free(task);
        return NULL;
    }
    return task;
}

/* Tasks the emulator holds (GET /_emulator/stats), or -1. */
static long emulator_tasks(void)
{
    char *response = NULL;
    const char *found;
    long tasks = -1;
    if (http_request(g_base_url, "GET", "/_emulator/stats", NULL, &response) == 200 && response != NULL &&
        (found = strstr(response, "\"tasks\":")) != NULL)
        tasks = strtol(found + 8, NULL, 10);
    free(response);
    return tasks;
}

void download_refuses_planted_links(void)
{
    static const char *const suffixes[] = {".part", ".part.resume", ".part.resume.tmp"};
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    char path[512], victim[512], link[600], dangling[512];
    size_t i;
    REQUIRE(client != NULL);
    task = succeeded_task(client);
    REQUIRE(task != NULL);
    work_path(victim, sizeof victim, "planted-victim.txt");
    for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        work_path(path, sizeof path, "planted.mp4");
        remove_download(path);
        snprintf(link, sizeof link, "%s%s", path, suffixes[i]);
        REQUIRE(write_text(victim, victim_text));
        REQUIRE(symlink(victim, link) == 0);
        CHECK_CODE_E(vg_task_download(task, path, NULL, NULL, &error), VG_E_IO, error);
        CHECK_CONTAINS(vg_error_message(error), link);
        CHECK_CONTAINS(vg_error_message(error), "symbolic link");
        CHECKF(holds_text(victim, victim_text), "%s: the link's target changed", suffixes[i]);
        CHECKF(kind_of(link) == 'l', "%s: the link is left in place", suffixes[i]);
        CHECK(!file_exists(path));
        vg_error_free(error);
        error = NULL;
        unlink(link);
        unlink(victim);
    }
    /* A dangling link: its target is not created. */
    work_path(dangling, sizeof dangling, "planted-target-not-created");
    snprintf(link, sizeof link, "%s.part", path);
    REQUIRE(symlink(dangling, link) == 0);
    CHECK_CODE_E(vg_task_download(task, path, NULL, NULL, &error), VG_E_IO, error);
    CHECK(kind_of(dangling) == '-');
    unlink(link);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

void download_replaces_link_at_destination(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    char path[512], victim[512];
    REQUIRE(client != NULL);
    task = succeeded_task(client);
    REQUIRE(task != NULL);
    work_path(path, sizeof path, "linked-destination.mp4");
    work_path(victim, sizeof victim, "linked-victim.txt");
    remove_download(path);
    REQUIRE(write_text(victim, victim_text));
    REQUIRE(symlink(victim, path) == 0);
    /* rename(2) replaces the link itself: the destination becomes the video, the link's target is untouched. */
    REQUIRE_CODE_E(vg_task_download(task, path, NULL, NULL, &error), VG_OK, error);
    CHECK(kind_of(path) == 'r');
    if (g_asset_path != NULL) CHECK(files_equal(path, g_asset_path));
    CHECK(holds_text(victim, victim_text));
done:
    if (task != NULL) remove_download(path);
    unlink(victim);
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

void download_refuses_fifo_destination(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    char path[512], part[600];
    REQUIRE(client != NULL);
    task = succeeded_task(client);
    REQUIRE(task != NULL);
    work_path(path, sizeof path, "fifo-destination.mp4");
    remove_download(path);
    snprintf(part, sizeof part, "%s.part", path);
    REQUIRE(mkfifo(path, 0600) == 0);
    CHECK_CODE_E(vg_task_download(task, path, NULL, NULL, &error), VG_E_IO, error);
    CHECK_CONTAINS(vg_error_message(error), "a FIFO");
    CHECK(kind_of(path) == 'p');
    CHECK(!file_exists(part));
done:
    unlink(path);
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

void download_path_not_utf8(void)
{
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_task *task = NULL;
    vg_error *error = NULL;
    char directory[512], path[600];
    DIR *listing = NULL;
    struct dirent *entry;
    int entries = 0;
    REQUIRE(client != NULL);
    task = succeeded_task(client);
    REQUIRE(task != NULL);
    work_path(directory, sizeof directory, "not-utf8");
    mkdir(directory, 0700);
    snprintf(path, sizeof path, "%s/v\xff\xfe.mp4", directory);
    CHECK_CODE_E(vg_task_download(task, path, NULL, NULL, &error), VG_E_INVALID_ARGUMENT, error);
    CHECK_CONTAINS(vg_error_message(error), "path is not valid UTF-8");
    vg_error_free(error);
    error = NULL;
    CHECK_CODE_E(vg_task_download_async(task, path, &error), VG_E_INVALID_ARGUMENT, error);
    /* Nothing was written anywhere, in particular not at "v\uFFFD\uFFFD.mp4". */
    listing = opendir(directory);
    REQUIRE(listing != NULL);
    while ((entry = readdir(listing)) != NULL) {
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) entries++;
    }
    CHECKF(entries == 0, "%d files were written in %s", entries, directory);
done:
    if (listing != NULL) closedir(listing);
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(client);
}

void input_not_utf8_refused(void)
{
    static const struct {
        const char *request;
        const char *field;
    } requests[] = {
        {"{\"model\": \"sora-2\", \"prompt\": \"a fox \xff in the snow\"}", "request field 'prompt'"},
        {"{\"model\": \"sora\xc3\", \"prompt\": \"a fox\"}", "request field 'model'"},
        {"{\"model\": \"sora-2\", \"prompt\": \"a fox\", \"extra\": {\"note\": \"\xe2\x82\"}}", "request field 'extra.note'"},
    };
    vg_client *client = make_client("openai", g_base_url, NULL);
    vg_client *other = NULL;
    vg_task *task = NULL;
    vg_error *error = NULL;
    char config[512];
    long before;
    size_t i;
    REQUIRE(client != NULL);
    before = emulator_tasks();
    REQUIRE(before >= 0);
    for (i = 0; i < sizeof requests / sizeof requests[0]; i++) {
        CHECK_CODE_E(vg_client_submit(client, requests[i].request, &task, &error), VG_E_INVALID_ARGUMENT, error);
        CHECK_CONTAINS(vg_error_message(error), requests[i].field);
        CHECK_CONTAINS(vg_error_message(error), "not valid UTF-8");
        CHECK(task == NULL);
        vg_error_free(error);
        error = NULL;
        CHECK_CODE_E(vg_client_submit_async(client, requests[i].request, &task, &error), VG_E_INVALID_ARGUMENT, error);
        vg_error_free(error);
        error = NULL;
    }
    CHECKF(emulator_tasks() == before, "a request that is not UTF-8 reached the service");
    /* A record and a configuration likewise. */
    CHECK_CODE_E(vg_client_resume(client,
                                  "{\"record_version\": 1, \"id\": \"video_\xff\", \"dialect\": \"openai\", "
                                  "\"state\": \"queued\"}",
                                  &task, &error),
                 VG_E_INVALID_ARGUMENT, error);
    CHECK_CONTAINS(vg_error_message(error), "record field 'id'");
    vg_error_free(error);
    error = NULL;
    snprintf(config, sizeof config, "{\"dialect\": \"openai\", \"base_url\": \"%s/\xc0\", \"api_key_env\": \"%s\"}",
             g_base_url, TEST_KEY_ENV);
    CHECK_CODE_E(vg_client_create(config, &other, &error), VG_E_INVALID_ARGUMENT, error);
    CHECK_CONTAINS(vg_error_message(error), "configuration field 'base_url'");
    CHECK(other == NULL);
    vg_error_free(error);
    error = NULL;
    /* U+FFFD written as such is text like any other. */
    REQUIRE_CODE_E(vg_client_submit(client, "{\"model\": \"sora-2\", \"prompt\": \"a fox \xef\xbf\xbd\"}", &task, &error),
                   VG_OK, error);
done:
    vg_error_free(error);
    vg_task_free(task);
    vg_client_free(other);
    vg_client_free(client);
}
