package videogen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The secret key the emulator checks Kling's JWT with (emulator/videogen_emulator/kling_official_routes.py).
const klingSecret = "emulator-kling-secret-key-0123456789"

// Known answers of vg_idempotency_key computed apart from the library, by Python's hashlib + uuid (the same table
// as bindings/python/tests/test_binding_jobs.py).
var idempotencyKnown = []struct{ job, scope, key string }{
	{"order-42", "", "e2489364-9895-8ee0-8db3-7ffd4e039868"},
	{"order-42", "batch-2026-12", "be18f1c0-9ac7-8dea-a32a-3fae0141c839"},
	{"é/ü 漢", "", "b1f3028a-46f2-886f-a2d8-9d3c26f0223a"},
}

// rfc9562Key is the header's construction redone here with crypto/sha256: the first 128 bits of
// SHA-256(namespace || scope || 0 || job), version 8, variant 10.
func rfc9562Key(job, scope string) string {
	namespace, _ := hex.DecodeString("33ff1169419f45f29c2a14dd7fcf6f7c")
	sum := sha256.Sum256(append(append(append(namespace, scope...), 0), job...))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x80
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func TestIdempotencyKeyKnownAnswers(t *testing.T) {
	for _, k := range idempotencyKnown {
		got, err := IdempotencyKey(k.job, k.scope)
		if err != nil {
			t.Fatalf("IdempotencyKey(%q, %q): %v", k.job, k.scope, err)
		}
		if got != k.key || rfc9562Key(k.job, k.scope) != k.key {
			t.Errorf("IdempotencyKey(%q, %q) = %s, crypto/sha256 gives %s, Python gave %s", k.job, k.scope, got,
				rfc9562Key(k.job, k.scope), k.key)
		}
	}
	other, err := IdempotencyKey("order-42", "another-batch")
	if err != nil || other == idempotencyKnown[0].key || other != rfc9562Key("order-42", "another-batch") {
		t.Errorf("another scope: %s, %v", other, err)
	}
}

func TestIdempotencyKeyRefusesBadJobIDs(t *testing.T) {
	for _, job := range []string{"", "a\x00b", strings.Repeat("j", 4097), "\xff\xfe"} {
		_, err := IdempotencyKey(job, "")
		if e := asError(t, err); e.Code != CodeInvalidArgument {
			t.Errorf("IdempotencyKey(%.8q): code %v, want invalid argument", job, e.Code)
		}
	}
}

func TestConfigNewFieldsJSONAndSecretsHidden(t *testing.T) {
	zero := 0
	cfg := Config{Provider: "vertex", Project: "p-1", Location: "europe-west4", AccessToken: "ya29.TOKEN-SECRET",
		AccessTokenEnv: "TOKEN_VAR", ServiceAccountFile: "sa.json", SecretKey: "SK-SECRET", SecretKeyEnv: "SK_VAR",
		PreferWait: &zero, ServerDeadline: true, MinimaxAPI: "v2", RunwayVersion: "2024-11-06", APIKey: "AK-SECRET"}
	text, err := cfg.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, member := range []string{`"project":"p-1"`, `"location":"europe-west4"`, `"access_token":"ya29.TOKEN-SECRET"`,
		`"access_token_env":"TOKEN_VAR"`, `"service_account_file":"sa.json"`, `"secret_key":"SK-SECRET"`,
		`"secret_key_env":"SK_VAR"`, `"prefer_wait":0`, `"server_deadline":true`, `"minimax_api":"v2"`,
		`"runway_version":"2024-11-06"`} {
		if !strings.Contains(text, member) {
			t.Errorf("JSON() lacks %s: %s", member, text)
		}
	}
	if empty, _ := (Config{Dialect: "fal"}).JSON(); strings.Contains(empty, "prefer_wait") ||
		strings.Contains(empty, "server_deadline") || strings.Contains(empty, "secret_key") {
		t.Errorf("zero fields are sent: %s", empty)
	}
	for _, shown := range []string{cfg.String(), cfg.GoString(), fmt.Sprintf("%v %+v %#v %s %q", cfg, cfg, cfg, cfg, cfg),
		fmt.Sprint(&cfg)} {
		for _, secret := range []string{"TOKEN-SECRET", "SK-SECRET", "AK-SECRET"} {
			if strings.Contains(shown, secret) {
				t.Errorf("a secret is shown: %s", shown)
			}
		}
		if !strings.Contains(shown, "SK_VAR") {
			t.Errorf("the rest is not shown: %s", shown)
		}
	}
}

// directClient is a client of the shared emulator for a direct provider's dialect.
func directClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	cfg.BaseURL, cfg.APIKey, cfg.Poll = emulatorURL, testKey, fastPoll
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient(%v): %v", cfg, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// wholeDirectJob submits, waits and downloads byte-exact, returning the final snapshot.
func wholeDirectJob(t *testing.T, c *Client, model string) *Snapshot {
	t.Helper()
	task := submit(t, c, model)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := task.Wait(ctx, nil); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	path := filepath.Join(t.TempDir(), "v.mp4")
	if err := task.Download(ctx, path, nil); err != nil {
		t.Fatalf("Download: %v", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, sampleBytes(t)) {
		t.Fatalf("the video differs from the emulator's")
	}
	s, err := task.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestKlingOfficialWithSecretKeyEndToEnd(t *testing.T) {
	c := directClient(t, Config{Dialect: "kling_official", SecretKey: klingSecret})
	s := wholeDirectJob(t, c, "kling-v1")
	if s.Dialect != "kling_official" || s.State != "succeeded" {
		t.Errorf("snapshot %+v", s)
	}
	if !reflect.DeepEqual(s.Usage, map[string]any{"final_unit_deduction": "1"}) {
		t.Errorf("usage %v", s.Usage)
	}
	record, _ := submit(t, c, "kling-v1").Record()
	if strings.Contains(record, klingSecret) || strings.Contains(record, testKey) {
		t.Errorf("the record holds a secret: %s", record)
	}
}

func TestKlingOfficialWithoutSecretKeyIsAnAuthError(t *testing.T) {
	_, err := NewClient(Config{Dialect: "kling_official", BaseURL: emulatorURL, APIKey: testKey})
	if e := asError(t, err); e.Code != CodeAuth || !strings.Contains(e.Message, "secret_key") {
		t.Errorf("error %v", e)
	}
	_, err = NewClient(Config{Dialect: "openai", BaseURL: emulatorURL, APIKey: testKey, SecretKey: "s-1234567890"})
	if e := asError(t, err); e.Code != CodeUnsupported || !strings.Contains(e.Message, "'secret_key'") ||
		strings.Contains(e.Error(), "s-1234567890") {
		t.Errorf("error %v", e)
	}
}

func TestReplicateWithPreferWaitZeroEndToEnd(t *testing.T) {
	zero := 0
	c := directClient(t, Config{Dialect: "replicate", PreferWait: &zero, ServerDeadline: true, WaitTimeout: 30})
	s := wholeDirectJob(t, c, "kwaivgi/kling-v2.1")
	// The emulator's metrics: predict_time 0.8 and total_time 1 times its task length (emuSeconds, 1 s).
	if !reflect.DeepEqual(s.Usage, map[string]any{"predict_time": 0.8, "total_time": 1.0}) {
		t.Errorf("usage %v", s.Usage)
	}
	if get, _ := s.Links["get"].(string); !strings.HasSuffix(get, "/v1/predictions/"+s.ID) {
		t.Errorf("links %v", s.Links)
	}
}

func TestDownloadOutputByIndex(t *testing.T) {
	c := directClient(t, Config{Dialect: "openrouter"})
	task := submit(t, c, "m emu-outputs-3")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := task.Wait(ctx, nil); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	s, err := task.Snapshot()
	if err != nil || len(s.Outputs) != 3 || s.Outputs[0] != s.VideoURL || s.Usage["cost"] == nil {
		t.Fatalf("snapshot %+v, %v", s, err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "third.mp4")
	if err := task.DownloadOutput(ctx, 2, path); err != nil {
		t.Fatalf("DownloadOutput(2): %v", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, sampleBytes(t)) {
		t.Fatalf("output 2 differs from the emulator's video")
	}
	if s, _ = task.Snapshot(); s.Download == nil || s.Download.Output != 2 || s.Download.SHA256 != sha256Hex(sampleBytes(t)) {
		t.Errorf("download record %+v", s.Download)
	}
	err = task.DownloadOutput(ctx, 3, filepath.Join(dir, "fourth.mp4"))
	if e := asError(t, err); e.Code != CodeInvalidArgument || !strings.Contains(e.Message, "3") || e.TaskID != task.ID() {
		t.Errorf("output 3 of 3: %v", e)
	}
	if e := asError(t, task.DownloadOutput(ctx, -1, path)); e.Code != CodeInvalidArgument {
		t.Errorf("output -1: %v", e)
	}
	gone, stop := context.WithCancel(context.Background())
	stop()
	if err := task.DownloadOutput(gone, 1, path); !errors.Is(err, context.Canceled) || !errors.Is(err, ErrCancelled) {
		t.Errorf("a cancelled context: %v", err)
	}
	_ = task.Close()
	if e := asError(t, task.DownloadOutput(ctx, 1, path)); !e.closed {
		t.Errorf("after Close: %v", e)
	}
}

func TestDownloadOutputBeforeSuccessIsNotReady(t *testing.T) {
	c := directClient(t, Config{Dialect: "openrouter"})
	task := submit(t, c, "m emu-outputs-2 "+stuckModel)
	err := task.DownloadOutput(context.Background(), 1, filepath.Join(t.TempDir(), "x.mp4"))
	if e := asError(t, err); e.Code != CodeNotReady {
		t.Errorf("error %v", e)
	}
}

func TestDownloadOutputCancelledFromAnotherGoroutine(t *testing.T) {
	// A private emulator whose output downloads stall after 64 bytes for an hour.
	url, stop, err := startEmulator(testKey)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	rule := `{"faults": [{"fault": "stall-after:64:3600", "match": "/content", "method": "GET"}]}`
	answer, err := http.Post(url+"/_emulator/faults", "application/json", strings.NewReader(rule))
	if err != nil || answer.StatusCode != http.StatusOK {
		t.Fatalf("installing the fault: %v %v", answer, err)
	}
	answer.Body.Close()
	c, err := NewClient(Config{Dialect: "openrouter", BaseURL: url, APIKey: testKey, Poll: fastPoll})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	task := submit(t, c, "m emu-outputs-2")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := task.Wait(ctx, nil); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	path := filepath.Join(t.TempDir(), "second.mp4")
	result := make(chan error, 1)
	go func() { result <- task.DownloadOutput(context.Background(), 1, path) }()
	// The download is under way once the emulator has fired the stall on its request (GET /_emulator/faults
	// counts it): the C call is then blocked reading the stalled answer.
	for firedCount(t, url) == 0 {
		select {
		case err := <-result:
			t.Fatalf("DownloadOutput ended before the stall: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancelled := time.Now()
	if err := task.Cancel(false); err != nil { // reaches the handle while DownloadOutput holds the task
		t.Fatalf("Cancel: %v", err)
	}
	err = <-result
	if elapsed := time.Since(cancelled); elapsed > time.Second {
		t.Errorf("DownloadOutput returned %v after the cancel", elapsed)
	}
	if !errors.Is(err, ErrCancelled) {
		t.Errorf("error %v, want cancelled", err)
	}
	if _, statErr := os.Stat(path); !os.IsNotExist(statErr) {
		t.Errorf("%s was written", path)
	}

	// Close while an output download is blocked: it cancels the download, which returns, then frees the task.
	other := submit(t, c, "m emu-outputs-2")
	if err := other.Wait(ctx, nil); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	before := firedCount(t, url)
	go func() {
		result <- other.DownloadOutput(context.Background(), 1, filepath.Join(t.TempDir(), "closed.mp4"))
	}()
	for firedCount(t, url) == before {
		select {
		case err := <-result:
			t.Fatalf("DownloadOutput ended before the stall: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := other.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-result; !errors.Is(err, ErrCancelled) {
		t.Errorf("the download closed under it: %v", err)
	}
	if e := asError(t, other.DownloadOutput(ctx, 1, path)); !e.closed {
		t.Errorf("after Close: %v", e)
	}
}

// firedCount is how many times the emulator at url fired its one fault rule (GET /_emulator/faults).
func firedCount(t *testing.T, url string) int {
	t.Helper()
	answer, err := http.Get(url + "/_emulator/faults")
	if err != nil {
		t.Fatal(err)
	}
	defer answer.Body.Close()
	var rules struct {
		Faults []struct {
			Fired int `json:"fired"`
		} `json:"faults"`
	}
	if err := json.NewDecoder(answer.Body).Decode(&rules); err != nil || len(rules.Faults) != 1 {
		t.Fatalf("the fault rules: %+v %v", rules, err)
	}
	return rules.Faults[0].Fired
}
