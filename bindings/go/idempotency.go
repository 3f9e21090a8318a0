package videogen

// #include <stdlib.h>
// #include "videogen.h"
import "C"

import "unsafe"

// IdempotencyKey is the Idempotency-Key of a submit derived from your own job id (vg_idempotency_key): the same job
// id and scope give the same key in every process, on every machine and in every version of the library. Give it
// as Request.IdempotencyKey (or the request's "idempotency_key") and a job re-run after a crash, or after an error
// matching ErrUnknownOutcome, re-sends the key of its first attempt. scope is "" for none, else a batch, tenant or
// revision name: the same job id in another scope is another task. No traffic.
func IdempotencyKey(jobID, scope string) (string, error) {
	if err := checkLibrary(); err != nil {
		return "", err
	}
	cjob, err := cString("idempotency key", "the job id", jobID)
	if err != nil {
		return "", err
	}
	defer C.free(unsafe.Pointer(cjob))
	cscope, err := cString("idempotency key", "the scope", scope)
	if err != nil {
		return "", err
	}
	defer C.free(unsafe.Pointer(cscope))
	var out *C.char
	var cerr *C.vg_error
	if err := takeError("idempotency key", C.vg_idempotency_key(cjob, cscope, &out, &cerr), cerr); err != nil {
		return "", err
	}
	defer C.vg_string_free(out)
	return C.GoString(out), nil
}
