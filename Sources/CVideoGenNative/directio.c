/* See include/videogen_directio.h. */
#define _GNU_SOURCE
#include "videogen_directio.h"

#include <errno.h>
#include <fcntl.h>

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
