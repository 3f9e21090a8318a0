package main

// The scenarios, each through the Go binding's API; expected values come from the scenario.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"videogen"
)

// printMode: the canary child prints every error (all its fields) and every record.
var printMode = os.Getenv("VG_CONFORMANCE_PRINT") == "1"

func show(label string, value any) {
	if !printMode {
		return
	}
	if e, ok := value.(*videogen.Error); ok {
		value = fmt.Sprintf("%v | %#v | code=%d http=%d provider=%s retry=%v task=%s", e, e, e.Code, e.HTTPStatus,
			e.ProviderCode, e.RetryAfter, e.TaskID)
	}
	fmt.Printf("SHOW %s: %v\n", label, value)
}

// client is a client of the scenario's service: the file's "client" with its base URL.
func (s *Suite) client(sc Scenario) *videogen.Client {
	config := map[string]any{}
	for k, v := range s.Client {
		config[k] = v
	}
	for k, v := range sc.obj("client") {
		config[k] = v
	}
	config["base_url"] = os.Getenv("VG_CONFORMANCE_URL")
	if sc.str("service") == "echo" {
		config["base_url"] = os.Getenv("VG_CONFORMANCE_ECHO_URL")
	}
	doc, err := json.Marshal(config)
	must(err, "config")
	c, err := videogen.NewClientJSON(string(doc))
	must(err, "NewClientJSON")
	return c
}

func (s *Suite) dir(sc Scenario) string {
	dir := filepath.Join(os.Getenv("VG_CONFORMANCE_SCRATCH"), sc.str("id"))
	must(os.MkdirAll(dir, 0o700), "scratch")
	return dir
}

func (s *Suite) code(name string) videogen.Code {
	v, ok := s.Codes[name]
	expect(ok, "no code %q in the file", name)
	return videogen.Code(v)
}

func (s *Suite) checkVideo(path string) {
	b, err := os.ReadFile(path)
	must(err, "read "+path)
	sum := sha256.Sum256(b)
	expect(int64(len(b)) == s.Video.Bytes && hex.EncodeToString(sum[:]) == s.Video.SHA256,
		"%s: %d bytes, not the video", path, len(b))
}

func (s *Suite) rank(state string) int {
	for i, name := range s.States {
		if name == state {
			return i
		}
	}
	return -1
}

// asError is the *videogen.Error err must be.
func asError(err error) *videogen.Error {
	var e *videogen.Error
	expect(errors.As(err, &e), "error %T %v is not a *videogen.Error", err, err)
	show("error", e)
	return e
}

func record(t *videogen.Task) string {
	r, err := t.Record()
	must(err, "Record")
	show("record", r)
	return r
}

var bg = context.Background()

func wholeJobByteExact(s *Suite, sc Scenario) string {
	c := s.client(sc)
	defer c.Close()
	path := filepath.Join(s.dir(sc), "video.mp4")
	task, err := c.SubmitJSON(bg, sc.raw("request"))
	must(err, "SubmitJSON")
	defer task.Close()
	must(task.Wait(bg, nil), "Wait")
	var last [2]int64
	transfers := 0
	must(task.Download(bg, path, func(r uint64, t int64) { transfers++; last = [2]int64{int64(r), t} }), "Download")
	expect(task.State().String() == sc.expect().str("state"), "state %v", task.State())
	s.checkVideo(path)
	expect(last == [2]int64{s.Video.Bytes, s.Video.Bytes}, "last transfer %v, want %d of %d", last, s.Video.Bytes, s.Video.Bytes)
	record(task)
	snap, err := task.Snapshot()
	must(err, "Snapshot")
	expect(snap.Download != nil && snap.Download.Bytes == s.Video.Bytes && snap.Download.SHA256 == s.Video.SHA256,
		"the record's download %+v", snap.Download)
	_, err = os.Stat(path + ".part")
	expect(errors.Is(err, fs.ErrNotExist), "a part file was left")
	return fmt.Sprintf("%d bytes, sha256 matches, %d byte updates", s.Video.Bytes, transfers)
}

func progressEventsInOrder(s *Suite, sc Scenario) string {
	ex := sc.expect()
	c := s.client(sc)
	defer c.Close()
	task, err := c.SubmitJSON(bg, sc.raw("request"))
	must(err, "SubmitJSON")
	defer task.Close()
	var seen []videogen.Update
	must(task.Wait(bg, func(u videogen.Update) { seen = append(seen, u) }), "Wait")
	record(task)
	expect(len(seen) >= int(ex.num("min_updates")), "%d updates", len(seen))
	expect(s.rank(seen[0].State.String()) < s.rank("succeeded"), "first update already %v", seen[0].State)
	for i := 1; i < len(seen); i++ {
		a, b := seen[i-1], seen[i]
		expect(s.rank(b.State.String()) >= s.rank(a.State.String()), "state went back: %v after %v", b.State, a.State)
		expect(a.Progress < 0 || b.Progress < 0 || b.Progress >= a.Progress, "progress went back: %d after %d", b.Progress, a.Progress)
	}
	last := seen[len(seen)-1]
	expect(last.State.String() == ex.str("last_state") && last.Progress == int(ex.num("last_progress")),
		"last update %v %d", last.State, last.Progress)
	return fmt.Sprintf("%d updates, (%v, %d) .. (%v, %d)", len(seen), seen[0].State, seen[0].Progress, last.State, last.Progress)
}

func typedAuthError(s *Suite, sc Scenario) string {
	ex := sc.expect()
	c := s.client(sc)
	defer c.Close()
	task, err := c.SubmitJSON(bg, sc.raw("request"))
	e := asError(err)
	expect(errors.Is(err, videogen.ErrAuth) && e.Code == s.code(ex.str("code")) && e.HTTPStatus == int(ex.num("http_status")) &&
		e.ProviderCode == ex.str("provider_code"), "got %#v", e)
	expect(task == nil, "a task came with the refused submit")
	expect(!strings.Contains(fmt.Sprintf("%v %#v", err, e), os.Getenv("VG_CONFORMANCE_KEY")), "the key is in the error")
	return fmt.Sprintf("%v (errors.Is ErrAuth), HTTP %d, provider code %s", e.Code, e.HTTPStatus, e.ProviderCode)
}

func notFound(s *Suite, sc Scenario) string {
	ex := sc.expect()
	c := s.client(sc)
	defer c.Close()
	task, err := c.Resume(sc.raw("record"))
	must(err, "Resume")
	defer task.Close()
	err = task.Wait(bg, nil)
	e := asError(err)
	expect(errors.Is(err, videogen.ErrNotFound) && e.Code == s.code(ex.str("code")) &&
		e.HTTPStatus == int(ex.num("http_status")) && e.TaskID == ex.str("task_id"), "got %#v", e)
	return fmt.Sprintf("%v (errors.Is ErrNotFound), HTTP %d, task %s", e.Code, e.HTTPStatus, e.TaskID)
}

func taskFailedWithReason(s *Suite, sc Scenario) string {
	ex := sc.expect()
	c := s.client(sc)
	defer c.Close()
	task, err := c.SubmitJSON(bg, sc.raw("request"))
	must(err, "SubmitJSON")
	defer task.Close()
	err = task.Wait(bg, nil)
	e := asError(err)
	expect(errors.Is(err, videogen.ErrTaskFailed) && e.Code == s.code(ex.str("code")) && e.ProviderCode == ex.str("provider_code") &&
		strings.Contains(e.Message, ex.str("message_contains")) && e.TaskID == task.ID(), "got %#v", e)
	expect(task.State().String() == ex.str("state"), "state %v", task.State())
	f := task.Failure()
	expect(f != nil && f.Code == e.Code && f.Message == e.Message, "Failure() %#v is not the wait's", f)
	record(task)
	return fmt.Sprintf("%v (errors.Is ErrTaskFailed), provider code %s: %s", e.Code, e.ProviderCode, e.Message)
}

func waitDeadline(s *Suite, sc Scenario) string {
	ex := sc.expect()
	deadline := time.Duration(sc.num("deadline_seconds") * float64(time.Second))
	c := s.client(sc)
	defer c.Close()
	task, err := c.SubmitJSON(bg, sc.raw("request"))
	must(err, "SubmitJSON")
	defer task.Close()
	var took []string
	for round := 0; round < int(sc.num("rounds")); round++ {
		ctx, cancel := context.WithTimeout(bg, deadline)
		start := time.Now()
		err := task.Wait(ctx, nil)
		elapsed := time.Since(start)
		cancel()
		e := asError(err)
		expect(e.Code == s.code(ex.str("code")) && errors.Is(err, videogen.ErrDeadline) && errors.Is(err, context.DeadlineExceeded),
			"round %d: got %#v", round, e)
		expect(elapsed >= deadline, "round %d returned after %v, before the deadline", round, elapsed)
		expect(!task.State().Ended(), "state %v", task.State())
		took = append(took, fmt.Sprintf("%.2f s", elapsed.Seconds()))
	}
	expired, cancel := context.WithDeadline(bg, time.Now().Add(time.Duration(sc.num("expired_deadline_seconds")*float64(time.Second))))
	defer cancel()
	start := time.Now()
	err = task.Wait(expired, nil)
	elapsed := time.Since(start)
	e := asError(err)
	expect(e.Code == s.code(ex.str("expired_code")) && errors.Is(err, context.DeadlineExceeded), "an expired deadline: %#v", e)
	expect(elapsed.Seconds() <= ex.num("expired_within_seconds"), "an expired deadline returned after %v", elapsed)
	return fmt.Sprintf("deadline errors (a context deadline) after %s; expired context: %.1f ms", strings.Join(took, ", "),
		elapsed.Seconds()*1000)
}

func cancelWithin1s(s *Suite, sc Scenario) string {
	ex := sc.expect()
	c := s.client(sc)
	defer c.Close()
	task, err := c.SubmitJSON(bg, sc.raw("request"))
	must(err, "SubmitJSON")
	defer task.Close()
	ctx, cancel := context.WithTimeout(bg, time.Duration(sc.num("wait_seconds")*float64(time.Second)))
	defer cancel()
	started := make(chan struct{})
	var once sync.Once
	var cancelled atomic.Bool
	var late atomic.Int32
	type outcome struct {
		err error
		at  time.Time
	}
	result := make(chan outcome, 1)
	go func() {
		err := task.Wait(ctx, func(videogen.Update) {
			if cancelled.Load() {
				late.Add(1)
			}
			once.Do(func() { close(started) })
		})
		result <- outcome{err, time.Now()}
	}()
	select {
	case <-started:
	case <-ctx.Done():
		expect(false, "the wait never reported its start")
	}
	at := time.Now() // the cancel, from this goroutine (not the waiting one): the context's cancel
	cancel()
	cancelled.Store(true)
	r := <-result
	e := asError(r.err)
	expect(e.Code == s.code(ex.str("code")) && errors.Is(r.err, videogen.ErrCancelled) && errors.Is(r.err, context.Canceled),
		"the wait ended with %#v", e)
	lag := r.at.Sub(at)
	expect(lag.Seconds() <= sc.num("within_seconds"), "the wait returned %v after the cancel", lag)
	expect(late.Load() == 0, "%d progress callbacks after the cancel", late.Load())
	later := task.Wait(bg, nil)
	expect(asError(later).Code == s.code(ex.str("later_wait_code")), "a later wait: %v", later)
	return fmt.Sprintf("cancelled wait (context cancel) returned %.1f ms after the cancel call", lag.Seconds()*1000)
}

func resumeInNewProcess(s *Suite, sc Scenario) string {
	c := s.client(sc)
	defer c.Close()
	task, err := c.SubmitJSON(bg, sc.raw("request"))
	must(err, "SubmitJSON")
	rec := record(task)
	task.Close()
	expect(!strings.Contains(rec, os.Getenv("VG_CONFORMANCE_KEY")), "the record holds the key")
	dir := s.dir(sc)
	recordPath, out := filepath.Join(dir, "record.json"), filepath.Join(dir, "resumed.mp4")
	must(os.WriteFile(recordPath, []byte(rec), 0o600), "write the record")
	self, err := os.Executable()
	must(err, "os.Executable")
	output, err := exec.Command(self, "--child", "resume", s.path, recordPath, out).CombinedOutput()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else {
		must(err, "the child")
	}
	expect(code == int(sc.expect().num("child_exit")), "the child exited %d: %s", code, output)
	s.checkVideo(out)
	return "a child process resumed the task from its record and downloaded it byte-exact"
}

func resumeChild(s *Suite, recordPath, out string) int {
	defer func() {
		if r := recover(); r != nil {
			fmt.Println("child failed:", r)
			os.Exit(1)
		}
	}()
	rec, err := os.ReadFile(recordPath)
	must(err, "read the record")
	c := s.client(Scenario{"service": "emulator"})
	defer c.Close()
	task, err := c.Resume(string(rec))
	must(err, "Resume")
	defer task.Close()
	must(task.Wait(bg, nil), "Wait")
	must(task.Download(bg, out, nil), "Download")
	fmt.Println("resumed", task.ID())
	return 0
}

// osThreads is this process's OS thread count (/proc/self/status).
func osThreads() int {
	status, err := os.ReadFile("/proc/self/status")
	must(err, "/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "Threads:") {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "Threads:")))
			must(err, "Threads")
			return n
		}
	}
	panic(failed("no Threads line"))
}

func tasks200AtOnce(s *Suite, sc Scenario) string {
	before := osThreads()
	var most atomic.Int64
	most.Store(int64(before))
	sample := func(videogen.Update) {
		if t := int64(osThreads()); t > most.Load() {
			most.Store(t)
		}
	}
	n := int(sc.num("count"))
	c := s.client(sc)
	defer c.Close()
	dir := s.dir(sc)
	ctx, cancel := context.WithTimeout(bg, time.Duration(sc.num("wait_seconds")*float64(time.Second)))
	defer cancel()
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			task, err := c.SubmitJSON(ctx, sc.raw("request"))
			if err == nil {
				defer task.Close()
				if err = task.Wait(ctx, sample); err == nil {
					err = task.Download(ctx, filepath.Join(dir, strconv.Itoa(i)+".mp4"), nil)
				}
				ids[i] = task.ID()
			}
			errs[i] = err
		}(i)
	}
	wg.Wait()
	unique := map[string]bool{}
	for i := 0; i < n; i++ {
		must(errs[i], "job "+strconv.Itoa(i))
		unique[ids[i]] = true
		s.checkVideo(filepath.Join(dir, strconv.Itoa(i)+".mp4"))
	}
	expect(len(unique) == n, "%d distinct ids for %d tasks", len(unique), n)
	extra := int(most.Load()) - before
	expect(extra <= int(sc.expect().num("max_extra_threads")), "%d more OS threads with the tasks in flight", extra)
	return fmt.Sprintf("%d jobs from %d goroutines over the client's one dispatcher (the *_async calls); OS threads %d before, at most %d in flight",
		n, n, before, most.Load())
}

func misuseAfterClose(s *Suite, sc Scenario) string {
	ex := sc.expect()
	c := s.client(sc)
	_, err := c.SubmitJSON(bg, sc.raw("bad_request"))
	bad := asError(err)
	expect(bad.Code == s.code(ex.str("bad_request_code")) && strings.Contains(bad.Message, ex.str("bad_request_names")),
		"a bad request: %#v", bad)
	task, err := c.SubmitJSON(bg, sc.raw("request"))
	must(err, "SubmitJSON")
	must(task.Close(), "Close")
	must(task.Close(), "a second Close")
	invalid := s.code(ex.str("task_after_close"))
	refused := 0
	for name, err := range map[string]error{
		"Wait":     task.Wait(bg, nil),
		"Download": task.Download(bg, filepath.Join(s.dir(sc), "x.mp4"), nil),
		"Cancel":   task.Cancel(false),
		"Record":   func() error { _, err := task.Record(); return err }(),
	} {
		e := asError(err)
		expect(e.Code == invalid && errors.Is(err, videogen.ErrClosed) && errors.Is(err, videogen.ErrInvalidHandle),
			"%s on a closed task: %#v", name, e)
		refused++
	}
	must(c.Close(), "Close")
	must(c.Close(), "a second Close")
	invalid = s.code(ex.str("client_after_close"))
	for name, err := range map[string]error{
		"SubmitJSON": func() error { _, err := c.SubmitJSON(bg, sc.raw("request")); return err }(),
		"Resume":     func() error { _, err := c.Resume(`{"record_version": 1, "id": "x", "state": "queued"}`); return err }(),
	} {
		e := asError(err)
		expect(e.Code == invalid && errors.Is(err, videogen.ErrClosed), "%s on a closed client: %#v", name, e)
		refused++
	}
	return fmt.Sprintf("%d calls on closed handles refused (%v, errors.Is ErrClosed), double Close a no-op", refused, invalid)
}

func canaryKeyNeverInOutput(s *Suite, sc Scenario) string {
	ex := sc.expect()
	key := os.Getenv("VG_CONFORMANCE_KEY")
	dir := s.dir(sc)
	var children []string
	for _, id := range sc["child_scenarios"].([]any) {
		children = append(children, id.(string))
	}
	self, err := os.Executable()
	must(err, "os.Executable")
	cmd := exec.Command(self, s.path)
	cmd.Env = append(os.Environ(), "VG_CONFORMANCE_PRINT=1", "VG_CONFORMANCE_SCRATCH="+dir,
		"VG_CONFORMANCE_ONLY="+strings.Join(children, ","))
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else {
		must(err, "the child")
	}
	out := stdout.String()
	expect(code == int(ex.num("child_exit")), "the child exited %d: %s", code, out)
	shown := strings.Count(out, "SHOW ")
	expect(shown >= int(ex.num("min_printed")), "the child printed %d values", shown)
	expect(strings.Count(out, `"result":"pass"`) == len(children), "the child did not pass its scenarios: %s", out)
	expect(!strings.Contains(out+stderr.String(), key), "the key is in the child's output")
	files := 0
	must(filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		must(err, path)
		if d.Type().IsRegular() {
			files++
			b, err := os.ReadFile(path)
			must(err, path)
			expect(!strings.Contains(string(b), key), "the key is in %s", path)
		}
		return nil
	}), "walk")
	return fmt.Sprintf("child printed %d values, wrote %d files: no key", shown, files)
}
