package videogen

// #include <stdlib.h>
// #include <string.h>
// #include "videogen.h"
import "C"

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unsafe"
)

// WebhookVerdict is what the library concluded about one provider callback (README.md, "Webhooks"). A refusal is a
// verdict, not an error: Accepted is false and Reason names the check that failed (bad_signature,
// timestamp_outside_tolerance, malformed_header, unknown_key_id, body_too_large, unsigned, no_key,
// unreadable_payload).
type WebhookVerdict struct {
	Accepted bool
	// Reason is "accepted" or the refusal's reason.
	Reason string
	// Message says a refusal in words (never the secret).
	Message string
	// Details is the library's result document without "verdict" and "message": for an applied callback kind
	// (applied, hint, duplicate, unwatched), task_id, state, waits, scheme, signed, delivery_id.
	Details map[string]any
}

// webhookReasons are the verdict names by vg_webhook_verdict number.
var webhookReasons = []string{"accepted", "bad_signature", "timestamp_outside_tolerance", "malformed_header",
	"unknown_key_id", "body_too_large", "unsigned", "no_key", "unreadable_payload"}

// HeaderBlock is the raw header block ("Name: value" lines) of h, the form the webhook calls take.
func HeaderBlock(h http.Header) string {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		for _, value := range h[name] {
			b.WriteString(name + ": " + value + "\r\n")
		}
	}
	return b.String()
}

// webhookCall runs vg_webhook_verify (client nil) or vg_client_webhook_apply.
func webhookCall(op string, client *C.vg_client, verifier, method, target, headers string, body []byte) (WebhookVerdict, error) {
	var strs [4]*C.char
	for i, s := range []struct{ what, text string }{{"the verifier", verifier}, {"the method", method},
		{"the target", target}, {"the headers", headers}} {
		cs, err := cString(op, s.what, s.text)
		if err != nil {
			for _, done := range strs[:i] {
				C.free(unsafe.Pointer(done))
			}
			return WebhookVerdict{}, err
		}
		strs[i] = cs
	}
	defer func() {
		C.memset(unsafe.Pointer(strs[0]), 0, C.size_t(len(verifier))) // the document holds the secret
		for _, cs := range strs {
			C.free(unsafe.Pointer(cs))
		}
	}()
	var cbody *C.uint8_t
	if len(body) > 0 {
		cbody = (*C.uint8_t)(C.CBytes(body))
		defer C.free(unsafe.Pointer(cbody))
	}
	var verdict C.vg_webhook_verdict
	var result *C.char
	var cerr *C.vg_error
	var code C.vg_code
	if client == nil {
		code = C.vg_webhook_verify(strs[0], strs[1], strs[2], strs[3], cbody, C.size_t(len(body)), &verdict, &result, &cerr)
	} else {
		code = C.vg_client_webhook_apply(client, strs[0], strs[1], strs[2], strs[3], cbody, C.size_t(len(body)),
			&verdict, &result, &cerr)
	}
	if err := takeError(op, code, cerr); err != nil {
		return WebhookVerdict{}, err
	}
	text := C.GoString(result)
	C.vg_string_free(result)
	details := map[string]any{}
	if err := json.Unmarshal([]byte(text), &details); err != nil {
		return WebhookVerdict{}, &Error{Code: CodeInternal, Op: op, Message: "unreadable result: " + err.Error(), RetryAfter: -1}
	}
	reason := "verdict_" + strconv.Itoa(int(verdict))
	if int(verdict) < len(webhookReasons) {
		reason = webhookReasons[verdict]
	}
	message, _ := details["message"].(string)
	delete(details, "message")
	delete(details, "verdict")
	return WebhookVerdict{Accepted: verdict == C.VG_WEBHOOK_ACCEPTED, Reason: reason, Message: message, Details: details}, nil
}

// VerifyWebhook verifies one callback without a client (vg_webhook_verify): verifier is the verifier document
// (README.md, "Webhooks"), headers the raw header block (HeaderBlock), body the raw body as received.
func VerifyWebhook(verifier, method, target, headers string, body []byte) (WebhookVerdict, error) {
	if err := checkLibrary(); err != nil {
		return WebhookVerdict{}, err
	}
	return webhookCall("verify webhook", nil, verifier, method, target, headers, body)
}

// ApplyWebhook verifies one callback and applies it to the task it names (vg_client_webhook_apply): this client's
// waits on that task take it as an update and end when it says the task ended. Safe to call from an HTTP handler.
func (c *Client) ApplyWebhook(verifier, method, target, headers string, body []byte) (WebhookVerdict, error) {
	if c == nil {
		return WebhookVerdict{}, closedError("apply webhook", "client")
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.c == nil {
		return WebhookVerdict{}, closedError("apply webhook", "client")
	}
	return webhookCall("apply webhook", c.c, verifier, method, target, headers, body)
}
