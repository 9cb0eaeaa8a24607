package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parley-dev/parley/handlers"
	"github.com/parley-dev/parley/scenario"
)

const testHelp = `Usage: parley test <command> [flags]

Commands:
  run   run scenario files on a Parley server and report each step

Run 'parley test <command> --help' for the command's settings.
`

// Exit codes of parley test run.
const (
	exitPassed  = 0
	exitFailed  = 1 // a run failed or errored
	exitTrouble = 2 // usage, connection or token error, or an invalid scenario
)

func runTest(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return &exitError{exitTrouble, fmt.Errorf("parley test needs a command\n%s", testHelp)}
	}
	switch args[0] {
	case "run":
		return runTestRun(ctx, args[1:], getenv, stdout, stderr)
	case "help", "--help", "-h":
		fmt.Fprint(stdout, testHelp)
		return nil
	default:
		return &exitError{exitTrouble, fmt.Errorf("unknown test command %q\n%s", args[0], testHelp)}
	}
}

// testRunConfig is parley test run's settings.
type testRunConfig struct {
	Server, Token, JUnit string
	Runs                 int
	JSON                 bool
	Poll                 time.Duration
	Files                []string
	// A load run of each file: Sessions > 0, Concurrency at once, over Ramp.
	Sessions, Concurrency int
	Ramp                  time.Duration
	Yes                   bool
}

// fileResult is one scenario file and its runs, as they ended.
type fileResult struct {
	File string            `json:"file"`
	Runs []handlers.APIRun `json:"runs"`
}

// runTestRun checks every file locally, runs each on the server, follows
// the runs step by step, and reports them.
func runTestRun(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg testRunConfig
	s := newSettings("test run")
	s.args = "SCENARIO.yaml…"
	s.String(&cfg.Server, "server", "PARLEY_SERVER", "http://localhost:8080", "the Parley server to run on")
	s.String(&cfg.Token, "token", "PARLEY_TOKEN", "", "a personal API token of a user who may converse (account page, or parley token create)")
	s.Int(&cfg.Runs, "runs", "PARLEY_TEST_RUNS", 1, "runs of each scenario")
	s.String(&cfg.JUnit, "junit", "PARLEY_TEST_JUNIT", "", "write the results as JUnit XML to this file")
	s.Bool(&cfg.JSON, "json", "PARLEY_TEST_JSON", false, "print the results as JSON on stdout (progress goes to stderr)")
	s.Duration(&cfg.Poll, "poll", "PARLEY_TEST_POLL", time.Second, "how often to ask the server how a run goes (each ask is one audited API use)")
	s.Int(&cfg.Sessions, "sessions", "PARLEY_TEST_SESSIONS", 0, "play each scenario as a load run of this many sessions instead of runs")
	s.Int(&cfg.Concurrency, "concurrency", "PARLEY_TEST_CONCURRENCY", 0, "a load run's sessions at once; 0 is as many as the server allows")
	s.Duration(&cfg.Ramp, "ramp", "PARLEY_TEST_RAMP", 0, "a load run's first sessions start evenly over this long")
	s.Bool(&cfg.Yes, "yes", "PARLEY_TEST_YES", false, "confirm a load run on a real Alvaria connection")
	if err := s.parse(args, getenv, stdout); err != nil {
		if errors.Is(err, errHelp) {
			return err
		}
		return &exitError{exitTrouble, err}
	}
	cfg.Files = s.fs.Args()
	switch {
	case len(cfg.Files) == 0:
		return &exitError{exitTrouble, errors.New("name the scenario files to run (see 'parley test run --help')")}
	case cfg.Runs < 1 || cfg.Poll <= 0:
		return &exitError{exitTrouble, errors.New("--runs and --poll must be positive")}
	case cfg.Sessions < 0 || cfg.Sessions > 10000 || cfg.Concurrency < 0 || cfg.Ramp < 0 || (cfg.Sessions == 0 && (cfg.Concurrency != 0 || cfg.Ramp != 0)):
		return &exitError{exitTrouble, errLoadFlags}
	}
	// The files are checked first, so that a script can be checked without a token.
	scripts, err := readScenarios(cfg.Files, stderr)
	if err != nil {
		return &exitError{exitTrouble, err}
	}
	if cfg.Token == "" {
		return &exitError{exitTrouble, errors.New("give an API token with --token or PARLEY_TOKEN (create one on your account page)")}
	}
	if plainTextToAnotherHost(cfg.Server) {
		fmt.Fprintf(stderr, "warning: %s is plain http to another machine: the API token crosses the network readable by anyone on the way; use https\n", terminalSafe(cfg.Server))
	}
	progress := stdout
	if cfg.JSON {
		progress = stderr
	}
	if cfg.Sessions > 0 {
		loads, err := runLoads(ctx, newAPIClient(cfg.Server, cfg.Token), cfg, scripts, progress)
		if err != nil {
			return &exitError{exitTrouble, err}
		}
		return reportLoads(cfg, loads, stdout)
	}
	results, err := runScenarios(ctx, newAPIClient(cfg.Server, cfg.Token), cfg, scripts, progress, stderr)
	if err != nil {
		return &exitError{exitTrouble, err}
	}
	return report(cfg, results, stdout)
}

// readScenarios reads and checks every file before anything runs, printing
// each problem as FILE:LINE:COLUMN: message.
func readScenarios(files []string, stderr io.Writer) ([]string, error) {
	scripts := make([]string, len(files))
	invalid := 0
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", f, err)
			invalid++
			continue
		}
		scripts[i] = string(data)
		var serr *scenario.Error
		if _, err := scenario.Parse(data); errors.As(err, &serr) {
			for _, p := range serr.Problems {
				fmt.Fprintln(stderr, problemLine(f, p.Line, p.Column, p.Message))
			}
			invalid++
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	if invalid > 0 {
		return nil, fmt.Errorf("%d of %d scenario files cannot run; nothing was run", invalid, len(files))
	}
	return scripts, nil
}

// problemLine is a problem as compilers write them, so editors can jump to it.
func problemLine(file string, line, column int, msg string) string {
	if line == 0 {
		return fmt.Sprintf("%s: %s", file, msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", file, line, column, msg)
}

// runScenarios queues every file's runs first, so they run side by side on
// the server, then follows them one after another. A scenario the server
// finds invalid (a newer format, say) is named on stderr like a local one.
func runScenarios(ctx context.Context, c *apiClient, cfg testRunConfig, scripts []string, out, stderr io.Writer) ([]fileResult, error) {
	results := make([]fileResult, len(scripts))
	for i, yaml := range scripts {
		started, err := c.startRuns(ctx, yaml, cfg.Runs)
		var e *apiError
		if errors.As(err, &e) {
			for _, p := range e.Body.Problems {
				fmt.Fprintln(stderr, terminalSafe(problemLine(cfg.Files[i], p.Line, p.Column, p.Message)))
			}
		}
		if err != nil {
			return nil, fmt.Errorf("run %s: %w", cfg.Files[i], err)
		}
		// Exit 0 says every run passed; no runs at all is not that.
		if len(started) != cfg.Runs {
			return nil, fmt.Errorf("run %s: the server queued %d runs of the %d asked for (is %s a Parley server?)", cfg.Files[i], len(started), cfg.Runs, c.server)
		}
		results[i] = fileResult{File: cfg.Files[i], Runs: started}
	}
	for i := range results {
		for j, r := range results[i].Runs {
			fmt.Fprintln(out, terminalSafe(fmt.Sprintf("%s: %s (run %d)", results[i].File, r.Name, r.ID)))
			done, err := follow(ctx, c, r.ID, cfg.Poll, out)
			if err != nil {
				return nil, err
			}
			results[i].Runs[j] = done
		}
	}
	return results, nil
}

// follow polls a run until it ends, printing each step as it completes.
func follow(ctx context.Context, c *apiClient, id int64, every time.Duration, out io.Writer) (handlers.APIRun, error) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	printed := 0
	for {
		r, err := c.getRun(ctx, id)
		if err != nil {
			return r, fmt.Errorf("follow run %d: %w", id, err)
		}
		for ; r.ID == id && printed < len(r.Steps) && stepDone(r.Steps[printed].Status); printed++ {
			fmt.Fprintln(out, terminalSafe(stepLine(r.Steps[printed])))
		}
		if r.ID == id && finished(r) {
			fmt.Fprintln(out, terminalSafe(runLine(r)))
			return r, nil
		}
		if r.ID != id || (r.Status != runQueued && r.Status != runRunning) {
			// Waiting on a state that never ends would hang CI.
			return r, fmt.Errorf("follow run %d: the server answered run %d in state %q (is %s a Parley server?)", id, r.ID, terminalSafe(r.Status), c.server)
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return r, fmt.Errorf("follow run %d: %w", id, ctx.Err())
		}
	}
}

func stepDone(status string) bool {
	return status == stepPassed || status == stepFailed || status == stepSkipped
}

func stepLine(s handlers.APIStep) string {
	switch s.Status {
	case stepPassed:
		return fmt.Sprintf("  ✓ step %d %s (%s)", s.Number, s.Description, seconds(span(s.StartedAt, s.FinishedAt)))
	case stepFailed:
		return fmt.Sprintf("  ✗ step %d %s — got %s", s.Number, s.Description, s.Got)
	}
	return fmt.Sprintf("  - step %d %s (skipped)", s.Number, s.Description)
}

func runLine(r handlers.APIRun) string {
	took := seconds(span(r.StartedAt, r.FinishedAt))
	switch r.Status {
	case runPassed:
		return fmt.Sprintf("  passed in %s", took)
	case runFailed:
		return fmt.Sprintf("  FAILED in %s: %s", took, r.Reason)
	}
	return fmt.Sprintf("  ERRORED: %s", r.Reason)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

// report writes the JUnit file and the JSON, and says how it went.
func report(cfg testRunConfig, results []fileResult, stdout io.Writer) error {
	if cfg.JUnit != "" {
		if err := writeJUnitFile(cfg.JUnit, results); err != nil {
			return &exitError{exitTrouble, err}
		}
	}
	bad, total := notPassed(results)
	if cfg.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"passed": bad == 0, "files": results}); err != nil {
			return &exitError{exitTrouble, err}
		}
	}
	if bad > 0 {
		return &exitError{exitFailed, fmt.Errorf("%d of %d runs did not pass", bad, total)}
	}
	return nil
}

// notPassed counts the runs that failed or errored, of total.
func notPassed(results []fileResult) (bad, total int) {
	for _, f := range results {
		for _, r := range f.Runs {
			total++
			if r.Status != runPassed {
				bad++
			}
		}
	}
	return bad, total
}

// terminalSafe shows control and bidirectional-override characters as
// escapes: what the agent said, or what a server answered, is printed to a
// terminal or a CI log, where ESC sequences could rewrite the screen (hide a
// failure, fake a pass) and a bidi override could reorder what is read.
func terminalSafe(s string) string {
	if !strings.ContainsFunc(s, unsafeForTerminal) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case unsafeForTerminal(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeForTerminal(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		s = s[size:]
	}
	return b.String()
}

func unsafeForTerminal(r rune) bool {
	return (unicode.IsControl(r) && r != '\n' && r != '\t') || unicode.Is(unicode.Bidi_Control, r)
}

// plainTextToAnotherHost tells whether server is http (not https) to a host
// other than this machine, where the bearer token travels in clear text.
func plainTextToAnotherHost(server string) bool {
	u, err := url.Parse(server)
	if err != nil || u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}
