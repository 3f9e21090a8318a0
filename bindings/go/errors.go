package videogen

// #include "videogen.h"
import "C"

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Error is every error this package returns: the library's code with the details of its vg_error. Its message never
// contains the API key. Test it with errors.Is against a family sentinel (ErrAuth, ErrNotFound, ...), a Code, or
// context.Canceled / context.DeadlineExceeded, and read its fields with errors.As.
type Error struct {
	// Code is the library's vg_code.
	Code Code
	// Message names the cause, as the library wrote it.
	Message string
	// HTTPStatus is the status of the answer that caused the error, or 0 (a local or network error).
	HTTPStatus int
	// ProviderCode is the provider's own error code (e.g. "invalid_api_key"), or "".
	ProviderCode string
	// RetryAfter is how long the service asked to wait before retrying; negative when it gave no hint.
	RetryAfter time.Duration
	// Op is the call that failed: "create", "submit", "resume", "wait", "download", "cancel", "record", ...
	Op string
	// TaskID is the provider's id of the task the error is about, or "".
	TaskID string

	cause  error // what stopped the operation from outside (a context's error, ErrClosed), or nil
	closed bool  // refused because the client or task was closed
}

// Error formats the error as "videogen: <op>: <description>: <message> (HTTP n, provider code c, task t)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("videogen: ")
	if e.Op != "" {
		b.WriteString(e.Op + ": ")
	}
	b.WriteString(e.Code.String())
	if e.Message != "" && e.Message != e.Code.String() {
		b.WriteString(": " + e.Message)
	}
	var details []string
	if e.HTTPStatus != 0 {
		details = append(details, fmt.Sprintf("HTTP %d", e.HTTPStatus))
	}
	if e.ProviderCode != "" {
		details = append(details, "provider code "+e.ProviderCode)
	}
	if e.RetryAfter >= 0 {
		details = append(details, "retry after "+e.RetryAfter.String())
	}
	if e.TaskID != "" {
		details = append(details, "task "+e.TaskID)
	}
	if len(details) > 0 {
		b.WriteString(" (" + strings.Join(details, ", ") + ")")
	}
	return b.String()
}

// Unwrap returns what stopped the operation from outside: the context's error when a context ended it, ErrClosed
// when the client was closed under it; nil otherwise.
func (e *Error) Unwrap() error { return e.cause }

// Is reports whether the error belongs to target: a family sentinel (ErrNotFound, ...) containing its code, the
// Code itself, context.DeadlineExceeded for CodeDeadline, context.Canceled for CodeCancelled.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case Code:
		return e.Code == t
	case *family:
		if t == ErrClosed {
			return e.closed
		}
		return t.has(e)
	}
	switch target {
	case context.DeadlineExceeded:
		return e.Code == CodeDeadline
	case context.Canceled:
		return e.Code == CodeCancelled
	}
	return false
}

// family is a sentinel standing for a set of codes.
type family struct {
	name  string
	codes []Code
	// waitCodes also belong to the family when the failing call was a wait (the task's end).
	waitCodes []Code
}

func (f *family) Error() string { return "videogen: " + f.name }

func (f *family) has(e *Error) bool {
	for _, c := range f.codes {
		if c == e.Code {
			return true
		}
	}
	if e.Op == "wait" {
		for _, c := range f.waitCodes {
			if c == e.Code {
				return true
			}
		}
	}
	return false
}

// The sentinels, one per family of codes, for errors.Is.
var (
	// ErrInvalidArgument: the configuration, request or record was refused before any traffic (invalid argument,
	// invalid JSON, unsupported by the dialect, insecure).
	ErrInvalidArgument error = &family{name: "invalid argument", codes: []Code{CodeInvalidArgument, CodeInvalidJSON, CodeUnsupported, CodeInsecure}}
	// ErrAuth: the credentials were rejected or lack permission (HTTP 401 or 403), or no key was available.
	ErrAuth error = &family{name: "authentication failed", codes: []Code{CodeAuth, CodePermission}}
	// ErrPermission: the credentials lack permission (HTTP 403).
	ErrPermission error = &family{name: "permission denied", codes: []Code{CodePermission}}
	// ErrNotFound: unknown task or resource.
	ErrNotFound error = &family{name: "not found", codes: []Code{CodeNotFound}}
	// ErrBadRequest: the service refused the request as invalid.
	ErrBadRequest error = &family{name: "bad request", codes: []Code{CodeBadRequest}}
	// ErrRateLimited: too many requests; Error.RetryAfter says when to retry.
	ErrRateLimited error = &family{name: "rate limited", codes: []Code{CodeRateLimited}}
	// ErrQuota: out of balance, credits or quota.
	ErrQuota error = &family{name: "quota exceeded", codes: []Code{CodeQuota}}
	// ErrContentPolicy: refused for its content, at submit or as the task's end.
	ErrContentPolicy error = &family{name: "content policy", codes: []Code{CodeContentPolicy}}
	// ErrTaskFailed: the task ended failed, cancelled or expired on the service, with the provider's reason in
	// Error.Message (a wait that ends with a more specific code, such as CodeContentPolicy, is in it too).
	ErrTaskFailed error = &family{name: "task failed", codes: []Code{CodeTaskFailed}, waitCodes: []Code{CodeContentPolicy, CodeQuota}}
	// ErrTimeout: a request or download stalled past its timeout, or a wait's deadline passed.
	ErrTimeout error = &family{name: "timeout", codes: []Code{CodeTimeout, CodeDeadline}}
	// ErrDeadline: a wait's deadline passed while the task was still running (it can be waited on again).
	ErrDeadline error = &family{name: "deadline", codes: []Code{CodeDeadline}}
	// ErrCancelled: the operation was cancelled (Task.Cancel, a context, Client.Close).
	ErrCancelled error = &family{name: "cancelled", codes: []Code{CodeCancelled, CodeAbortedByCallback}}
	// ErrNetwork: connection refused, reset or lost; DNS failure.
	ErrNetwork error = &family{name: "network error", codes: []Code{CodeNetwork}}
	// ErrServer: the service failed or broke its protocol.
	ErrServer error = &family{name: "server error", codes: []Code{CodeServer, CodeProtocol}}
	// ErrUnknownOutcome: a submit may or may not have reached the service (re-send with the same idempotency key).
	ErrUnknownOutcome error = &family{name: "unknown outcome", codes: []Code{CodeUnknownOutcome}}
	// ErrBusy: the task already has an operation in progress, or another download writes the same file.
	ErrBusy error = &family{name: "busy", codes: []Code{CodeBusy}}
	// ErrNotReady: the operation needs a succeeded task.
	ErrNotReady error = &family{name: "not ready", codes: []Code{CodeNotReady}}
	// ErrIO: a local file could not be read or written, or a download exceeds its size limit.
	ErrIO error = &family{name: "I/O error", codes: []Code{CodeIO, CodeTooLarge}}
	// ErrInvalidHandle: a closed, freed or stale client or task.
	ErrInvalidHandle error = &family{name: "invalid handle", codes: []Code{CodeInvalidHandle}}
	// ErrClosed: refused because the client or task was closed (or the client closed under the operation).
	ErrClosed error = &family{name: "closed"}
	// ErrInternal: a bug in libvideogen, or memory for a result could not be allocated.
	ErrInternal error = &family{name: "internal error", codes: []Code{CodeInternal, CodeNoMem}}
)

// newError copies a vg_error (which may be NULL) into an Error; the caller still owns and frees the vg_error.
func newError(op string, code C.vg_code, cerr *C.vg_error) *Error {
	e := &Error{Code: Code(code), Op: op, RetryAfter: -1}
	if cerr != nil {
		e.Message = C.GoString(C.vg_error_message(cerr))
		e.HTTPStatus = int(C.vg_error_http_status(cerr))
		if p := C.vg_error_provider_code(cerr); p != nil {
			e.ProviderCode = C.GoString(p)
		}
		if r := float64(C.vg_error_retry_after(cerr)); r >= 0 {
			e.RetryAfter = time.Duration(r * float64(time.Second))
		}
	}
	return e
}

// takeError turns the result of a call with a `vg_error **` out-parameter into an error and frees the vg_error.
func takeError(op string, code C.vg_code, cerr *C.vg_error) error {
	defer C.vg_error_free(cerr)
	if code == C.VG_OK {
		return nil
	}
	return newError(op, code, cerr)
}

// closedError is the refusal of a call on a closed client or task.
func closedError(op, what string) *Error {
	return &Error{Code: CodeInvalidHandle, Op: op, Message: what + " is closed", RetryAfter: -1, closed: true}
}
