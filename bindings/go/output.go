package videogen

// #include <stdlib.h>
// #include "videogen.h"
import "C"

import (
	"context"
	"unsafe"
)

// DownloadOutput writes output index (0-based, in Snapshot.Outputs order) of the succeeded task to path
// (vg_task_download_output): a task that made several videos (Vidu, OpenRouter, ...) lists them in its snapshot's
// Outputs, and output 0 is the video Download fetches. The file goes through "<path>.part" as for Download, and the
// record's Download names the output. An index the task does not have is an error matching CodeInvalidArgument
// that says how many it has. The call blocks this goroutine (the C call has no asynchronous form); cancelling ctx
// or passing its deadline cancels the task locally, as for Download, and so does Task.Cancel from another
// goroutine.
func (t *Task) DownloadOutput(ctx context.Context, index int, path string) error {
	const op = "download output"
	if err := checkContext(op, ctx); err != nil {
		return err
	}
	if index < 0 {
		return &Error{Code: CodeInvalidArgument, Op: op, Message: "the output index is negative", RetryAfter: -1}
	}
	if err := ctx.Err(); err != nil {
		return contextError(op, err)
	}
	cpath, err := cString(op, "the path", path)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cpath))
	if t == nil {
		return closedError(op, "task")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.t
	if h == nil {
		return closedError(op, "task")
	}
	t.blocking.Store(h)
	defer t.blocking.Store(nil)
	finished := make(chan struct{})
	watcherDone := make(chan error, 1)
	go func() {
		select {
		case <-ctx.Done():
			// The handle stays valid: t.mu is held until the call returns and this goroutine has been joined.
			C.vg_task_cancel(h, C.VG_CANCEL_LOCAL, nil)
			watcherDone <- ctx.Err()
		case <-finished:
			watcherDone <- nil
		}
	}()
	var cerr *C.vg_error
	code := C.vg_task_download_output(h, C.size_t(index), cpath, nil, nil, &cerr)
	close(finished)
	cause := <-watcherDone
	if err := takeError(op, code, cerr); err != nil {
		e := err.(*Error)
		e.TaskID = C.GoString(C.vg_task_id(h))
		if code == C.VG_E_CANCELLED && cause != nil {
			e.cause = cause
		}
		return e
	}
	return nil
}
