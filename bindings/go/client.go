package videogen

// #include <stdlib.h>
// #include <string.h>
// #include "videogen.h"
import "C"

import (
	"context"
	"sync"
	"unsafe"
)

// Client is one provider configuration and its connections (a vg_client), with one event goroutine that delivers
// the updates of all its tasks. It is safe for concurrent use. Close it when done.
type Client struct {
	mu sync.RWMutex // Close takes it exclusively; calls that use the handle share it
	c  *C.vg_client
	d  *dispatcher
}

// NewClient creates a client from cfg (checked completely by the library; no network traffic).
func NewClient(cfg Config) (*Client, error) {
	doc, err := cfg.JSON()
	if err != nil {
		return nil, err
	}
	return NewClientJSON(doc)
}

// NewClientJSON creates a client from a configuration document (README.md, "Configuration").
func NewClientJSON(config string) (*Client, error) {
	if err := checkLibrary(); err != nil {
		return nil, err
	}
	cs, err := cString("create", "the configuration", config)
	if err != nil {
		return nil, err
	}
	defer func() {
		C.memset(unsafe.Pointer(cs), 0, C.size_t(len(config))) // the document may hold the key
		C.free(unsafe.Pointer(cs))
	}()
	var out *C.vg_client
	var cerr *C.vg_error
	if err := takeError("create", C.vg_client_create(cs, &out, &cerr), cerr); err != nil {
		return nil, err
	}
	d, err := newDispatcher(out)
	if err != nil {
		C.vg_client_free(out)
		return nil, err
	}
	return &Client{c: out, d: d}, nil
}

// Close cancels the operations still running on the client's tasks (they return an error matching ErrClosed and
// ErrCancelled), stops its event goroutine and frees the client. Its tasks keep their getters and records until
// they are closed, but start no new operation. Closing twice is a no-op.
func (c *Client) Close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.c == nil {
		return nil
	}
	c.d.close()
	C.vg_client_free(c.c)
	c.c = nil
	return nil
}

// Submit starts a generation task and returns it once the service accepted it (vg_client_submit_async). ctx
// cancels the submit: its outcome is then unknown to the service's side, and the error matches ErrCancelled and
// ctx's error. On failure no task is returned; to re-send safely, give the request an IdempotencyKey.
func (c *Client) Submit(ctx context.Context, req Request) (*Task, error) {
	doc, err := req.JSON()
	if err != nil {
		return nil, err
	}
	return c.SubmitJSON(ctx, doc)
}

// SubmitJSON is Submit with the request as a JSON document (README.md, "Request").
func (c *Client) SubmitJSON(ctx context.Context, request string) (*Task, error) {
	if c == nil {
		return nil, closedError("submit", "client")
	}
	if err := checkContext("submit", ctx); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, contextError("submit", err)
	}
	cs, err := cString("submit", "the request", request)
	if err != nil {
		return nil, err
	}
	c.mu.RLock()
	if c.c == nil {
		c.mu.RUnlock()
		C.free(unsafe.Pointer(cs))
		return nil, closedError("submit", "client")
	}
	var out *C.vg_task
	var cerr *C.vg_error
	code := C.vg_client_submit_async(c.c, cs, &out, &cerr)
	C.free(unsafe.Pointer(cs))
	if err := takeError("submit", code, cerr); err != nil {
		c.mu.RUnlock()
		return nil, err
	}
	op := newOperation(out, "submit")
	if err := c.d.register(op); err != nil {
		c.mu.RUnlock()
		C.vg_task_free(out)
		return nil, err
	}
	c.mu.RUnlock()
	done := op.follow(ctx, nil, false)
	if done.err != nil {
		C.vg_task_free(out)
		return nil, done.err
	}
	return newTask(c, out), nil
}

// Resume re-creates a task from its record (Task.Record, possibly saved by another process) to go on waiting for
// it or downloading it (vg_client_resume). The record holds no secret; this client supplies the key. No network
// traffic happens here.
func (c *Client) Resume(record string) (*Task, error) {
	if c == nil {
		return nil, closedError("resume", "client")
	}
	cs, err := cString("resume", "the record", record)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cs))
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.c == nil {
		return nil, closedError("resume", "client")
	}
	var out *C.vg_task
	var cerr *C.vg_error
	if err := takeError("resume", C.vg_client_resume(c.c, cs, &out, &cerr), cerr); err != nil {
		return nil, err
	}
	return newTask(c, out), nil
}

// GenerateOption adds a callback to Generate.
type GenerateOption func(*generateOptions)

type generateOptions struct {
	onProgress func(Update)
	onBytes    func(received uint64, total int64)
}

// WithProgress passes fn to the wait (see Task.Wait).
func WithProgress(fn func(Update)) GenerateOption {
	return func(o *generateOptions) { o.onProgress = fn }
}

// WithBytes passes fn to the download (see Task.Download).
func WithBytes(fn func(received uint64, total int64)) GenerateOption {
	return func(o *generateOptions) { o.onBytes = fn }
}

// Generate does the whole job: Submit, Wait, Download to path. It returns the task (close it) with a nil error, or
// with the error of the step that failed once the task exists (its Record can resume it later); the task is nil
// when the submit failed.
func (c *Client) Generate(ctx context.Context, req Request, path string, opts ...GenerateOption) (*Task, error) {
	var o generateOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	task, err := c.Submit(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := task.Wait(ctx, o.onProgress); err != nil {
		return task, err
	}
	return task, task.Download(ctx, path, o.onBytes)
}

// contextError is the error of a call whose context had already ended.
func contextError(op string, err error) *Error {
	code := CodeCancelled
	if err == context.DeadlineExceeded {
		code = CodeDeadline
	}
	return &Error{Code: code, Op: op, Message: err.Error(), RetryAfter: -1, cause: err}
}
