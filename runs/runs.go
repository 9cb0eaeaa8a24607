package runs

import (
	"context"
	"errors"
	"fmt"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/scenario"
	"github.com/parley-dev/parley/store"
)

// MaxRunsAtOnce bounds how many runs one request may queue.
const MaxRunsAtOnce = 50

// DefaultMaxActiveRuns bounds how many runs one person may have queued or
// running at once, over all their requests.
const DefaultMaxActiveRuns = 200

// DefaultMaxRunningPerPerson bounds how many of one person's runs are
// played at once: half of an instance's default ten workers.
const DefaultMaxRunningPerPerson = 5

// RunInput asks for runs of a saved test or of a script sent as it is.
type RunInput struct {
	TestID   string // a saved test, or
	Scenario string // a script
	Count    int    // how many runs; 0 means 1
	By       accounts.Actor
}

// InputError is a run request that cannot be taken as it is.
type InputError struct{ Message string }

func (e *InputError) Error() string { return e.Message }

// StartRuns queues runs of a scenario; they start as soon as a worker is
// free, on this instance or another. The scenario is checked first, so an
// invalid one queues nothing (a *scenario.Error names every problem).
func (svc *Service) StartRuns(ctx context.Context, in RunInput) ([]Run, error) {
	count := in.Count
	if count == 0 {
		count = 1
	}
	if count < 1 || count > MaxRunsAtOnce {
		return nil, &InputError{Message: fmt.Sprintf("Runs must be from 1 to %d.", MaxRunsAtOnce)}
	}
	yaml, testID := in.Scenario, ""
	if in.TestID != "" {
		t, err := svc.GetTest(ctx, in.TestID)
		if err != nil {
			return nil, err
		}
		yaml, testID = t.Scenario, t.ID
	} else if yaml == "" {
		return nil, &InputError{Message: "Give a saved test or a scenario to run."}
	}
	sc, err := scenario.Parse([]byte(yaml))
	if err != nil {
		return nil, err
	}
	if svc.queue == nil {
		return nil, errors.New("start runs: no job queue")
	}
	created, err := svc.store.CreateRuns(ctx, store.Run{TestID: testID, Name: sc.Name, Scenario: yaml, StartedBy: in.By.Username, CreatedAt: svc.now()},
		plannedSteps(sc), count, svc.maxActive)
	var tooMany *store.TooManyActiveError
	if errors.As(err, &tooMany) {
		return nil, &TooManyRunsError{Active: tooMany.Active, Max: tooMany.Max, Asked: count}
	}
	if err != nil {
		return nil, fmt.Errorf("queue runs of %q: %w", sc.Name, err)
	}
	runs := make([]Run, 0, count)
	for i, r := range created {
		if err := svc.queue.EnqueueRun(ctx, r.ID); err != nil {
			// The rows exist; say why they will never start rather than
			// leave them queued.
			for _, lost := range created[i:] {
				svc.store.FinishRun(context.WithoutCancel(ctx), lost.ID, store.RunErrored, "The run could not be queued.", nil, svc.now())
			}
			return runs, fmt.Errorf("queue run %d: %w", r.ID, err)
		}
		svc.record(ctx, in.By, accounts.ActionRunStart, fmt.Sprint(r.ID), sc.Name)
		svc.changed(ctx, r)
		runs = append(runs, presentRun(r, nil))
	}
	return runs, nil
}

// TooManyRunsError refuses runs that would leave one person with more than
// Max runs queued or running at once: each may wait up to four hours, so
// without a bound one token could fill the queue for everyone.
type TooManyRunsError struct{ Active, Max, Asked int }

func (e *TooManyRunsError) Error() string {
	return fmt.Sprintf("You have %d %s queued or running and asked for %d more; at most %d may be queued or running at once. Wait for some to finish, then try again.",
		e.Active, plural(e.Active, "run", "runs"), e.Asked, e.Max)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// RequeueQueued puts every queued run on the job queue again. A run whose
// job was lost (the insert failed after the row was written) starts now;
// one whose job exists is not doubled, since jobs are unique per run.
func (svc *Service) RequeueQueued(ctx context.Context) (int, error) {
	queued, err := svc.store.ListRuns(ctx, store.RunFilter{Status: store.RunQueued, Limit: 10000})
	if err != nil {
		return 0, err
	}
	for _, r := range queued {
		if err := svc.queue.EnqueueRun(ctx, r.ID); err != nil {
			return 0, err
		}
	}
	return len(queued), nil
}

// plannedSteps are a scenario's steps as a run records them, pending.
func plannedSteps(sc *scenario.Scenario) []store.RunStep {
	steps := make([]store.RunStep, len(sc.Steps))
	for i, s := range sc.Steps {
		steps[i] = store.RunStep{Number: s.Number, Line: s.Line, Description: s.String()}
	}
	return steps
}

// GetRun returns a run with its steps.
func (svc *Service) GetRun(ctx context.Context, id int64) (Run, error) {
	r, err := svc.store.GetRun(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Run{}, ErrNotFound
	}
	if err != nil {
		return Run{}, fmt.Errorf("get run %d: %w", id, err)
	}
	steps, err := svc.store.ListRunSteps(ctx, id)
	if err != nil {
		return Run{}, err
	}
	return presentRun(r, steps), nil
}

// ListRuns returns runs, newest first: of one test, or all.
func (svc *Service) ListRuns(ctx context.Context, f RunFilter) ([]Run, error) {
	rs, err := svc.store.ListRuns(ctx, store.RunFilter(f))
	if err != nil {
		return nil, err
	}
	return presentRuns(rs), nil
}

// RunFilter selects runs, newest first.
type RunFilter struct {
	TestID   string // "" for every run
	Status   string
	BeforeID int64 // keyset: runs older than this id; 0 from the newest
	Limit    int   // 0 means 50
}
