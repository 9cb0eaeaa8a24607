package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Run statuses. Passed, failed and errored are final: errored means the run
// could not finish (Parley stopped, Alvaria refused the session), failed
// that an expectation was not met.
const (
	RunQueued  = "queued"
	RunRunning = "running"
	RunPassed  = "passed"
	RunFailed  = "failed"
	RunErrored = "errored"
)

// Step statuses.
const (
	StepPending = "pending"
	StepRunning = "running"
	StepPassed  = "passed"
	StepFailed  = "failed"
	StepSkipped = "skipped"
)

// Run is one execution of a scenario.
type Run struct {
	ID          int64
	TestID      string // empty for a script sent straight to the API
	Name        string
	Scenario    string // the YAML it ran, copied
	Status      string
	Reason      string // why it failed or errored, in one sentence
	SessionID   string
	FailedStep  *int
	StartedBy   string
	CreatedAt   time.Time
	StartedAt   *time.Time
	FinishedAt  *time.Time
	HeartbeatAt *time.Time
}

// RunStep is one step of a run with its outcome.
type RunStep struct {
	RunID       int64 `gorm:"primaryKey"`
	Number      int   `gorm:"primaryKey"`
	Line        int
	Description string
	Status      string
	Expected    string
	Got         string // what arrived instead, for a failure
	StartedAt   *time.Time
	FinishedAt  *time.Time
}

// CreateRun stores a queued run and its pending steps in one transaction,
// filling in the run's id.
func (s *Store) CreateRun(ctx context.Context, r *Run, steps []RunStep) error {
	return s.Transaction(ctx, func(tx *Store) error { return tx.createRun(ctx, r, steps) })
}

func (s *Store) createRun(ctx context.Context, r *Run, steps []RunStep) error {
	r.CreatedAt = stamp(r.CreatedAt)
	if r.Status == "" {
		r.Status = RunQueued
	}
	if err := s.with(ctx).Create(r).Error; err != nil {
		return fmt.Errorf("create run: %w", err)
	}
	for i := range steps {
		steps[i].RunID = r.ID
		if steps[i].Status == "" {
			steps[i].Status = StepPending
		}
	}
	if len(steps) > 0 {
		if err := s.with(ctx).CreateInBatches(steps, 100).Error; err != nil {
			return fmt.Errorf("create steps of run %d: %w", r.ID, err)
		}
	}
	return nil
}

// TooManyActiveError refuses runs that would leave their starter with more
// than Max runs queued or running; Active is how many they have now.
type TooManyActiveError struct{ Active, Max int }

func (e *TooManyActiveError) Error() string {
	return fmt.Sprintf("%d runs queued or running, at most %d allowed", e.Active, e.Max)
}

// CreateRuns stores count queued runs like r, each with its own copy of
// steps, in one transaction, and returns them with their ids. It refuses
// them all with a *TooManyActiveError when r.StartedBy would then have more
// than maxActive runs queued or running: the count and the inserts are one
// transaction, serialised per starter (SQLite has one writer; Postgres takes
// an advisory lock), so parallel requests cannot slip past the limit.
func (s *Store) CreateRuns(ctx context.Context, r Run, steps []RunStep, count, maxActive int) ([]Run, error) {
	out := make([]Run, 0, count)
	err := s.Transaction(ctx, func(tx *Store) error {
		if tx.dialect == DialectPostgres {
			if err := tx.with(ctx).Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "runs-of:"+r.StartedBy).Error; err != nil {
				return fmt.Errorf("lock runs of %s: %w", r.StartedBy, err)
			}
		}
		var active int64
		if err := tx.with(ctx).Model(&Run{}).Where("started_by = ? AND status IN ?", r.StartedBy, []string{RunQueued, RunRunning}).Count(&active).Error; err != nil {
			return fmt.Errorf("count active runs of %s: %w", r.StartedBy, err)
		}
		if int(active)+count > maxActive {
			return &TooManyActiveError{Active: int(active), Max: maxActive}
		}
		for range count {
			run := r
			if err := tx.createRun(ctx, &run, slices.Clone(steps)); err != nil {
				return err
			}
			out = append(out, run)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("create %d runs: %w", count, err)
	}
	return out, nil
}

// GetRun returns the run with id.
func (s *Store) GetRun(ctx context.Context, id int64) (Run, error) {
	var r Run
	err := s.with(ctx).Where("id = ?", id).Take(&r).Error
	return r, notFound(err)
}

// ListRunSteps returns a run's steps in order.
func (s *Store) ListRunSteps(ctx context.Context, runID int64) ([]RunStep, error) {
	var steps []RunStep
	if err := s.with(ctx).Where("run_id = ?", runID).Order("number").Find(&steps).Error; err != nil {
		return nil, fmt.Errorf("list steps of run %d: %w", runID, err)
	}
	return steps, nil
}

// RunFilter selects runs, newest first.
type RunFilter struct {
	TestID   string // "" for every run
	Status   string
	BeforeID int64 // keyset: runs older than this id; 0 from the newest
	Limit    int   // 0 means 50
}

// ListRuns returns runs matching f, newest first.
func (s *Store) ListRuns(ctx context.Context, f RunFilter) ([]Run, error) {
	q := s.with(ctx).Order("id DESC").Limit(cmpOr(f.Limit, 50))
	if f.TestID != "" {
		q = q.Where("test_id = ?", f.TestID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	var runs []Run
	if err := q.Find(&runs).Error; err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return runs, nil
}

// ClaimRun moves a queued run to running. It reports false when the run was
// not queued: another worker has it, or it ran before a restart.
func (s *Store) ClaimRun(ctx context.Context, id int64, at time.Time) (bool, error) {
	return s.ClaimRunUnder(ctx, id, at, 0)
}

// ErrStarterBusy is a run not claimed because the person who started it
// already has as many runs running as one person may.
var ErrStarterBusy = errors.New("its starter has the most runs running that one person may")

// ClaimRunUnder is ClaimRun, unless the run's starter already has
// maxRunning runs running (0: no limit): then it is ErrStarterBusy and the
// run stays queued. The count and the claim are serialised per starter, as
// in CreateRuns, so two workers cannot both take the last place.
func (s *Store) ClaimRunUnder(ctx context.Context, id int64, at time.Time, maxRunning int) (bool, error) {
	at = stamp(at)
	var claimed bool
	err := s.Transaction(ctx, func(tx *Store) error {
		var r Run
		err := notFound(tx.with(ctx).Select("id", "status", "started_by").Where("id = ?", id).Take(&r).Error)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if r.Status != RunQueued {
			return nil
		}
		if maxRunning > 0 {
			if tx.dialect == DialectPostgres {
				if err := tx.with(ctx).Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "runs-of:"+r.StartedBy).Error; err != nil {
					return fmt.Errorf("lock runs of %s: %w", r.StartedBy, err)
				}
			}
			var running int64
			if err := tx.with(ctx).Model(&Run{}).Where("started_by = ? AND status = ?", r.StartedBy, RunRunning).Count(&running).Error; err != nil {
				return err
			}
			if int(running) >= maxRunning {
				return ErrStarterBusy
			}
		}
		res := tx.with(ctx).Model(&Run{}).Where("id = ? AND status = ?", id, RunQueued).
			Updates(map[string]any{"status": RunRunning, "started_at": at, "heartbeat_at": at})
		claimed = res.RowsAffected == 1
		return res.Error
	})
	if err != nil {
		return false, fmt.Errorf("claim run %d: %w", id, err)
	}
	return claimed, nil
}

// Heartbeat tells that the run's worker is alive.
func (s *Store) Heartbeat(ctx context.Context, id int64, at time.Time) error {
	if err := s.with(ctx).Model(&Run{}).Where("id = ?", id).Update("heartbeat_at", stamp(at)).Error; err != nil {
		return fmt.Errorf("heartbeat of run %d: %w", id, err)
	}
	return nil
}

// ListStaleRuns returns running runs whose worker has not been heard from
// since before: their process stopped.
func (s *Store) ListStaleRuns(ctx context.Context, before time.Time) ([]Run, error) {
	var runs []Run
	err := s.with(ctx).Where("status = ? AND (heartbeat_at IS NULL OR heartbeat_at < ?)", RunRunning, stamp(before)).Order("id").Find(&runs).Error
	if err != nil {
		return nil, fmt.Errorf("list stale runs: %w", err)
	}
	return runs, nil
}

// SetRunSession records the session a run drives.
func (s *Store) SetRunSession(ctx context.Context, id int64, sessionID string) error {
	if err := s.with(ctx).Model(&Run{}).Where("id = ?", id).Update("session_id", sessionID).Error; err != nil {
		return fmt.Errorf("set session of run %d: %w", id, err)
	}
	return nil
}

// FinishRun gives an unfinished run its final status, and skips the steps
// that never ran. It reports false, changing nothing, when the run had
// already finished, so two finishers cannot both win.
func (s *Store) FinishRun(ctx context.Context, id int64, status, reason string, failedStep *int, at time.Time) (bool, error) {
	at = stamp(at)
	var finished bool
	err := s.Transaction(ctx, func(tx *Store) error {
		res := tx.with(ctx).Model(&Run{}).Where("id = ? AND status IN ?", id, []string{RunQueued, RunRunning}).
			Updates(map[string]any{"status": status, "reason": CleanText(reason), "failed_step": failedStep, "finished_at": at})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		finished = true
		return tx.with(ctx).Model(&RunStep{}).Where("run_id = ? AND status IN ?", id, []string{StepPending, StepRunning}).
			Updates(map[string]any{"status": StepSkipped}).Error
	})
	if err != nil {
		return false, fmt.Errorf("finish run %d: %w", id, err)
	}
	return finished, nil
}

// StartStep marks a step running.
func (s *Store) StartStep(ctx context.Context, runID int64, number int, at time.Time) error {
	err := s.with(ctx).Model(&RunStep{}).Where("run_id = ? AND number = ?", runID, number).
		Updates(map[string]any{"status": StepRunning, "started_at": stamp(at)}).Error
	if err != nil {
		return fmt.Errorf("start step %d of run %d: %w", number, runID, err)
	}
	return nil
}

// EndStep records a step's outcome: passed, or failed with what was
// expected and what arrived instead.
func (s *Store) EndStep(ctx context.Context, runID int64, number int, status, expected, got string, at time.Time) error {
	err := s.with(ctx).Model(&RunStep{}).Where("run_id = ? AND number = ?", runID, number).
		Updates(map[string]any{"status": status, "expected": CleanText(expected), "got": CleanText(got), "finished_at": stamp(at)}).Error
	if err != nil {
		return fmt.Errorf("end step %d of run %d: %w", number, runID, err)
	}
	return nil
}

// ListEventsOfAlvariaSession returns the callbacks for an Alvaria session
// that arrived after the event with id afterID, in arrival order, applied
// or not: a run waits on what arrived, whatever the transcript shows yet.
func (s *Store) ListEventsOfAlvariaSession(ctx context.Context, alvariaSessionID string, afterID int64) ([]CallbackEvent, error) {
	var events []CallbackEvent
	err := s.with(ctx).Where("alvaria_session_id = ? AND id > ?", alvariaSessionID, afterID).Order("id").Find(&events).Error
	if err != nil {
		return nil, fmt.Errorf("list events of %s: %w", alvariaSessionID, err)
	}
	return events, nil
}

func cmpOr(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
