package videogen

/*
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <unistd.h>
#include "videogen.h"

// Defined by //export in dispatcher.go.
extern int vgGoOnUpdate(vg_task *task, vg_update *update, uintptr_t dispatcher);

// The vg_update_fn given to vg_client_dispatch_v2: hands each update to Go with its dispatcher's handle.
static int vg_go_update_trampoline(vg_task *task, const vg_update *update, void *user_data) {
    return vgGoOnUpdate(task, (vg_update *)update, (uintptr_t)user_data);
}

// Delivers the client's pending events (without waiting) to the dispatcher whose cgo handle is `dispatcher`.
static vg_code vg_go_dispatch(vg_client *client, uintptr_t dispatcher) {
    return vg_client_dispatch_v2(client, 0, vg_go_update_trampoline, (void *)dispatcher, NULL);
}

// Blocks until the event fd or the wake pipe is readable; empties the wake pipe. 0 on success, else errno.
static int vg_go_wait(int event_fd, int wake_fd) {
    struct pollfd fds[2] = {{event_fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    for (;;) {
        int ready = poll(fds, 2, -1);
        if (ready >= 0) break;
        if (errno != EINTR) return errno;
    }
    if (fds[1].revents) {
        char drain[64];
        while (read(wake_fd, drain, sizeof drain) > 0) {}
    }
    return 0;
}

// A non-blocking, close-on-exec pipe: fds[0] to read, fds[1] to write. 0 on success, else errno.
static int vg_go_pipe(int fds[2]) {
    return pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0 ? 0 : errno;
}

// Writes one byte to the wake pipe (a full pipe already wakes the reader).
static void vg_go_wake(int fd) {
    char one = 1;
    ssize_t ignored = write(fd, &one, 1);
    (void)ignored;
}
*/
import "C"

import (
	"runtime/cgo"
	"syscall"
)

// dispatchPending runs vg_client_dispatch_v2 once, without waiting.
func dispatchPending(client *C.vg_client, h cgo.Handle) C.vg_code {
	return C.vg_go_dispatch(client, C.uintptr_t(h))
}

// waitReadable blocks (in C, on the dispatcher's thread) until events are pending or the wake pipe is written.
func waitReadable(eventFD, wakeFD C.int) error {
	if rc := C.vg_go_wait(eventFD, wakeFD); rc != 0 {
		return syscall.Errno(rc)
	}
	return nil
}

// newWakePipe returns the read and write ends of a non-blocking pipe.
func newWakePipe() (C.int, C.int, error) {
	var fds [2]C.int
	if rc := C.vg_go_pipe(&fds[0]); rc != 0 {
		return -1, -1, syscall.Errno(rc)
	}
	return fds[0], fds[1], nil
}

// wake writes to the wake pipe.
func wake(fd C.int) { C.vg_go_wake(fd) }

// closeFD closes a descriptor this package opened.
func closeFD(fd C.int) { C.close(fd) }
