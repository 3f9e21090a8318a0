package videogen

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The test key of the shared emulator, and the environment variables that hand a child process its role.
const (
	testKey     = "sk-go-binding-test-key"
	envChild    = "VIDEOGEN_GO_TEST_CHILD"  // "resume" or "canary": run that scenario instead of the tests
	envURL      = "VIDEOGEN_GO_TEST_URL"    // the emulator's base URL, for a child
	envKey      = "VIDEOGEN_GO_TEST_KEY"    // the key, for a child (read by the library through api_key_env)
	envRecord   = "VIDEOGEN_GO_TEST_RECORD" // a record, for the resume child
	envOut      = "VIDEOGEN_GO_TEST_OUT"    // a directory the child writes into
	emuSeconds  = "1"                       // how long the emulator's tasks take
	stuckModel  = "emu-stuck"               // the emulator's task that never finishes
	failModel   = "emu-fail"                // the emulator's task that fails with content_policy_violation
	sampleVideo = "../../emulator/videogen_emulator/assets/sample.mp4"
)

// emulatorURL is the base URL of the emulator TestMain started.
var emulatorURL string

// TestMain starts the loopback emulator (python3 -m videogen_emulator, PYTHONPATH=emulator) for the whole run, or
// runs a child scenario when the test binary was started as a child.
func TestMain(m *testing.M) {
	switch os.Getenv(envChild) {
	case "resume":
		os.Exit(resumeChild())
	case "canary":
		os.Exit(canaryChild())
	}
	url, stop, err := startEmulator(testKey)
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the emulator:", err)
		os.Exit(1)
	}
	emulatorURL = url
	code := m.Run()
	stop()
	os.Exit(code)
}

// startEmulator runs the emulator on a free loopback port with the given key and returns its base URL (the first
// line it prints) and a function that stops it.
func startEmulator(key string) (string, func(), error) {
	root, err := filepath.Abs("../..")
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command("python3", "-m", "videogen_emulator", "--port", "0", "--task-seconds", emuSeconds,
		"--no-request-log")
	cmd.Env = append(os.Environ(), "PYTHONPATH="+filepath.Join(root, "emulator"), "VIDEOGEN_EMULATOR_KEY="+key)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}
	lines := bufio.NewReader(out)
	first, err := lines.ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("no URL from the emulator: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, lines) }()
	return strings.TrimSpace(first), stop, nil
}

// fastPoll polls the short emulator tasks often.
var fastPoll = &PollConfig{Interval: 0.05, MaxInterval: 0.2, MinInterval: 0.02}

// testConfig is the configuration of a client of the emulator at url with key.
func testConfig(url, key string) Config {
	return Config{Dialect: "openai", BaseURL: url, APIKey: key, Poll: fastPoll}
}

// newTestClient is a client of the shared emulator, closed when the test ends.
func newTestClient(t *testing.T) *Client {
	t.Helper()
	c, err := NewClient(testConfig(emulatorURL, testKey))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// submit submits model with a short prompt; the task is closed when the test ends.
func submit(t *testing.T, c *Client, model string) *Task {
	t.Helper()
	task, err := c.Submit(context.Background(), Request{Model: model, Prompt: "a red fox in the snow"})
	if err != nil {
		t.Fatalf("Submit(%s): %v", model, err)
	}
	t.Cleanup(func() { _ = task.Close() })
	return task
}

// sampleBytes is the emulator's video.
func sampleBytes(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(sampleVideo)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sha256Hex is the hex SHA-256 of b.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// asError is errors.As into *Error, failing the test when err is not one.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errorsAs(err, &e) {
		t.Fatalf("error %T %v is not a *videogen.Error", err, err)
	}
	return e
}
