package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/parley-dev/parley/handlers"
)

// apiClient is parley test run's side of Parley's JSON API (/api/v1).
type apiClient struct {
	server string // e.g. http://localhost:8080, without a trailing slash
	token  string
	http   *http.Client
}

func newAPIClient(server, token string) *apiClient {
	return &apiClient{server: strings.TrimRight(server, "/"), token: token, http: &http.Client{Timeout: 30 * time.Second}}
}

// Run and step statuses the CLI acts on.
const (
	runQueued   = "queued"
	runRunning  = "running"
	runPassed   = "passed"
	runFailed   = "failed"
	runErrored  = "errored"
	stepPassed  = "passed"
	stepFailed  = "failed"
	stepSkipped = "skipped"
)

func finished(r handlers.APIRun) bool {
	return r.Status == runPassed || r.Status == runFailed || r.Status == runErrored
}

func span(from, to *time.Time) time.Duration {
	if from == nil || to == nil {
		return 0
	}
	return to.Sub(*from)
}

// apiError is the API's refusal: its status, sentence and, for an invalid
// scenario, each problem where it stands.
type apiError struct {
	Status int
	Body   handlers.JSONError
}

func (e *apiError) Error() string {
	return terminalSafe(fmt.Sprintf("the server answered %d: %s", e.Status, e.Body.Error))
}

// startRuns queues runs runs of the scenario yaml.
func (c *apiClient) startRuns(ctx context.Context, yaml string, runs int) ([]handlers.APIRun, error) {
	body, err := json.Marshal(map[string]any{"scenario": yaml, "runs": runs})
	if err != nil {
		return nil, err
	}
	var out handlers.APIRunList
	return out.Runs, c.do(ctx, http.MethodPost, "/api/v1/runs", body, http.StatusAccepted, &out)
}

// getRun reads a run with its steps.
func (c *apiClient) getRun(ctx context.Context, id int64) (handlers.APIRun, error) {
	var out handlers.APIRun
	return out, c.do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/runs/%d", id), nil, http.StatusOK, &out)
}

func (c *apiClient) do(ctx context.Context, method, path string, body []byte, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach Parley at %s: %w", c.server, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read the answer: %w", method, path, err)
	}
	if resp.StatusCode != want {
		e := &apiError{Status: resp.StatusCode}
		if json.Unmarshal(data, &e.Body) != nil || e.Body.Error == "" {
			e.Body.Error = strings.TrimSpace(string(data))
			if len(e.Body.Error) > 200 {
				e.Body.Error = e.Body.Error[:200] + "…"
			}
		}
		return e
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not the API's JSON (is %s a Parley server?): %w", method, path, c.server, err)
	}
	return nil
}
