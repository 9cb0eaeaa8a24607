package runs

import (
	"time"

	"github.com/parley-dev/parley/store"
)

// Run statuses, as pages and the API show them.
const (
	StatusQueued  = store.RunQueued
	StatusRunning = store.RunRunning
	StatusPassed  = store.RunPassed
	StatusFailed  = store.RunFailed
	StatusErrored = store.RunErrored
)

// Step statuses.
const (
	StepPending = store.StepPending
	StepRunning = store.StepRunning
	StepPassed  = store.StepPassed
	StepFailed  = store.StepFailed
	StepSkipped = store.StepSkipped
)

// Test is a saved conversation test with its record of runs.
type Test struct {
	ID         string
	Name       string
	Scenario   string // the YAML as written
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Runs       int     // finished runs
	PassRate   float64 // passed share of finished runs, 0 to 1
	LastRunID  int64
	LastStatus string
}

// Run is one run of a scenario; Steps is filled by GetRun only.
type Run struct {
	ID         int64
	TestID     string // empty for a script sent straight to the API
	Name       string
	Scenario   string
	Status     string
	Reason     string // why it failed or errored, in one sentence
	SessionID  string
	FailedStep *int
	StartedBy  string
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
	Steps      []Step
}

// Step is one step of a run with its outcome.
type Step struct {
	Number      int
	Line        int // in the scenario; 0 for the implied first step
	Description string
	Status      string
	Expected    string
	Got         string // what arrived instead, for a failure
	StartedAt   *time.Time
	FinishedAt  *time.Time
}

// Finished reports whether the run has its final status.
func (r Run) Finished() bool {
	return r.Status == StatusPassed || r.Status == StatusFailed || r.Status == StatusErrored
}

// Duration is how long the run took, or has taken so far.
func (r Run) Duration(now time.Time) time.Duration {
	if r.StartedAt == nil {
		return 0
	}
	end := now
	if r.FinishedAt != nil {
		end = *r.FinishedAt
	}
	return end.Sub(*r.StartedAt)
}

func presentTest(t store.Test) Test {
	return Test{ID: t.ID, Name: t.Name, Scenario: t.Scenario, CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

func presentRun(r store.Run, steps []store.RunStep) Run {
	out := Run{
		ID: r.ID, TestID: r.TestID, Name: r.Name, Scenario: r.Scenario, Status: r.Status, Reason: r.Reason,
		SessionID: r.SessionID, FailedStep: r.FailedStep, StartedBy: r.StartedBy, CreatedAt: r.CreatedAt,
		StartedAt: r.StartedAt, FinishedAt: r.FinishedAt,
	}
	for _, s := range steps {
		out.Steps = append(out.Steps, Step{
			Number: s.Number, Line: s.Line, Description: s.Description, Status: s.Status,
			Expected: s.Expected, Got: s.Got, StartedAt: s.StartedAt, FinishedAt: s.FinishedAt,
		})
	}
	return out
}

func presentRuns(rs []store.Run) []Run {
	out := make([]Run, len(rs))
	for i, r := range rs {
		out[i] = presentRun(r, nil)
	}
	return out
}
