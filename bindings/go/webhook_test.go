package videogen

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The known answer: signed by the standardwebhooks package (1.1.0) over kat body at 1767000000.
const (
	katSecret    = "whsec_dmlkZW9nZW4tYy10ZXN0LXNlY3JldC0zMi1ieXRlcyE="
	katBody      = `{"object":"event","type":"video.completed","data":{"id":"video_123"}}`
	katSignature = "v1,xB3BpGk0nMR1HYw6g2jZQT85RxoG9hHHd4tckH9wlP8="
)

func katHeaders() http.Header {
	h := http.Header{}
	h.Set("webhook-id", "msg_c1")
	h.Set("webhook-timestamp", "1767000000")
	h.Set("webhook-signature", katSignature)
	return h
}

func TestVerifyWebhookKnownAnswerAndRefusals(t *testing.T) {
	at := func(now int) string {
		return `{"scheme":"standard_webhooks","secret":"` + katSecret + `","now":` + itoa(now) + `}`
	}
	cases := []struct {
		verifier string
		headers  http.Header
		body     string
		reason   string
	}{
		{at(1767000000), katHeaders(), katBody, "accepted"},
		{at(1767000300), katHeaders(), katBody, "accepted"},
		{at(1767000301), katHeaders(), katBody, "timestamp_outside_tolerance"},
		{at(1767000000), katHeaders(), katBody[:len(katBody)-1], "bad_signature"},
		{at(1767000000), http.Header{"Webhook-Id": {"msg_c1"}}, katBody, "malformed_header"},
		{`{"scheme":"unsigned"}`, http.Header{}, katBody, "unsigned"},
	}
	for _, c := range cases {
		v, err := VerifyWebhook(c.verifier, "POST", "/hooks", HeaderBlock(c.headers), []byte(c.body))
		if err != nil {
			t.Fatalf("VerifyWebhook: %v", err)
		}
		if v.Reason != c.reason || v.Accepted != (c.reason == "accepted") {
			t.Errorf("%s: got %+v, want %s", c.verifier, v, c.reason)
		}
		if strings.Contains(v.Message, "dmlkZW9nZW4") {
			t.Errorf("the secret shows in %q", v.Message)
		}
	}
	if _, err := VerifyWebhook(`{"scheme":"standard_webhooks"}`, "POST", "/", "", nil); err == nil ||
		!strings.Contains(err.Error(), "secret") {
		t.Errorf("a verifier without its secret: %v", err)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestWebhookEndsTheWait: the emulator posts its signed callback to an httptest receiver that applies it; the wait
// polls every 60 s with a 45-s deadline, so ending succeeded before 45 s means it ended on the callback.
func TestWebhookEndsTheWait(t *testing.T) {
	const secret = "whsec_Z28tYmluZGluZy13ZWJob29rLXNlY3JldC0wMTIz"
	settings, _ := json.Marshal(map[string]any{"secret": secret, "scheme": "standard_webhooks", "mode": "normal"})
	resp, err := http.Post(emulatorURL+"/_emulator/webhooks", "application/json", bytes.NewReader(settings))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("configuring the emulator's webhooks: %v %v", err, resp)
	}
	resp.Body.Close()
	c, err := NewClient(Config{Dialect: "unified", BaseURL: emulatorURL, APIKey: testKey,
		Poll: &PollConfig{Interval: 60, MaxInterval: 60}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	verdicts := make(chan WebhookVerdict, 4)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		v, err := c.ApplyWebhook(`{"scheme":"standard_webhooks","secret":"`+secret+`"}`, r.Method, r.URL.RequestURI(),
			HeaderBlock(r.Header), body)
		if err != nil {
			t.Errorf("ApplyWebhook: %v", err)
		}
		verdicts <- v
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()
	task, err := c.Submit(context.Background(), Request{Model: "veo-3", Prompt: "a fox", CallbackURL: receiver.URL + "/hooks"})
	if err != nil {
		t.Fatal(err)
	}
	defer task.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	start := time.Now()
	if err := task.Wait(ctx, nil); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if task.State() != StateSucceeded {
		t.Fatalf("state %v", task.State())
	}
	v := <-verdicts
	if !v.Accepted || v.Details["kind"] != "applied" || v.Details["task_id"] != task.ID() {
		t.Fatalf("verdict %+v", v)
	}
	t.Logf("submit to end of wait: %v (the first poll was 60 s away)", time.Since(start))
}
