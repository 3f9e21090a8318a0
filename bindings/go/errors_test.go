package videogen

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

var errorsAs = errors.As

// Every family sentinel matches its codes and no other; a Code matches itself; the context errors match the
// deadline and cancellation codes; errors.As finds the *Error through a wrap.
func TestErrorFamiliesWithErrorsIs(t *testing.T) {
	cases := []struct {
		err     *Error
		in, out []error
	}{
		{&Error{Code: CodeAuth, HTTPStatus: 401}, []error{ErrAuth, CodeAuth}, []error{ErrPermission, ErrNotFound, CodePermission}},
		{&Error{Code: CodePermission}, []error{ErrAuth, ErrPermission}, []error{ErrNotFound}},
		{&Error{Code: CodeNotFound}, []error{ErrNotFound, CodeNotFound}, []error{ErrAuth, ErrTaskFailed}},
		{&Error{Code: CodeRateLimited}, []error{ErrRateLimited}, []error{ErrQuota}},
		{&Error{Code: CodeContentPolicy, Op: "wait"}, []error{ErrContentPolicy, ErrTaskFailed}, []error{ErrBadRequest}},
		{&Error{Code: CodeContentPolicy, Op: "submit"}, []error{ErrContentPolicy}, []error{ErrTaskFailed}},
		{&Error{Code: CodeTaskFailed}, []error{ErrTaskFailed}, []error{ErrContentPolicy}},
		{&Error{Code: CodeDeadline}, []error{ErrDeadline, ErrTimeout, context.DeadlineExceeded}, []error{ErrCancelled, context.Canceled}},
		{&Error{Code: CodeTimeout}, []error{ErrTimeout}, []error{ErrDeadline, context.DeadlineExceeded}},
		{&Error{Code: CodeCancelled}, []error{ErrCancelled, context.Canceled}, []error{ErrDeadline, ErrClosed}},
		{&Error{Code: CodeInvalidJSON}, []error{ErrInvalidArgument}, []error{CodeInvalidArgument}},
		{&Error{Code: CodeUnknownOutcome}, []error{ErrUnknownOutcome}, []error{ErrNetwork}},
		{closedError("wait", "task"), []error{ErrClosed, ErrInvalidHandle}, []error{ErrCancelled}},
		{&Error{Code: CodeCancelled, cause: context.DeadlineExceeded}, []error{ErrCancelled, context.DeadlineExceeded}, []error{ErrDeadline}},
	}
	for _, c := range cases {
		wrapped := fmt.Errorf("job 7: %w", c.err)
		for _, target := range c.in {
			if !errors.Is(wrapped, target) {
				t.Errorf("%v: errors.Is(%v) = false, want true", c.err, target)
			}
		}
		for _, target := range c.out {
			if errors.Is(wrapped, target) {
				t.Errorf("%v: errors.Is(%v) = true, want false", c.err, target)
			}
		}
		var e *Error
		if !errors.As(wrapped, &e) || e != c.err {
			t.Errorf("errors.As did not find %v", c.err)
		}
	}
}

// The message names the code, the cause and the details.
func TestErrorMessageCarriesTheDetails(t *testing.T) {
	e := &Error{Code: CodeRateLimited, Op: "submit", Message: "slow down", HTTPStatus: 429, ProviderCode: "rate_limit",
		RetryAfter: 2e9, TaskID: "video_1"}
	got := e.Error()
	for _, want := range []string{"videogen: submit: ", "rate limited", "slow down", "HTTP 429", "provider code rate_limit",
		"retry after 2s", "task video_1"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	if CodeNotFound.String() == "" || !strings.Contains(CodeNotFound.Error(), "code 8") {
		t.Errorf("Code texts: %q / %q", CodeNotFound.String(), CodeNotFound.Error())
	}
}

// A Config never prints its key, whatever the verb.
func TestConfigNeverPrintsItsKey(t *testing.T) {
	cfg := Config{Dialect: "openai", BaseURL: "http://127.0.0.1:1", APIKey: "sk-do-not-print"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out := fmt.Sprintf(verb, cfg) + fmt.Sprintf(verb, &cfg)
		if strings.Contains(out, "sk-do-not-print") || !strings.Contains(out, "<redacted>") {
			t.Errorf("%s printed %q", verb, out)
		}
	}
	doc, err := cfg.JSON()
	if err != nil || !strings.Contains(doc, `"api_key":"sk-do-not-print"`) {
		t.Errorf("JSON() = %q, %v: the document for the library must carry the key", doc, err)
	}
}
