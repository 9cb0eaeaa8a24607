package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/handlers"
)

// What an agent said reaches the terminal or CI log that runs parley test
// run; escape sequences in it must not reach the screen as such.
func TestTestRunPrintsNoEscapeSequencesFromTheServer(t *testing.T) {
	hostile := "\x1b[2K\x1b[1A  ✓ step 4 passed\x07\u202eevil\xff"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/runs/2" {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(hostile))
			return
		}
		json.NewEncoder(w).Encode(handlers.APIRun{ID: 1, Name: hostile, Status: runFailed, Reason: hostile, Steps: []handlers.APIStep{
			{Number: 4, Description: hostile, Status: stepFailed, Got: hostile},
		}})
	}))
	defer srv.Close()
	c := newAPIClient(srv.URL, "parley_x")

	var out bytes.Buffer
	if _, err := follow(t.Context(), c, 1, time.Hour, &out); err != nil {
		t.Fatal(err)
	}
	_, err := follow(t.Context(), c, 2, time.Hour, &out)
	if err == nil {
		t.Fatal("a 500 was taken for a run")
	}
	printed := out.String() + err.Error()
	for _, bad := range []string{"\x1b", "\x07", "\u202e", "\xff"} {
		if strings.Contains(printed, bad) {
			t.Errorf("%q reached the terminal:\n%q", bad, printed)
		}
	}
	if !strings.Contains(printed, `\x1b[2K`) || !strings.Contains(printed, `\u202eevil`) {
		t.Errorf("the escapes are not shown for what they are:\n%s", printed)
	}
}

// A server that is not Parley, or a broken one, must not make parley test
// run report success for runs that never were, nor wait forever.
func TestTestRunDoesNotTrustANonsensicalServer(t *testing.T) {
	for _, tt := range []struct {
		name     string
		started  string // the answer to POST /api/v1/runs
		run      string // the answer to GET /api/v1/runs/7
		sentence string
	}{
		{"no runs queued", `{"runs": []}`, "", "queued 0 runs of the 1 asked for"},
		{"no list at all", `{}`, "", "queued 0 runs of the 1 asked for"},
		{"a state that never ends", `{"runs": [{"id": 7, "status": "queued"}]}`, `{"id": 7, "status": "sleeping"}`, `state "sleeping"`},
		{"another run", `{"runs": [{"id": 7, "status": "queued"}]}`, `{"id": 8, "status": "passed"}`, "answered run 8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if r.Method == http.MethodPost {
					w.WriteHeader(http.StatusAccepted)
					w.Write([]byte(tt.started))
					return
				}
				w.Write([]byte(tt.run))
			}))
			defer srv.Close()
			code, _, stderr := testRun(t, nil, "--server", srv.URL, "--token", "parley_x", "--poll", "1ms", passingScenario)
			if code != exitTrouble || !strings.Contains(stderr, tt.sentence) {
				t.Errorf("exit %d, want %d with %q:\n%s", code, exitTrouble, tt.sentence, stderr)
			}
		})
	}
}

func TestPlainHTTPToAnotherHostIsWarnedOf(t *testing.T) {
	for server, want := range map[string]bool{
		"http://localhost:8080": false, "http://127.0.0.1:8080": false, "http://[::1]:8080": false,
		"https://parley.example.com": false, "http://parley.example.com": true, "http://10.0.0.5:8080": true,
	} {
		if got := plainTextToAnotherHost(server); got != want {
			t.Errorf("%s: warned %v, want %v", server, got, want)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	defer srv.Close()
	if _, _, stderr := testRun(t, nil, "--server", srv.URL, "--token", "parley_x", passingScenario); strings.Contains(stderr, "warning") {
		t.Errorf("warned about a loopback server:\n%s", stderr)
	}
}
