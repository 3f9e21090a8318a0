// Package videogen is the Go binding of libvideogen: submit a video-generation task to a provider, follow it with
// progress until it ends, download the video, resume it from its record in another process.
//
// The binding is thin over the C API (include/videogen.h). Each Client runs one event goroutine, locked to its OS
// thread, that sleeps in poll(2) on vg_client_event_fd and runs vg_client_dispatch_v2: the library's callbacks run
// only there. Submit, Wait and Download start the asynchronous C operations (vg_client_submit_async,
// vg_task_wait_async, vg_task_download_async) and wait for their updates in Go, so thousands of tasks in flight
// cost no goroutine blocked in C and no thread each. The caller's callbacks (progress, bytes) run on the goroutine
// that called Wait or Download, in order.
//
// Contexts: a Wait gets its context's deadline as the library's wait deadline (past it: ErrDeadline, the task is
// still running and can be waited on again); cancelling a context calls vg_task_cancel. Every error is an *Error
// (code, message, HTTP status, provider code, retry hint) that matches a family sentinel with errors.Is.
package videogen
