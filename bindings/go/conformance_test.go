package videogen

// The scenarios of issue 15's conformance suite, named after it, against the emulator.

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Scenario "whole job byte-exact": Generate submits, waits and downloads; the file is the emulator's video, the
// record names it with its SHA-256, and the last byte count is the whole file.
func TestWholeJobByteExact(t *testing.T) {
	c := newTestClient(t)
	path := filepath.Join(t.TempDir(), "fox.mp4")
	var last [2]int64
	var transfers int
	task, err := c.Generate(context.Background(), Request{Model: "sora-2", Prompt: "a red fox"}, path,
		WithBytes(func(received uint64, total int64) { transfers++; last = [2]int64{int64(received), total} }))
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	defer task.Close()
	want := sampleBytes(t)
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("downloaded %d bytes (err %v), want the emulator's %d", len(got), err, len(want))
	}
	if transfers == 0 || last != [2]int64{int64(len(want)), int64(len(want))} {
		t.Errorf("byte updates: %d, last %v, want the last at %d of %d", transfers, last, len(want), len(want))
	}
	snap, err := task.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if snap.State != "succeeded" || snap.Download == nil || snap.Download.SHA256 != sha256Hex(want) ||
		snap.Download.Bytes != int64(len(want)) || snap.ID != task.ID() || task.State() != StateSucceeded {
		t.Errorf("snapshot %+v, download %+v", snap, snap.Download)
	}
	if _, err := os.Stat(path + ".part"); !os.IsNotExist(err) {
		t.Errorf("a part file was left: %v", err)
	}
}

// Scenario "progress events in order": the wait's first update comes at its start, states only move forward,
// progress never goes back, and the last update is the success at 100 %.
func TestProgressEventsInOrder(t *testing.T) {
	c := newTestClient(t)
	task := submit(t, c, "sora-2")
	var updates []Update
	if err := task.Wait(context.Background(), func(u Update) { updates = append(updates, u) }); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if len(updates) < 2 {
		t.Fatalf("%d updates, want the start and the end at least: %+v", len(updates), updates)
	}
	for i, u := range updates {
		if u.Kind != UpdateProgress || u.Snapshot == "" {
			t.Errorf("update %d: kind %d, snapshot %q", i, u.Kind, u.Snapshot)
		}
		if i == 0 {
			continue
		}
		prev := updates[i-1]
		if u.State < prev.State || (u.Progress >= 0 && prev.Progress >= 0 && u.Progress < prev.Progress) {
			t.Errorf("update %d went back: %v %d%% after %v %d%%", i, u.State, u.Progress, prev.State, prev.Progress)
		}
	}
	if end := updates[len(updates)-1]; end.State != StateSucceeded || end.Progress != 100 {
		t.Errorf("last update %v %d%%, want succeeded 100%%", end.State, end.Progress)
	}
	if updates[0].State.Ended() {
		t.Errorf("first update already %v", updates[0].State)
	}
}

// Scenario "typed auth error": a wrong key gives an *Error with CodeAuth and HTTP 401, matching ErrAuth.
func TestTypedAuthError(t *testing.T) {
	c, err := NewClient(testConfig(emulatorURL, "sk-wrong-key-42"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	task, err := c.Submit(context.Background(), Request{Model: "sora-2", Prompt: "a fox"})
	if task != nil {
		t.Fatalf("a task came back from a refused submit")
	}
	e := asError(t, err)
	if e.Code != CodeAuth || e.HTTPStatus != 401 || e.Op != "submit" || !errors.Is(err, ErrAuth) ||
		errors.Is(err, ErrNotFound) || e.RetryAfter >= 0 {
		t.Errorf("got %#v", e)
	}
	if strings.Contains(err.Error(), "sk-wrong-key-42") {
		t.Errorf("the key is in the error: %v", err)
	}
}

// Scenario "not found": a task resumed by an id the service does not know.
func TestNotFound(t *testing.T) {
	c := newTestClient(t)
	task, err := c.Resume(`{"record_version": 1, "id": "video_000000000000000000000000", "state": "queued"}`)
	if err != nil {
		t.Fatal(err)
	}
	defer task.Close()
	err = task.Wait(context.Background(), nil)
	e := asError(t, err)
	if !errors.Is(err, ErrNotFound) || e.HTTPStatus != 404 || e.TaskID != "video_000000000000000000000000" || e.Op != "wait" {
		t.Errorf("got %#v", e)
	}
}

// Scenario "task failed with the provider's reason": emu-fail ends with content_policy_violation; the wait's error
// carries it, matches ErrTaskFailed and ErrContentPolicy, and the task says the same.
func TestTaskFailedWithProvidersReason(t *testing.T) {
	c := newTestClient(t)
	path := filepath.Join(t.TempDir(), "never.mp4")
	task, err := c.Generate(context.Background(), Request{Model: failModel, Prompt: "a fox"}, path)
	if task == nil {
		t.Fatalf("no task: %v", err)
	}
	defer task.Close()
	e := asError(t, err)
	if !errors.Is(err, ErrTaskFailed) || !errors.Is(err, ErrContentPolicy) || e.ProviderCode != "content_policy_violation" ||
		e.Message == "" || e.TaskID != task.ID() || e.TaskID == "" {
		t.Errorf("got %#v", e)
	}
	if task.State() != StateFailed {
		t.Errorf("state %v", task.State())
	}
	if f := task.Failure(); f == nil || f.Code != e.Code || f.Message != e.Message {
		t.Errorf("Failure() = %#v, want the wait's code and message", f)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the destination exists: %v", err)
	}
}

// Scenario "wait deadline": a context deadline is the wait's deadline; past it the error matches ErrDeadline and
// context.DeadlineExceeded, and the task was not cancelled: it can be waited on again (which ends the same way).
func TestWaitDeadline(t *testing.T) {
	c := newTestClient(t)
	task := submit(t, c, stuckModel)
	for round := 0; round < 2; round++ {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		err := task.Wait(ctx, nil)
		cancel()
		e := asError(t, err)
		if e.Code != CodeDeadline || !errors.Is(err, ErrDeadline) || !errors.Is(err, context.DeadlineExceeded) ||
			errors.Is(err, ErrCancelled) {
			t.Fatalf("round %d: got %#v", round, e)
		}
		if task.State().Ended() {
			t.Fatalf("round %d: state %v", round, task.State())
		}
	}
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if err := task.Wait(expired, nil); !errors.Is(err, ErrDeadline) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("an expired context: %v", err)
	}
}

// Scenario "cancel from another goroutine within 1 s": once the wait has reported its start, another goroutine
// cancels (through the context, or Task.Cancel); the wait returns within 1 s with an error matching ErrCancelled,
// no progress callback runs after the cancel returned, and later operations on the task are refused.
func TestCancelFromAnotherGoroutineWithin1s(t *testing.T) {
	for _, how := range []string{"context", "Task.Cancel"} {
		t.Run(how, func(t *testing.T) {
			c := newTestClient(t)
			task := submit(t, c, stuckModel)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			started := make(chan struct{})
			var once sync.Once
			var cancelled, late atomic.Bool
			result := make(chan error, 1)
			go func() {
				result <- task.Wait(ctx, func(Update) {
					if cancelled.Load() {
						late.Store(true)
					}
					once.Do(func() { close(started) })
				})
			}()
			<-started
			at := time.Now()
			go func() {
				if how == "context" {
					cancel()
				} else if err := task.Cancel(false); err != nil {
					t.Errorf("Cancel: %v", err)
				}
				cancelled.Store(true)
			}()
			err := <-result
			elapsed := time.Since(at)
			if !errors.Is(err, ErrCancelled) || asError(t, err).Code != CodeCancelled {
				t.Fatalf("Wait: %v", err)
			}
			if how == "context" && !errors.Is(err, context.Canceled) {
				t.Errorf("%v does not match context.Canceled", err)
			}
			if elapsed > time.Second {
				t.Errorf("the wait returned %v after the cancel", elapsed)
			}
			if late.Load() {
				t.Errorf("a progress callback ran after the cancel returned")
			}
			if err := task.Wait(context.Background(), nil); !errors.Is(err, ErrCancelled) {
				t.Errorf("a wait after the cancel: %v", err)
			}
		})
	}
}

// Scenario "resume from a record in a new process": a task's record is handed to a new process (this test binary
// again), which resumes it, waits and downloads it byte-exact.
func TestResumeFromRecordInNewProcess(t *testing.T) {
	c := newTestClient(t)
	task := submit(t, c, "sora-2")
	record, err := task.Record()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(record, testKey) {
		t.Fatalf("the record holds the key: %s", record)
	}
	_ = task.Close()
	out := t.TempDir()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envChild+"=resume", envURL+"="+emulatorURL, envKey+"="+testKey,
		envRecord+"="+record, envOut+"="+out)
	output, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, output)
	}
	got, err := os.ReadFile(filepath.Join(out, "resumed.mp4"))
	if err != nil || !bytes.Equal(got, sampleBytes(t)) {
		t.Fatalf("the child's download (%v) is not the emulator's video\n%s", err, output)
	}
	if !strings.Contains(string(output), "resumed "+sha256Hex(got)) {
		t.Errorf("child output: %s", output)
	}
}

// Scenario "200 tasks at once": 200 whole jobs at once from one client, every file byte-exact; then 200 waits in
// flight at once (each has reported its start) keep no goroutine in C, and all end when their context is cancelled.
func Test200TasksAtOnce(t *testing.T) {
	const n = 200
	c := newTestClient(t)
	dir := t.TempDir()
	want := sampleBytes(t)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			path := filepath.Join(dir, strconv.Itoa(i)+".mp4")
			task, err := c.Generate(context.Background(), Request{Model: "sora-2", Prompt: "fox " + strconv.Itoa(i)}, path)
			if task != nil {
				defer task.Close()
			}
			if err == nil {
				if got, rerr := os.ReadFile(path); rerr != nil || !bytes.Equal(got, want) {
					err = errors.New("not the emulator's video")
				}
			}
			errs[i] = err
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("job %d: %v", i, err)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var started sync.WaitGroup
	started.Add(n)
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		task := submit(t, c, stuckModel)
		go func() {
			var once sync.Once
			results <- task.Wait(ctx, func(Update) { once.Do(started.Done) })
		}()
	}
	started.Wait()
	if inC := goroutinesInC(); inC > 1 {
		t.Errorf("%d goroutines are in C with %d waits in flight; want at most the client's dispatcher", inC, n)
	}
	t.Logf("%d waits in flight: %d goroutines in C, %d OS threads in the process", n, goroutinesInC(), osThreads(t))
	cancel()
	for i := 0; i < n; i++ {
		if err := <-results; !errors.Is(err, ErrCancelled) {
			t.Errorf("wait: %v", err)
		}
	}
}

// goroutinesInC counts the goroutines inside a cgo call ("[syscall" with a _Cfunc_ frame in their stack): a design
// with a goroutine blocked in C per task would have one per wait in flight; this one has only the dispatcher's
// poll(2), and none while it dispatches.
func goroutinesInC() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		header, _, _ := strings.Cut(g, "\n")
		if strings.Contains(header, "[syscall") && strings.Contains(g, "._Cfunc_") {
			count++
		}
	}
	return count
}

// osThreads is this process's thread count (/proc/self/status).
func osThreads(t *testing.T) int {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "Threads:") {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "Threads:")))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads line")
	return 0
}

// Scenario "misuse after close/free refused": every call on a closed task or client is refused with an error
// matching ErrClosed, closing twice is a no-op, a wait in progress when its client closes ends with ErrClosed, and
// bad input is refused before any traffic.
func TestMisuseAfterCloseRefused(t *testing.T) {
	c, err := NewClient(testConfig(emulatorURL, testKey))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dir := t.TempDir()

	// Bad input and misuse of live handles.
	for _, cfg := range []string{"{", `{"dialect": "openai", "base_url": "` + emulatorURL + `", "api_key": "k", "bogus": 1}`, ""} {
		if _, err := NewClientJSON(cfg); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("NewClientJSON(%q): %v", cfg, err)
		}
	}
	if _, err := c.Submit(ctx, Request{Prompt: "no model"}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a request without a model: %v", err)
	}
	if _, err := c.SubmitJSON(ctx, `{"model": "sora-2", "prompt": "x", "colour": "red"}`); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("an unknown request field: %v", err)
	}
	for _, record := range []string{"not json", "{}", `{"record_version": 1, "id": "x", "state": "queued", "base_url": "http://evil.example"}`} {
		if _, err := c.Resume(record); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("Resume(%q): %v", record, err)
		}
	}
	if _, err := c.SubmitJSON(ctx, "{\"model\": \"sora-2\", \"prompt\": \"x\"}\x00{"); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a request with a NUL byte: %v", err)
	}
	if _, err := c.Submit(nil, Request{Model: "sora-2", Prompt: "x"}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a nil context: %v", err)
	}
	var nilTask *Task
	if err := nilTask.Wait(ctx, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Wait on a nil task: %v", err)
	}
	running := submit(t, c, stuckModel)
	if err := running.Download(ctx, filepath.Join(dir, "nul\x00.mp4"), nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a path with a NUL byte: %v", err)
	}
	if err := running.Download(ctx, filepath.Join(dir, "early.mp4"), nil); !errors.Is(err, ErrNotReady) {
		t.Errorf("a download before success: %v", err)
	}
	waitCtx, stopWait := context.WithCancel(ctx)
	started := make(chan struct{})
	var once sync.Once
	first := make(chan error, 1)
	go func() { first <- running.Wait(waitCtx, func(Update) { once.Do(func() { close(started) }) }) }()
	<-started
	if err := running.Wait(ctx, nil); !errors.Is(err, ErrBusy) {
		t.Errorf("a second wait at once: %v", err)
	}
	if err := running.Download(ctx, filepath.Join(dir, "busy.mp4"), nil); !errors.Is(err, ErrBusy) {
		t.Errorf("a download during a wait: %v", err)
	}

	// A closed task.
	done := submit(t, c, stuckModel)
	if err := done.Close(); err != nil {
		t.Fatal(err)
	}
	if err := done.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	if err := done.Wait(ctx, nil); !errors.Is(err, ErrClosed) || !errors.Is(err, ErrInvalidHandle) {
		t.Errorf("Wait on a closed task: %v", err)
	}
	if err := done.Download(ctx, filepath.Join(dir, "x.mp4"), nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Download on a closed task: %v", err)
	}
	if _, err := done.Record(); !errors.Is(err, ErrClosed) {
		t.Errorf("Record on a closed task: %v", err)
	}
	if err := done.Cancel(false); !errors.Is(err, ErrClosed) {
		t.Errorf("Cancel on a closed task: %v", err)
	}
	if done.ID() != "" || done.State() != StateFailed || done.VideoURL() != "" || done.Failure() != nil {
		t.Errorf("getters of a closed task: %q %v %q %v", done.ID(), done.State(), done.VideoURL(), done.Failure())
	}

	// Closing a task ends its wait in progress, which returns ErrClosed.
	closing := submit(t, c, stuckModel)
	closingStarted := make(chan struct{})
	var closingOnce sync.Once
	closingResult := make(chan error, 1)
	go func() {
		closingResult <- closing.Wait(ctx, func(Update) { closingOnce.Do(func() { close(closingStarted) }) })
	}()
	<-closingStarted
	if err := closing.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-closingResult; !errors.Is(err, ErrClosed) || !errors.Is(err, ErrCancelled) {
		t.Errorf("the wait in progress at Task.Close: %v", err)
	}

	// Closing the client ends the wait in progress and refuses what follows.
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	err = <-first
	if !errors.Is(err, ErrClosed) || !errors.Is(err, ErrCancelled) {
		t.Errorf("the wait in progress at Close: %v", err)
	}
	stopWait()
	if err := c.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	if _, err := c.Submit(ctx, Request{Model: "sora-2", Prompt: "x"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Submit on a closed client: %v", err)
	}
	if _, err := c.Resume(`{"record_version": 1, "id": "x", "state": "queued"}`); !errors.Is(err, ErrClosed) {
		t.Errorf("Resume on a closed client: %v", err)
	}
	if err := running.Wait(ctx, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Wait on a task of a closed client: %v", err)
	}
	if _, err := running.Record(); err != nil {
		t.Errorf("the record of a task of a closed client: %v", err)
	}
}
