package videogen

// #include "videogen.h"
import "C"

import "unsafe"

// State is a task's state in the library's one vocabulary (vg_state).
type State int

// The states of include/videogen.h, with the same values.
const (
	StateQueued    State = 0 // accepted, waiting to start
	StateRunning   State = 1 // being generated
	StateSucceeded State = 2 // finished with a video
	StateFailed    State = 3 // finished without a video
	StateCancelled State = 4 // cancelled on the service
	StateExpired   State = 5 // the task or its result expired
)

// String is the state's name in the snapshot vocabulary ("queued", "running", ...; vg_state_str).
func (s State) String() string { return C.GoString(C.vg_state_str(C.vg_state(s))) }

// Ended reports whether the state is final (succeeded, failed, cancelled or expired).
func (s State) Ended() bool { return s >= StateSucceeded }

// UpdateKind says what an Update reports (vg_event_kind).
type UpdateKind int

// The kinds of include/videogen.h, with the same values.
const (
	UpdateProgress UpdateKind = 1 // VG_EVENT_UPDATE: state, progress or queue position changed
	UpdateTransfer UpdateKind = 2 // VG_EVENT_TRANSFER: bytes of a download arrived
	UpdateDone     UpdateKind = 3 // VG_EVENT_DONE: the operation finished
)

// Update is one update of an operation on a task, with the values it changed (a copy of the library's vg_update).
type Update struct {
	// Kind says what happened.
	Kind UpdateKind
	// State is the task's state after this update.
	State State
	// Progress is 0-100, or -1 when the service does not report it (never invented).
	Progress int
	// QueuePosition is the position in the service's queue (0 = next), or -1 when unknown.
	QueuePosition int
	// BytesReceived is the bytes written by the current or last download.
	BytesReceived uint64
	// BytesTotal is the download's announced size, or -1 when unknown.
	BytesTotal int64
	// TaskError is why the task ended unsuccessfully (the provider's reason), or nil while it has not.
	TaskError *Error
	// Snapshot is the task's whole snapshot (its record, JSON) after a progress or done update; "" for transfers.
	Snapshot string

	code C.vg_code // a done update's result
	err  *Error    // a done update's error, nil on success
}

// updateFrom copies a vg_update the library lends to a callback.
func updateFrom(u *C.vg_update) Update {
	out := Update{
		Kind:          UpdateKind(u.kind),
		State:         State(u.state),
		Progress:      int(u.progress),
		QueuePosition: int(u.queue_position),
		BytesReceived: uint64(u.bytes_received),
		BytesTotal:    int64(u.bytes_total),
		code:          u.code,
	}
	if u.task_error != nil {
		out.TaskError = newError("task", C.vg_error_code(u.task_error), u.task_error)
	}
	if uintptr(u.size) >= unsafe.Offsetof(u.snapshot_json)+unsafe.Sizeof(u.snapshot_json) && u.snapshot_json != nil {
		out.Snapshot = C.GoString(u.snapshot_json)
	}
	if out.Kind == UpdateDone && u.code != C.VG_OK {
		out.err = newError("", u.code, u.error)
	}
	return out
}
