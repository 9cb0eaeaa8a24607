package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/parley-dev/parley/handlers"
)

// loadResult is one scenario file's load run, as it ended.
type loadResult struct {
	File    string              `json:"file"`
	LoadRun handlers.APILoadRun `json:"loadRun"`
}

// startLoad starts a load run of the scenario yaml.
func (c *apiClient) startLoad(ctx context.Context, yaml string, cfg testRunConfig) (handlers.APILoadRun, error) {
	body, err := json.Marshal(map[string]any{"scenario": yaml, "sessions": cfg.Sessions, "concurrency": cfg.Concurrency,
		"ramp": cfg.Ramp.String(), "confirm": cfg.Yes})
	if err != nil {
		return handlers.APILoadRun{}, err
	}
	var out handlers.APIRunList
	if err := c.do(ctx, http.MethodPost, "/api/v1/runs", body, http.StatusAccepted, &out); err != nil {
		return handlers.APILoadRun{}, err
	}
	if out.LoadRun == nil {
		return handlers.APILoadRun{}, fmt.Errorf("the server started no load run (is %s a Parley server new enough for load runs?)", c.server)
	}
	return *out.LoadRun, nil
}

func (c *apiClient) getLoad(ctx context.Context, id int64, sessions bool) (handlers.APILoadRun, error) {
	var out handlers.APILoadRun
	path := fmt.Sprintf("/api/v1/loads/%d", id)
	if sessions {
		path += "?sessions=true"
	}
	return out, c.do(ctx, http.MethodGet, path, nil, http.StatusOK, &out)
}

func (c *apiClient) cancelLoad(ctx context.Context, id int64) error {
	var out handlers.APILoadRun
	return c.do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/loads/%d/cancel", id), nil, http.StatusOK, &out)
}

// runLoads plays each file as a load run, one after another so they do
// not share the connection's ceiling, printing the counters as they move.
// Stopped (Ctrl-C), it cancels the load run in progress on the server.
func runLoads(ctx context.Context, c *apiClient, cfg testRunConfig, scripts []string, out io.Writer) ([]loadResult, error) {
	results := make([]loadResult, 0, len(scripts))
	for i, yaml := range scripts {
		lr, err := c.startLoad(ctx, yaml, cfg)
		if err != nil {
			return nil, fmt.Errorf("load run of %s: %w", cfg.Files[i], err)
		}
		fmt.Fprintln(out, terminalSafe(fmt.Sprintf("%s: %s (load run %d: %d sessions, %d at once)", cfg.Files[i], lr.Name, lr.ID, lr.Sessions, lr.Concurrency)))
		done, err := followLoad(ctx, c, lr.ID, cfg.Poll, out)
		if err != nil {
			if ctx.Err() != nil {
				stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
				if cerr := c.cancelLoad(stop, lr.ID); cerr == nil {
					fmt.Fprintf(out, "  cancelled load run %d on the server\n", lr.ID)
				}
				cancel()
			}
			return nil, err
		}
		results = append(results, loadResult{File: cfg.Files[i], LoadRun: done})
	}
	return results, nil
}

// followLoad polls a load run until it ends, printing its counters when
// they change, then reads it whole with every session.
func followLoad(ctx context.Context, c *apiClient, id int64, every time.Duration, out io.Writer) (handlers.APILoadRun, error) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	var last handlers.APILoadCounts
	for {
		lr, err := c.getLoad(ctx, id, false)
		if err != nil {
			return lr, fmt.Errorf("follow load run %d: %w", id, err)
		}
		if lr.Counts != last {
			last = lr.Counts
			fmt.Fprintf(out, "  %d started, %d in flight, %d passed, %d failed, %d errored\n", lr.Counts.Started, lr.Counts.InFlight, lr.Counts.Passed, lr.Counts.Failed, lr.Counts.Errored)
		}
		switch lr.Status {
		case "finished", "cancelled":
			full, err := c.getLoad(ctx, id, true)
			if err != nil {
				return lr, fmt.Errorf("read load run %d: %w", id, err)
			}
			printPercentiles(full, out)
			return full, nil
		case "running":
		default:
			return lr, fmt.Errorf("follow load run %d: the server answered it in state %q (is %s a Parley server?)", id, terminalSafe(lr.Status), c.server)
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return lr, fmt.Errorf("follow load run %d: %w", id, ctx.Err())
		}
	}
}

func printPercentiles(lr handlers.APILoadRun, out io.Writer) {
	fmt.Fprintf(out, "  %s: %d passed, %d failed, %d errored, %d cancelled of %d\n", lr.Status, lr.Counts.Passed, lr.Counts.Failed, lr.Counts.Errored, lr.Counts.Cancelled, lr.Sessions)
	for _, p := range lr.Percentiles {
		fmt.Fprintln(out, terminalSafe(fmt.Sprintf("  %-48s p50 %8.1fms  p90 %8.1fms  p95 %8.1fms  p99 %8.1fms  max %8.1fms",
			p.Name, p.P50, p.P90, p.P95, p.P99, p.Max)))
	}
	for _, f := range lr.Failures {
		fmt.Fprintln(out, terminalSafe(fmt.Sprintf("  %d× %s: %s", f.Count, f.Status, f.Reason)))
	}
}

// reportLoads writes the JUnit file (a testcase per session) and the JSON
// (counts and percentiles), and says how it went: every session must pass.
func reportLoads(cfg testRunConfig, results []loadResult, stdout io.Writer) error {
	if cfg.JUnit != "" {
		if err := writeJUnitFile(cfg.JUnit, loadsAsRuns(results)); err != nil {
			return &exitError{exitTrouble, err}
		}
	}
	bad, total := 0, 0
	for _, r := range results {
		total += r.LoadRun.Sessions
		bad += r.LoadRun.Sessions - r.LoadRun.Counts.Passed
	}
	if cfg.JSON {
		// The counts and percentiles; each session's timings are in the
		// JUnit file and the console's exports.
		for i := range results {
			results[i].LoadRun.SessionList = nil
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"passed": bad == 0, "loads": results}); err != nil {
			return &exitError{exitTrouble, err}
		}
	}
	if bad > 0 {
		return &exitError{exitFailed, fmt.Errorf("%d of %d sessions did not pass", bad, total)}
	}
	return nil
}

// loadsAsRuns shapes each session as a run, so JUnit has one testcase per
// session; a cancelled session is an error.
func loadsAsRuns(results []loadResult) []fileResult {
	out := make([]fileResult, len(results))
	for i, r := range results {
		out[i].File = r.File
		for _, s := range r.LoadRun.SessionList {
			status := s.Status
			if status == "cancelled" || status == "queued" || status == "running" {
				status = runErrored
			}
			reason := s.Reason
			if s.FailedStep != nil && status == runFailed {
				reason = fmt.Sprintf("step %d: %s", *s.FailedStep, s.Reason)
			}
			if reason == "" && status != runPassed {
				reason = "session " + s.Status
			}
			out[i].Runs = append(out[i].Runs, handlers.APIRun{ID: int64(s.Number), Name: fmt.Sprintf("%s session %d of load run %d", r.LoadRun.Name, s.Number, r.LoadRun.ID),
				Status: status, Reason: reason, SessionID: s.SessionID, StartedAt: s.StartedAt, FinishedAt: s.FinishedAt})
		}
	}
	return out
}

var errLoadFlags = errors.New("--sessions must be from 1 to 10000, --concurrency at least 0 and --ramp not negative")
