package videogen

// #include <stdint.h>
// #include "videogen.h"
import "C"

import (
	"runtime"
	"runtime/cgo"
	"sync"
)

// dispatcher is a client's one event goroutine: it sleeps in poll(2) on vg_client_event_fd, runs
// vg_client_dispatch_v2 on its locked OS thread when events are pending, and hands each update to the operation it
// belongs to. No goroutine waits in C for a task; a task's caller waits on its operation in Go.
type dispatcher struct {
	client  *C.vg_client
	eventFD C.int
	wakeR   C.int
	wakeW   C.int
	handle  cgo.Handle

	mu      sync.Mutex
	ops     map[*C.vg_task]*operation // the running operation of each task
	orphans map[*C.vg_task][]Update   // updates of a submit that came before its operation was registered
	closing bool
	failure error // set when dispatching itself failed; every operation then ends with it

	stopped chan struct{}
}

// newDispatcher starts the event goroutine of a client.
func newDispatcher(client *C.vg_client) (*dispatcher, error) {
	d := &dispatcher{
		client:  client,
		ops:     make(map[*C.vg_task]*operation),
		orphans: make(map[*C.vg_task][]Update),
		stopped: make(chan struct{}),
	}
	if code := C.vg_client_event_fd(client, &d.eventFD); code != C.VG_OK {
		return nil, newError("create", code, nil)
	}
	r, w, err := newWakePipe()
	if err != nil {
		return nil, &Error{Code: CodeInternal, Op: "create", Message: "wake pipe: " + err.Error(), RetryAfter: -1}
	}
	d.wakeR, d.wakeW = r, w
	d.handle = cgo.NewHandle(d)
	go d.run()
	return d, nil
}

// run is the event goroutine.
func (d *dispatcher) run() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer close(d.stopped)
	for {
		if code := dispatchPending(d.client, d.handle); code != C.VG_OK {
			d.fail(newError("dispatch", code, nil))
			return
		}
		d.mu.Lock()
		finished := d.closing && len(d.ops) == 0
		d.mu.Unlock()
		if finished {
			return
		}
		if err := waitReadable(d.eventFD, d.wakeR); err != nil {
			d.fail(&Error{Code: CodeInternal, Op: "dispatch", Message: "poll: " + err.Error(), RetryAfter: -1})
			return
		}
	}
}

// fail ends every operation with err: the library can no longer deliver their events.
func (d *dispatcher) fail(err *Error) {
	d.mu.Lock()
	d.failure = err
	ops := d.ops
	d.ops = map[*C.vg_task]*operation{}
	d.mu.Unlock()
	for _, op := range ops {
		op.push(Update{Kind: UpdateDone, code: C.vg_code(err.Code), err: err})
	}
}

// register makes op the running operation of its task; refused while the task has one, or the client closes.
func (d *dispatcher) register(op *operation) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closing || d.failure != nil {
		delete(d.orphans, op.task)
		if d.failure != nil {
			return d.failure
		}
		return closedError(op.name, "client")
	}
	if _, busy := d.ops[op.task]; busy {
		return &Error{Code: CodeBusy, Op: op.name, Message: "the task already has an operation in progress", RetryAfter: -1}
	}
	d.ops[op.task] = op
	for _, u := range d.orphans[op.task] {
		op.deliver(d, u)
	}
	delete(d.orphans, op.task)
	return nil
}

// unregister forgets an operation that the library refused to start. While the client closes, the event goroutine
// may be waiting for that operation's end: it is woken to see that none is left (it has not stopped, since the
// operation was still registered).
func (d *dispatcher) unregister(op *operation) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ops[op.task] == op {
		delete(d.ops, op.task)
		if d.closing {
			wake(d.wakeW)
		}
	}
}

// running reports whether the task has an operation in progress.
func (d *dispatcher) running(task *C.vg_task) *operation {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ops[task]
}

// close stops new operations, cancels the running ones (they end with ErrClosed as their cause), and returns once
// the event goroutine has delivered their DONE events and stopped.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closing = true
	ops := make([]*operation, 0, len(d.ops))
	for _, op := range d.ops {
		ops = append(ops, op)
	}
	d.mu.Unlock()
	for _, op := range ops {
		op.setCause(ErrClosed)
		op.silence()
		C.vg_task_cancel(op.task, C.VG_CANCEL_LOCAL, nil)
	}
	wake(d.wakeW)
	<-d.stopped
	d.handle.Delete()
	closeFD(d.wakeR)
	closeFD(d.wakeW)
}

// vgGoOnUpdate receives every update vg_client_dispatch_v2 delivers, on the dispatcher's thread.
//
//export vgGoOnUpdate
func vgGoOnUpdate(task *C.vg_task, update *C.vg_update, handle C.uintptr_t) C.int {
	d := cgo.Handle(handle).Value().(*dispatcher)
	u := updateFrom(update)
	d.mu.Lock()
	defer d.mu.Unlock()
	op := d.ops[task]
	if op == nil {
		d.orphans[task] = append(d.orphans[task], u)
		return 0
	}
	op.deliver(d, u)
	return 0
}
