package videogen

// #include <stdlib.h>
// #include "videogen.h"
import "C"

import (
	"context"
	"encoding/json"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Task is one generation task (a vg_task). Its operations (Wait, Download) run one at a time (a second one returns
// an error matching ErrBusy); Cancel may be called from any goroutine at any time. Close it when done.
type Task struct {
	client *Client
	mu     sync.Mutex // serialises the calls that take the handle (its getters' strings live until the next call)
	t      *C.vg_task
	// blocking is the handle while a blocking call (DownloadOutput) holds mu, so that Cancel can reach it.
	blocking atomic.Pointer[C.vg_task]
}

func newTask(c *Client, t *C.vg_task) *Task {
	task := &Task{client: c, t: t}
	runtime.SetFinalizer(task, (*Task).Close)
	return task
}

// Wait follows the task until it ends (vg_task_wait_async), calling onProgress (may be nil) on this goroutine with
// the first state and every change of state, progress or queue position, in order. It returns nil when the task
// succeeded; an error matching ErrTaskFailed (or ErrContentPolicy, ...) with the provider's reason when it ended
// otherwise. ctx's deadline is the wait's deadline: past it the error matches ErrDeadline and
// context.DeadlineExceeded, and the task is still running and can be waited on again. Without a deadline the
// client's wait_timeout applies. Cancelling ctx cancels the task locally (vg_task_cancel): the error matches
// ErrCancelled and context.Canceled, onProgress is not called again, and the task's later operations are refused
// (resume it from its Record to follow it again).
func (t *Task) Wait(ctx context.Context, onProgress func(Update)) error {
	if err := checkContext("wait", ctx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return contextError("wait", err)
	}
	timeout, libraryDeadline := 0.0, false
	if deadline, ok := ctx.Deadline(); ok {
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return contextError("wait", context.DeadlineExceeded)
		}
		timeout, libraryDeadline = remaining.Seconds(), true
	}
	return t.run(ctx, "wait", func(task *C.vg_task, cerr **C.vg_error) C.vg_code {
		return C.vg_task_wait_async(task, C.double(timeout), cerr)
	}, onProgress, libraryDeadline)
}

// Download writes the succeeded task's video to path (vg_task_download_async: through "<path>.part", checked,
// hashed, renamed into place; a part left by an interrupted download is continued). onBytes (may be nil) is called
// on this goroutine as bytes arrive, with the bytes written and the announced total (-1 when unknown). Cancelling
// ctx or passing its deadline cancels the task locally: the error matches ErrCancelled and ctx's error, and path
// is not written.
func (t *Task) Download(ctx context.Context, path string, onBytes func(received uint64, total int64)) error {
	if err := checkContext("download", ctx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return contextError("download", err)
	}
	var onUpdate func(Update)
	if onBytes != nil {
		onUpdate = func(u Update) {
			if u.Kind == UpdateTransfer {
				onBytes(u.BytesReceived, u.BytesTotal)
			}
		}
	}
	cpath, err := cString("download", "the path", path)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cpath))
	return t.run(ctx, "download", func(task *C.vg_task, cerr **C.vg_error) C.vg_code {
		return C.vg_task_download_async(task, cpath, cerr)
	}, onUpdate, false)
}

// run starts one asynchronous operation on the task and follows it to its DONE.
func (t *Task) run(ctx context.Context, name string, begin func(*C.vg_task, **C.vg_error) C.vg_code,
	onUpdate func(Update), libraryDeadline bool) error {
	if t == nil {
		return closedError(name, "task")
	}
	t.mu.Lock()
	if t.t == nil {
		t.mu.Unlock()
		return closedError(name, "task")
	}
	op := newOperation(t.t, name)
	if err := t.client.d.register(op); err != nil {
		t.mu.Unlock()
		return err
	}
	var cerr *C.vg_error
	if err := takeError(name, begin(t.t, &cerr), cerr); err != nil {
		t.client.d.unregister(op)
		t.mu.Unlock()
		err.(*Error).TaskID = C.GoString(C.vg_task_id(t.t))
		return err
	}
	t.mu.Unlock()
	done := op.follow(ctx, onUpdate, libraryDeadline)
	if done.err != nil {
		done.err.TaskID = t.ID()
		return done.err
	}
	return nil
}

// Cancel stops the operation in progress on the task (it returns an error matching ErrCancelled promptly, and its
// callbacks are not called again), and refuses the task's later operations (vg_task_cancel). With remote, it also
// asks the service to cancel the generation, where the dialect can (else an error matching CodeUnsupported, after
// the local cancel). Safe from any goroutine, any number of times.
func (t *Task) Cancel(remote bool) error {
	if t == nil {
		return closedError("cancel", "task")
	}
	h := t.blocking.Load() // a blocking call holds mu: cancel its handle without waiting for it
	if h == nil {
		t.mu.Lock()
		h = t.t
		t.mu.Unlock()
	}
	if h == nil {
		return closedError("cancel", "task")
	}
	if op := t.client.d.running(h); op != nil {
		op.silence()
	}
	flags := C.int(C.VG_CANCEL_LOCAL)
	if remote {
		flags = C.VG_CANCEL_REMOTE
	}
	var cerr *C.vg_error
	// A task closed meanwhile gives VG_E_INVALID_HANDLE: the library validates every handle.
	return takeError("cancel", C.vg_task_cancel(h, flags, &cerr), cerr)
}

// Close cancels the operation still running on the task, waits for its end, and frees the task. Closing twice is a
// no-op; later calls are refused with an error matching ErrClosed.
func (t *Task) Close() error {
	if t == nil {
		return nil
	}
	if h := t.blocking.Load(); h != nil {
		// A blocking call (DownloadOutput) holds mu: cancel it so that it returns and lets this Close proceed.
		C.vg_task_cancel(h, C.VG_CANCEL_LOCAL, nil)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.t == nil {
		return nil
	}
	runtime.SetFinalizer(t, nil)
	if op := t.client.d.running(t.t); op != nil {
		op.setCause(ErrClosed)
		op.silence()
		C.vg_task_cancel(t.t, C.VG_CANCEL_LOCAL, nil)
		<-op.done
	}
	C.vg_task_free(t.t)
	t.t = nil
	return nil
}

// ID is the task's id on the provider ("" once closed).
func (t *Task) ID() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return C.GoString(C.vg_task_id(t.t))
}

// State is the task's state as last seen.
func (t *Task) State() State {
	t.mu.Lock()
	defer t.mu.Unlock()
	return State(C.vg_task_state(t.t))
}

// Progress is the task's progress as last seen, 0-100, or -1 when the service does not report it.
func (t *Task) Progress() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return int(C.vg_task_progress(t.t))
}

// QueuePosition is the task's position in the service's queue (0 = next), or -1 when unknown.
func (t *Task) QueuePosition() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return int(C.vg_task_queue_position(t.t))
}

// VideoURL is the URL the video is downloaded from once succeeded, else "". Signed URLs are secrets of their own.
func (t *Task) VideoURL() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if u := C.vg_task_video_url(t.t); u != nil {
		return C.GoString(u)
	}
	return ""
}

// Failure is why the task ended unsuccessfully (the provider's reason), or nil.
func (t *Task) Failure() *Error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.t == nil {
		return nil // vg_task_error_code gives VG_E_INVALID_HANDLE for a freed task, which is no failure of the task
	}
	code := C.vg_task_error_code(t.t)
	if code == C.VG_OK {
		return nil
	}
	e := &Error{Code: Code(code), Op: "task", RetryAfter: -1, TaskID: C.GoString(C.vg_task_id(t.t))}
	if m := C.vg_task_error_message(t.t); m != nil {
		e.Message = C.GoString(m)
	}
	return e
}

// Record is the task's snapshot as JSON (vg_task_snapshot_json): save it, and Client.Resume turns it back into a
// task, in this process or another. It holds no secret.
func (t *Task) Record() (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.t == nil {
		return "", closedError("record", "task")
	}
	var out *C.char
	if code := C.vg_task_snapshot_json(t.t, &out); code != C.VG_OK {
		return "", newError("record", code, nil)
	}
	defer C.vg_string_free(out)
	return C.GoString(out), nil
}

// Snapshot is the task's record, parsed.
func (t *Task) Snapshot() (*Snapshot, error) {
	record, err := t.Record()
	if err != nil {
		return nil, err
	}
	var s Snapshot
	if err := json.Unmarshal([]byte(record), &s); err != nil {
		return nil, &Error{Code: CodeProtocol, Op: "record", Message: "snapshot: " + err.Error(), RetryAfter: -1}
	}
	return &s, nil
}
