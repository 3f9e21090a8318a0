/*
 * measure.c: starts one measured process from a small parent, so that its peak RSS is its own.
 *
 * Linux adds the RSS high-water mark of the memory a process had before exec to the ru_maxrss wait4 reports (the
 * old mm is accounted at exec): a program started from the benchmark's Python (30 MB and growing) would report at
 * least that. Started from this program (about 1 MB), ru_maxrss is the program's. The harness (bench/harness/
 * procs.py) runs `measure RESULT COMMAND ARGS...`; the command inherits stdin, stdout and stderr.
 *
 * RESULT receives two lines: "pid N" as soon as the command runs (the harness samples /proc/N while it runs), then
 * one JSON object from wait4 once it ends: {"utime": s, "stime": s, "maxrss_kb": n, "nvcsw": n, "nivcsw": n,
 * "status": exit code, or 128 + signal}. measure exits with the same status. If measure dies, the command is killed
 * (PR_SET_PDEATHSIG), so a timeout that kills measure leaves nothing behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s RESULT COMMAND [ARGS...]\n", argv[0]);
        return 2;
    }
    FILE *result = fopen(argv[1], "w");
    if (!result) {
        perror("measure: RESULT");
        return 2;
    }
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0) {
        perror("measure: fork");
        return 2;
    }
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);   /* measure already gone */
        fclose(result);
        execvp(argv[2], argv + 2);
        fprintf(stderr, "measure: %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    fprintf(result, "pid %ld\n", (long)child);
    fflush(result);
    /* A terminal's Ctrl-C reaches the program as well (same process group): measure waits for it to end. */
    signal(SIGINT, SIG_IGN);
    int status = 0;
    struct rusage usage;
    pid_t done;
    do {
        done = wait4(child, &status, 0, &usage);
    } while (done < 0 && errno == EINTR);
    if (done < 0) {
        perror("measure: wait4");
        return 2;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(result, "{\"utime\": %ld.%06ld, \"stime\": %ld.%06ld, \"maxrss_kb\": %ld, \"nvcsw\": %ld, \"nivcsw\": %ld,"
                    " \"status\": %d}\n", (long)usage.ru_utime.tv_sec, (long)usage.ru_utime.tv_usec,
            (long)usage.ru_stime.tv_sec, (long)usage.ru_stime.tv_usec, usage.ru_maxrss, usage.ru_nvcsw,
            usage.ru_nivcsw, code);
    fclose(result);
    return code;
}
