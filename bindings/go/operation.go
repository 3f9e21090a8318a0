package videogen

// #include "videogen.h"
import "C"

import (
	"context"
	"errors"
	"sync"
)

// operation is one asynchronous C operation on a task (submit, wait, download): the dispatcher queues its updates
// here, and the goroutine that started it takes them, runs the caller's callbacks and returns at its DONE.
type operation struct {
	task *C.vg_task
	name string

	mu     sync.Mutex
	queue  []Update
	cause  error // what ended it from outside (a context's error, ErrClosed)
	quiet  bool  // a cancellation was asked: no more callbacks, as vg_task_cancel promises
	signal chan struct{}
	done   chan struct{} // closed once the DONE update was queued
}

func newOperation(task *C.vg_task, name string) *operation {
	return &operation{task: task, name: name, signal: make(chan struct{}, 1), done: make(chan struct{})}
}

// deliver queues an update; called with the dispatcher's lock held. A DONE ends the operation's registration.
func (o *operation) deliver(d *dispatcher, u Update) {
	if u.Kind == UpdateDone && d.ops[o.task] == o {
		delete(d.ops, o.task)
	}
	o.push(u)
}

// push queues an update and wakes the operation's goroutine.
func (o *operation) push(u Update) {
	o.mu.Lock()
	o.queue = append(o.queue, u)
	if u.Kind == UpdateDone {
		select {
		case <-o.done:
		default:
			close(o.done)
		}
	}
	o.mu.Unlock()
	select {
	case o.signal <- struct{}{}:
	default:
	}
}

// take empties the queue.
func (o *operation) take() []Update {
	o.mu.Lock()
	defer o.mu.Unlock()
	q := o.queue
	o.queue = nil
	return q
}

// setCause records what ends the operation from outside (the first cause wins).
func (o *operation) setCause(err error) {
	o.mu.Lock()
	if o.cause == nil {
		o.cause = err
	}
	o.mu.Unlock()
}

// silence stops the caller's callbacks; called just before vg_task_cancel.
func (o *operation) silence() {
	o.mu.Lock()
	o.quiet = true
	o.mu.Unlock()
}

func (o *operation) silenced() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.quiet
}

func (o *operation) getCause() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.cause
}

// follow runs on the goroutine that started the operation until its DONE: it passes progress and transfer updates
// to onUpdate (never after a cancellation was asked), and cancels the task (vg_task_cancel, local) when ctx ends.
// When libraryDeadline is set, the library was given ctx's deadline (a wait): a deadline then is left to the
// library, which ends the wait with VG_E_DEADLINE and leaves the task usable. It returns the DONE update, whose
// error carries the operation's name, the task's id and its cause.
func (o *operation) follow(ctx context.Context, onUpdate func(Update), libraryDeadline bool) Update {
	ctxDone := ctx.Done()
	for {
		select {
		case <-o.signal:
		case <-ctxDone:
			ctxDone = nil
			select {
			case <-o.done: // the operation already ended: nothing to cancel, and the task stays usable
				continue
			default:
			}
			err := ctx.Err()
			o.setCause(err)
			if libraryDeadline && errors.Is(err, context.DeadlineExceeded) {
				continue // the library ends the wait at the same deadline, with VG_E_DEADLINE
			}
			o.silence()
			C.vg_task_cancel(o.task, C.VG_CANCEL_LOCAL, nil)
			continue
		}
		for _, u := range o.take() {
			if u.Kind == UpdateDone {
				if u.err != nil {
					u.err.Op = o.name
					u.err.cause = o.getCause()
					u.err.closed = u.err.cause == ErrClosed
				}
				return u
			}
			if onUpdate != nil && !o.silenced() {
				onUpdate(u)
			}
		}
	}
}
