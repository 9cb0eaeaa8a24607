package main

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/handlers"
)

func TestJUnitHasASuitePerFileAndACasePerRun(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := t0.Add(d); return &v }
	four := 4
	results := []fileResult{
		{File: "tests/greeting.yaml", Runs: []handlers.APIRun{
			{ID: 1, Name: "Greeting", Status: runPassed, SessionID: "s-1", StartedAt: at(0), FinishedAt: at(1500 * time.Millisecond)},
			{ID: 2, Name: "Greeting", Status: runErrored, Reason: "Parley stopped during the run.", StartedAt: at(0), FinishedAt: at(time.Second)},
		}},
		{File: "tests/order <&>.yaml", Runs: []handlers.APIRun{
			{ID: 3, Name: "Order", Status: runFailed, Reason: "Step 4 failed.", FailedStep: &four, StartedAt: at(0), FinishedAt: at(2 * time.Second),
				Steps: []handlers.APIStep{
					{Number: 3, Line: 8, Description: `say "hello"`, Status: stepPassed},
					{Number: 4, Line: 9, Description: `expect agent_message contains "nope" within 2s`, Status: stepFailed,
						Expected: `expect agent_message contains "nope" within 2s`, Got: `agent_message "You said: \"hello\""`},
					{Number: 5, Line: 11, Description: "end the session", Status: stepSkipped},
				}},
		}},
	}
	var buf bytes.Buffer
	if err := writeJUnit(&buf, results); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), xml.Header) {
		t.Fatalf("no XML header:\n%s", buf.String())
	}
	var got junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("the XML does not parse back: %v\n%s", err, buf.String())
	}
	if got.Tests != 3 || got.Failures != 1 || got.Errors != 1 || got.Time != "4.500" || len(got.Suites) != 2 {
		t.Fatalf("testsuites = %+v", got)
	}
	greeting, order := got.Suites[0], got.Suites[1]
	if greeting.Name != "tests/greeting.yaml" || greeting.Tests != 2 || greeting.Errors != 1 || greeting.Failures != 0 || greeting.Time != "2.500" {
		t.Errorf("greeting suite = %+v", greeting)
	}
	pass, errored := greeting.Cases[0], greeting.Cases[1]
	if pass.Name != "Greeting (run 1)" || pass.Classname != "tests/greeting.yaml" || pass.Time != "1.500" || pass.Failure != nil || pass.Error != nil || pass.SystemOut != "session s-1" {
		t.Errorf("passed case = %+v", pass)
	}
	if errored.Error == nil || errored.Error.Message != "Parley stopped during the run." || errored.Failure != nil {
		t.Errorf("errored case = %+v", errored)
	}
	if order.Name != "tests/order <&>.yaml" || order.Failures != 1 || len(order.Cases) != 1 {
		t.Fatalf("order suite = %+v", order)
	}
	f := order.Cases[0].Failure
	if f == nil || f.Message != `step 4: expect agent_message contains "nope" within 2s` {
		t.Fatalf("failure = %+v", f)
	}
	for _, want := range []string{"step 4 (line 9)", `expected: expect agent_message contains "nope" within 2s`, `got: agent_message "You said: \"hello\""`, "Step 4 failed."} {
		if !strings.Contains(f.Text, want) {
			t.Errorf("failure text lacks %q:\n%s", want, f.Text)
		}
	}
}

// An agent's text, a test's name or a file name may hold characters XML 1.0
// forbids (NUL, ESC) or bytes that are not UTF-8; the file must stay XML a
// CI system can read.
func TestJUnitStaysWellFormedWhateverTheAgentSaid(t *testing.T) {
	hostile := "a\x00b\x1b[31mc\x7f\xff\xfe]]></failure><x>\ufffe"
	results := []fileResult{{File: "tests/" + hostile + ".yaml", Runs: []handlers.APIRun{
		{ID: 1, Name: hostile, Status: runFailed, Reason: hostile, SessionID: hostile, Steps: []handlers.APIStep{
			{Number: 1, Description: hostile, Status: stepFailed, Expected: hostile, Got: hostile},
		}},
		{ID: 2, Name: hostile, Status: runErrored, Reason: hostile},
	}}}
	var buf bytes.Buffer
	if err := writeJUnit(&buf, results); err != nil {
		t.Fatal(err)
	}
	var got junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("the XML does not parse back: %v\n%q", err, buf.String())
	}
	for _, b := range buf.Bytes() {
		if b < 0x20 && b != '\n' && b != '\r' && b != '\t' {
			t.Fatalf("control byte %#x in the XML:\n%q", b, buf.String())
		}
	}
	if f := got.Suites[0].Cases[0].Failure; f == nil || !strings.Contains(f.Text, "]]></failure><x>") {
		t.Errorf("the failure lost the agent's words: %+v", f)
	}
}
