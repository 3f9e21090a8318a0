package videogen

// #include "videogen.h"
import "C"

import "strconv"

// Code is a vg_code: the result of every fallible call of the C library. Values are stable and only ever
// appended. A Code is also an error, so errors.Is(err, videogen.CodeNotFound) tests for one exact code.
type Code int

// The codes of include/videogen.h, with the same values.
const (
	CodeOK                Code = 0  // VG_OK: success.
	CodeInvalidArgument   Code = 1  // VG_E_INVALID_ARGUMENT: a bad argument or value in a configuration or request.
	CodeInvalidJSON       Code = 2  // VG_E_INVALID_JSON: a configuration, request or record that is not valid JSON.
	CodeUnsupported       Code = 3  // VG_E_UNSUPPORTED: a field or operation the dialect does not support.
	CodeInvalidHandle     Code = 4  // VG_E_INVALID_HANDLE: a closed, freed or stale client or task.
	CodeInsecure          Code = 5  // VG_E_INSECURE: refused for safety (plain http to a remote host, ...).
	CodeAuth              Code = 6  // VG_E_AUTH: the service rejected the credentials (HTTP 401), or no key.
	CodePermission        Code = 7  // VG_E_PERMISSION: the credentials lack permission (HTTP 403).
	CodeNotFound          Code = 8  // VG_E_NOT_FOUND: unknown task or resource.
	CodeBadRequest        Code = 9  // VG_E_BAD_REQUEST: the service refused the request as invalid.
	CodeRateLimited       Code = 10 // VG_E_RATE_LIMITED: too many requests; see Error.RetryAfter.
	CodeQuota             Code = 11 // VG_E_QUOTA: out of balance, credits or quota.
	CodeContentPolicy     Code = 12 // VG_E_CONTENT_POLICY: refused for its content.
	CodeServer            Code = 13 // VG_E_SERVER: the service failed (5xx) and retries did not help.
	CodeNetwork           Code = 14 // VG_E_NETWORK: connection refused, reset or lost; DNS failure.
	CodeTimeout           Code = 15 // VG_E_TIMEOUT: a request or download stalled past its timeout.
	CodeDeadline          Code = 16 // VG_E_DEADLINE: a wait's deadline passed; the task is still running.
	CodeCancelled         Code = 17 // VG_E_CANCELLED: the task was cancelled (Task.Cancel or a context).
	CodeAbortedByCallback Code = 18 // VG_E_ABORTED_BY_CALLBACK: a callback asked to stop.
	CodeTaskFailed        Code = 19 // VG_E_TASK_FAILED: the task ended failed, cancelled or expired on the service.
	CodeNotReady          Code = 20 // VG_E_NOT_READY: the operation needs a succeeded task.
	CodeProtocol          Code = 21 // VG_E_PROTOCOL: the service broke its documented protocol.
	CodeTooLarge          Code = 22 // VG_E_TOO_LARGE: a response, file or download exceeds its limit.
	CodeIO                Code = 23 // VG_E_IO: a local file could not be read or written.
	CodeUnknownOutcome    Code = 24 // VG_E_UNKNOWN_OUTCOME: a submit may or may not have reached the service.
	CodeInternal          Code = 25 // VG_E_INTERNAL: a bug in libvideogen.
	CodeBusy              Code = 26 // VG_E_BUSY: the task already has an operation in progress.
	CodeNoMem             Code = 27 // VG_E_NOMEM: memory for a result could not be allocated.
)

// String is the library's short description of the code (vg_code_str), e.g. "rate limited".
func (c Code) String() string {
	return C.GoString(C.vg_code_str(C.vg_code(c)))
}

// Error makes a Code usable as an errors.Is target; as an error of its own it reads "videogen: <description>".
func (c Code) Error() string {
	return "videogen: " + c.String() + " (code " + strconv.Itoa(int(c)) + ")"
}
