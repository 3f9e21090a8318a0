/* proc_status.h: one field of /proc/self/status (VmRSS, VmHWM, RssAnon, Threads, ...), shared by the bench clients. */
#ifndef BENCH_PROC_STATUS_H
#define BENCH_PROC_STATUS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value of `field` (kB for sizes, a count for Threads), or -1 when it cannot be read. */
static inline long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long value = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            value = strtol(line + n + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return value;
}

#endif
