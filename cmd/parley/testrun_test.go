package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// The scenario of the issue, as written, passes against the embedded simulator.
const passingScenario = "../../scenario/testdata/order-status.yaml"

const failingScenario = `name: Wrong answer
workTypeId: "32"
contactName: "CLI failing {{run}}"
steps:
  - expect: agent_joined
  - say: "hello"
  - expect: agent_message
    contains: "nope"
    within: 2s
  - end: true
`

const invalidScenario = `name: Broken
workTypeId: "32"
contactName: "CLI invalid"
steps:
  - expect: agent_mesage
  - wait: soon
`

// testRun runs parley test run with env and returns its exit code and output.
func testRun(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.WithoutCancel(t.Context()), append([]string{"test", "run"}, args...), envMap(env), &out, &errOut)
	if err != nil {
		code = exitCode(err)
		errOut.WriteString("parley: " + err.Error() + "\n")
	}
	return code, out.String(), errOut.String()
}

func TestTestRunAgainstARealServer(t *testing.T) {
	db := "sqlite://" + filepath.Join(t.TempDir(), "parley.db")
	srv := startConsole(t, map[string]string{"PARLEY_DATABASE_URL": db, "PARLEY_SIM_AGENT_DELAY": "50ms"})

	var tokenOut bytes.Buffer
	if err := run(t.Context(), []string{"token", "create", "--user", "admin", "--name", "ci"}, envMap(map[string]string{"PARLEY_DATABASE_URL": db}), &tokenOut, io.Discard); err != nil {
		t.Fatalf("token create: %v", err)
	}
	token := strings.TrimSpace(tokenOut.String())
	env := map[string]string{"PARLEY_SERVER": srv.URL, "PARLEY_TOKEN": token}

	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pass, err := os.ReadFile(passingScenario)
	if err != nil {
		t.Fatal(err)
	}
	passing, failing, invalid := write("order.yaml", string(pass)), write("wrong.yaml", failingScenario), write("broken.yaml", invalidScenario)
	st := storetest.Open(t, db)
	countRuns := func() int {
		rs, err := st.ListRuns(t.Context(), store.RunFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return len(rs)
	}

	t.Run("invalid scenario stops everything before it runs", func(t *testing.T) {
		code, out, errOut := testRun(t, env, passing, invalid)
		if code != 2 || !strings.Contains(errOut, invalid+`:5:13: step 1: "agent_mesage" is not an expectation`) || !strings.Contains(errOut, invalid+":6:") {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		if n := countRuns(); n != 0 {
			t.Fatalf("%d runs started", n)
		}
	})

	t.Run("usage, token and connection errors", func(t *testing.T) {
		for name, c := range map[string]struct {
			env  map[string]string
			args []string
			says string
		}{
			"no files":        {env, nil, "name the scenario files"},
			"no token":        {map[string]string{"PARLEY_SERVER": srv.URL}, []string{passing}, "--token"},
			"bad token":       {map[string]string{"PARLEY_SERVER": srv.URL, "PARLEY_TOKEN": "parley_wrong"}, []string{passing}, "answered 401"},
			"no server":       {map[string]string{"PARLEY_SERVER": "http://127.0.0.1:1", "PARLEY_TOKEN": token}, []string{passing}, "cannot reach Parley"},
			"unknown flag":    {env, []string{"--nope", passing}, "-nope"},
			"missing file":    {env, []string{filepath.Join(dir, "none.yaml")}, "none.yaml"},
			"bad runs number": {env, []string{"--runs", "0", passing}, "--runs"},
		} {
			code, out, errOut := testRun(t, c.env, c.args...)
			if code != 2 || !strings.Contains(errOut, c.says) {
				t.Errorf("%s: exit %d, want 2 saying %q\nstdout:\n%s\nstderr:\n%s", name, code, c.says, out, errOut)
			}
		}
		if n := countRuns(); n != 0 {
			t.Fatalf("%d runs started", n)
		}
	})

	t.Run("passing scenario exits 0", func(t *testing.T) {
		junit := filepath.Join(dir, "pass.xml")
		code, out, errOut := testRun(t, env, "--runs", "2", "--junit", junit, passing)
		if code != 0 {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s\nserver:\n%s", code, out, errOut, srv.log)
		}
		for _, want := range []string{passing + ": Order status, happy path (run 1)", "  ✓ step 0 expect session_started (implied) (", `  ✓ step 3 say "Where is my order 1234?" (`, "  ✓ step 13 expect session_ended", "  passed in "} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		suites := readJUnit(t, junit)
		if len(suites.Suites) != 1 || suites.Suites[0].Name != passing || suites.Suites[0].Tests != 2 || suites.Failures+suites.Errors != 0 {
			t.Fatalf("junit = %+v", suites)
		}
	})

	t.Run("failing scenario exits 1 and names the step", func(t *testing.T) {
		junit := filepath.Join(dir, "fail.xml")
		code, out, errOut := testRun(t, env, "--junit", junit, "--json", passing, failing)
		if code != 1 || !strings.Contains(errOut, "1 of 2 runs did not pass") {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		if !strings.Contains(errOut, `  ✗ step 3 expect agent_message contains "nope" within 2s — got `) || !strings.Contains(errOut, "  - step 4 end the session (skipped)") {
			t.Errorf("progress (on stderr with --json) lacks the failed step:\n%s", errOut)
		}
		var results struct {
			Passed bool
			Files  []fileResult
		}
		if err := json.Unmarshal([]byte(out), &results); err != nil || results.Passed || len(results.Files) != 2 || results.Files[1].Runs[0].Status != runFailed {
			t.Fatalf("--json output %v:\n%s", err, out)
		}
		suites := readJUnit(t, junit)
		if len(suites.Suites) != 2 || suites.Tests != 2 || suites.Failures != 1 || suites.Errors != 0 {
			t.Fatalf("junit = %+v", suites)
		}
		wrong := suites.Suites[1]
		if wrong.Name != failing || len(wrong.Cases) != 1 || wrong.Cases[0].Failure == nil {
			t.Fatalf("failing suite = %+v", wrong)
		}
		f := wrong.Cases[0].Failure
		if f.Message != `step 3: expect agent_message contains "nope" within 2s` || !strings.Contains(f.Text, "step 3 (line 7)") ||
			!strings.Contains(f.Text, `expected: expect agent_message contains "nope" within 2s`) || !strings.Contains(f.Text, "got: ") {
			t.Fatalf("failure = %+v", f)
		}
	})

	t.Run("a load run prints its counts and percentiles, one testcase per session", func(t *testing.T) {
		if code, _, errOut := testRun(t, env, "--concurrency", "3", passing); code != 2 || !strings.Contains(errOut, "--sessions must be") {
			t.Errorf("--concurrency without --sessions: exit %d\n%s", code, errOut)
		}
		junit := filepath.Join(dir, "load.xml")
		code, out, errOut := testRun(t, env, "--sessions", "8", "--concurrency", "4", "--ramp", "100ms", "--poll", "100ms", "--json", "--junit", junit, passing)
		if code != 0 {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s\nserver:\n%s", code, out, errOut, srv.log)
		}
		var results struct {
			Passed bool
			Loads  []loadResult
		}
		if err := json.Unmarshal([]byte(out), &results); err != nil || !results.Passed || len(results.Loads) != 1 {
			t.Fatalf("--json output %v:\n%s", err, out)
		}
		lr := results.Loads[0].LoadRun
		if lr.Counts.Passed != 8 || lr.Concurrency != 4 || lr.RampSeconds != 0.1 || len(lr.Percentiles) == 0 || lr.Percentiles[0].Count != 8 || lr.SessionList != nil {
			t.Fatalf("load run %+v", lr)
		}
		if !strings.Contains(errOut, "Time to AGENT_JOINED") || !strings.Contains(errOut, "8 passed") {
			t.Errorf("progress lacks the percentiles:\n%s", errOut)
		}
		suites := readJUnit(t, junit)
		if suites.Tests != 8 || suites.Failures+suites.Errors != 0 {
			t.Fatalf("junit = %+v", suites)
		}
	})
}

func readJUnit(t *testing.T, path string) junitSuites {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s junitSuites
	if err := xml.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s does not parse: %v\n%s", path, err, data)
	}
	return s
}
