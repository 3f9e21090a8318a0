/* See include/videogen_directio.h. */
#define _GNU_SOURCE
#include "videogen_directio.h"

#include <errno.h>
#include <fcntl.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int videogen_set_direct_io(int fd, int on) {
#if defined(__linux__) && defined(O_DIRECT)
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    flags = on ? (flags | O_DIRECT) : (flags & ~O_DIRECT);
    return fcntl(fd, F_SETFL, flags) < 0 ? -1 : 0;
#else
    (void)fd;
    if (!on) return 0;
    errno = ENOTSUP;
    return -1;
#endif
}

void videogen_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

