package videogen

// The child processes of the scenarios "resume from a record in a new process" and "canary key never in any
// output": the test binary started again with VIDEOGEN_GO_TEST_CHILD set (see TestMain).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// resumeChild resumes the task of $VIDEOGEN_GO_TEST_RECORD, waits, downloads it into $VIDEOGEN_GO_TEST_OUT and prints
// "resumed <sha256>" from its record. The key comes through api_key_env.
func resumeChild() int {
	c, err := NewClient(Config{Dialect: "openai", BaseURL: os.Getenv(envURL), APIKeyEnv: envKey, Poll: fastPoll})
	if err != nil {
		fmt.Println("client:", err)
		return 1
	}
	defer c.Close()
	task, err := c.Resume(os.Getenv(envRecord))
	if err != nil {
		fmt.Println("resume:", err)
		return 1
	}
	defer task.Close()
	ctx := context.Background()
	if err := task.Wait(ctx, nil); err != nil {
		fmt.Println("wait:", err)
		return 1
	}
	if err := task.Download(ctx, filepath.Join(os.Getenv(envOut), "resumed.mp4"), nil); err != nil {
		fmt.Println("download:", err)
		return 1
	}
	snap, err := task.Snapshot()
	if err != nil || snap.Download == nil {
		fmt.Println("snapshot:", err)
		return 1
	}
	fmt.Println("resumed", snap.Download.SHA256)
	return 0
}

// canaryChild runs every path with the canary key of $VIDEOGEN_GO_TEST_KEY (success, task failure, not found,
// deadline, cancel, local I/O error, a service that echoes the key in its 401 message, bad input) and prints every
// configuration, error and record in every format; the parent searches the output and the files for the key.
func canaryChild() int {
	canary, out, url := os.Getenv(envKey), os.Getenv(envOut), os.Getenv(envURL)
	ctx := context.Background()
	show := func(label string, v any) { fmt.Printf("%s: %v | %+v | %#v | %s\n", label, v, v, v, v) }
	attempt := func(label string, err error) {
		if err == nil {
			fmt.Println(label, "ok")
			return
		}
		show(label+" error", err)
	}
	record := func(label string, task *Task) {
		if task == nil {
			return
		}
		r, err := task.Record()
		attempt(label+" record", err)
		fmt.Println(label, "record:", r)
		snap, _ := task.Snapshot()
		show(label+" snapshot", snap)
	}

	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error": {"message": "Incorrect API key provided: %s", "code": "invalid_api_key"}}`, key)
	}))
	defer echo.Close()

	configs := []Config{
		{Dialect: "openai", BaseURL: url, APIKey: canary, Poll: fastPoll},
		{Dialect: "openai", BaseURL: url, APIKeyEnv: envKey, Poll: fastPoll},
	}
	for i, cfg := range configs {
		label := fmt.Sprintf("client %d", i)
		show(label+" config", cfg)
		c, err := NewClient(cfg)
		if err != nil {
			show(label+" create error", err)
			return 1
		}
		task, err := c.Generate(ctx, Request{Model: "sora-2", Prompt: "a fox"}, filepath.Join(out, fmt.Sprintf("ok%d.mp4", i)),
			WithProgress(func(u Update) { show(label+" update", u) }))
		attempt(label+" generate", err)
		record(label+" generate", task)
		failed, err := c.Generate(ctx, Request{Model: failModel, Prompt: "a fox"}, filepath.Join(out, "failed.mp4"))
		attempt(label+" failed task", err)
		record(label+" failed task", failed)
		if task != nil {
			attempt(label+" download into a directory", task.Download(ctx, out, nil))
			_ = task.Close()
		}
		missing, err := c.Resume(`{"record_version": 1, "id": "video_000000000000000000000000", "state": "queued"}`)
		if err == nil {
			attempt(label+" not found", missing.Wait(ctx, nil))
			_ = missing.Close()
		}
		stuck, err := c.Submit(ctx, Request{Model: stuckModel, Prompt: "a fox"})
		attempt(label+" submit stuck", err)
		if stuck != nil {
			short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			attempt(label+" deadline", stuck.Wait(short, nil))
			cancel()
			attempt(label+" remote cancel", stuck.Cancel(true))
			attempt(label+" wait after cancel", stuck.Wait(ctx, nil))
			record(label+" cancelled", stuck)
		}
		_, err = c.SubmitJSON(ctx, `{"model": "sora-2", "prompt": "a fox", "api_key": "`+canary+`"}`)
		attempt(label+" bad request field", err)
		_, err = c.Resume(`{"record_version": 1, "id": "x", "state": "queued", "api_key": "` + canary + `"}`)
		attempt(label+" bad record", err)
		show(label+" client", c)
		_ = c.Close()
		_ = stuck.Close()
	}
	echoing, err := NewClient(Config{Dialect: "openai", BaseURL: echo.URL, APIKey: canary})
	if err != nil {
		show("echo create error", err)
		return 1
	}
	_, err = echoing.Submit(ctx, Request{Model: "sora-2", Prompt: "a fox"})
	attempt("echo submit", err)
	_ = echoing.Close()
	_, err = NewClientJSON(`{"dialect": "openai", "base_url": "` + url + `", "api_key": "` + canary + `", "unknown": "` + canary + `"}`)
	attempt("bad config", err)
	fmt.Println("canary child done")
	return 0
}

// Scenario "canary key never in any output": the child above runs every path with a canary key against its own
// emulator; the key appears nowhere in its stdout and stderr, nor in any file it left.
func TestCanaryKeyNeverInAnyOutput(t *testing.T) {
	sum := sha256.Sum256([]byte(t.Name() + time.Now().String()))
	canary := "sk-canary-" + hex.EncodeToString(sum[:12])
	url, stop, err := startEmulator(canary)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	out := t.TempDir()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envChild+"=canary", envURL+"="+url, envKey+"="+canary, envOut+"="+out)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	text := stdout.String() + stderr.String()
	if strings.Contains(text, canary) {
		for _, line := range strings.Split(text, "\n") {
			if strings.Contains(line, canary) {
				t.Errorf("the key is in the output: %s", line)
			}
		}
	}
	for _, want := range []string{"client 0 generate ok", "client 1 generate ok", "client 0 failed task error",
		"content_policy_violation", "client 1 not found error", "client 0 deadline error", "client 1 download into a directory error",
		"echo submit error", "invalid_api_key", "bad config error", "<redacted>", "canary child done"} {
		if !strings.Contains(text, want) {
			t.Errorf("the child's output lacks %q:\n%s", want, text)
		}
	}
	files := 0
	err = filepath.Walk(out, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, []byte(canary)) {
			t.Errorf("the key is in %s", path)
		}
		return err
	})
	if err != nil || files < 2 {
		t.Errorf("searched %d files: %v", files, err)
	}
}
