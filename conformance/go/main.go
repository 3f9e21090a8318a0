// Command conformance is the conformance runner of the Go binding (bindings/go): it runs conformance/scenarios.json.
//
//	go build -o runner . && ./runner ../scenarios.json
//
// Environment (set by conformance/run.py): VG_CONFORMANCE_URL, VG_CONFORMANCE_ECHO_URL, VG_CONFORMANCE_KEY (the
// canary, read by the library through api_key_env), VG_CONFORMANCE_SCRATCH, VG_CONFORMANCE_ONLY. It prints one
// 'CONFORMANCE {...}' line per scenario; an id this runner does not know fails. Expected values come from the file.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"
)

// Suite is the scenarios file.
type Suite struct {
	Client map[string]any `json:"client"`
	Codes  map[string]int `json:"codes"`
	States []string       `json:"states"`
	Video  struct {
		Bytes  int64
		SHA256 string
	}
	Scenarios []Scenario `json:"scenarios"`
	path      string
}

// Scenario is one scenario of the file; its fields are read as each scenario needs them.
type Scenario map[string]any

// failed is a scenario's expectation that did not hold.
type failed string

func (f failed) Error() string { return string(f) }

// expect fails the scenario with the formatted reason unless cond holds.
func expect(cond bool, format string, args ...any) {
	if !cond {
		panic(failed(fmt.Sprintf(format, args...)))
	}
}

// must fails the scenario when err is not nil.
func must(err error, what string) {
	if err != nil {
		panic(failed(what + ": " + err.Error()))
	}
}

var scenarios = map[string]func(*Suite, Scenario) string{
	"whole_job_byte_exact":       wholeJobByteExact,
	"progress_events_in_order":   progressEventsInOrder,
	"typed_auth_error":           typedAuthError,
	"not_found":                  notFound,
	"task_failed_with_reason":    taskFailedWithReason,
	"wait_deadline":              waitDeadline,
	"cancel_within_1s":           cancelWithin1s,
	"resume_in_new_process":      resumeInNewProcess,
	"tasks_200_at_once":          tasks200AtOnce,
	"misuse_after_close":         misuseAfterClose,
	"canary_key_never_in_output": canaryKeyNeverInOutput,
}

func main() {
	args := os.Args[1:]
	if len(args) == 5 && args[0] == "--child" && args[1] == "resume" {
		os.Exit(resumeChild(load(args[2]), args[3], args[4]))
	}
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: runner scenarios.json")
		os.Exit(2)
	}
	suite := load(args[0])
	only := os.Getenv("VG_CONFORMANCE_ONLY")
	failures := 0
	for _, sc := range suite.Scenarios {
		id := sc.str("id")
		if only != "" && !contains(strings.Split(only, ","), id) {
			continue
		}
		start := time.Now()
		result, reason := run(suite, sc, id)
		if result != "pass" {
			failures++
		}
		line, _ := json.Marshal(map[string]any{"runtime": "go", "scenario": id, "result": result, "reason": reason,
			"seconds": time.Since(start).Seconds()})
		fmt.Printf("CONFORMANCE %s\n", line)
	}
	if failures > 0 {
		os.Exit(1)
	}
}

// run runs one scenario, turning a failed expectation (or any panic) into its failure.
func run(suite *Suite, sc Scenario, id string) (result, reason string) {
	fn := scenarios[id]
	if fn == nil {
		return "fail", "unknown scenario: this runner has no implementation of it"
	}
	defer func() {
		if r := recover(); r != nil {
			result, reason = "fail", fmt.Sprint(r)
		}
	}()
	return "pass", fn(suite, sc)
}

func load(path string) *Suite {
	text, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	suite := &Suite{path: path}
	if err := json.Unmarshal(text, suite); err != nil {
		fmt.Fprintln(os.Stderr, path+":", err)
		os.Exit(2)
	}
	return suite
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// str, num, obj and raw read a scenario's members.
func (s Scenario) str(key string) string   { v, _ := s[key].(string); return v }
func (s Scenario) num(key string) float64  { v, _ := s[key].(float64); return v }
func (s Scenario) obj(key string) Scenario { v, _ := s[key].(map[string]any); return v }
func (s Scenario) raw(key string) string {
	b, err := json.Marshal(s[key])
	must(err, key)
	return string(b)
}
func (s Scenario) expect() Scenario { return s.obj("expect") }
