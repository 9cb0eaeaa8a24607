package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Load run statuses: running until every session has finished, or
// cancelled by a person (its queued sessions never start).
const (
	LoadRunning   = "running"
	LoadFinished  = "finished"
	LoadCancelled = "cancelled"
)

// Load session statuses: a run's, and cancelled for one its load run's
// cancellation stopped or kept from starting.
const (
	LoadSessionQueued    = RunQueued
	LoadSessionRunning   = RunRunning
	LoadSessionPassed    = RunPassed
	LoadSessionFailed    = RunFailed
	LoadSessionErrored   = RunErrored
	LoadSessionCancelled = "cancelled"
)

// LoadEndingReason marks a running load session whose Parley session the
// cancellation ends, so its worker does not end it a second time.
const LoadEndingReason = "The load run was cancelled; its session is being ended."

// LoadRun is one scenario played as many sessions at once.
type LoadRun struct {
	ID          int64
	TestID      string
	Name        string
	Scenario    string
	Connection  string
	Sessions    int
	Concurrency int
	RampMS      int64
	Status      string
	Reason      string
	StartedBy   string
	CreatedAt   time.Time
	FinishedAt  *time.Time
}

// LoadSession is one session of a load run with its raw timings in
// microseconds; Waits is JSON, [{"step": n, "us": t}].
type LoadSession struct {
	LoadRunID     int64 `gorm:"primaryKey"`
	Number        int   `gorm:"primaryKey"`
	Status        string
	SessionID     string
	StartedAt     *time.Time
	FinishedAt    *time.Time
	NewSessionUS  *int64 `gorm:"column:new_session_us"`
	AgentJoinedUS *int64 `gorm:"column:agent_joined_us"`
	Waits         string
	Callbacks     int
	FailedStep    *int
	Reason        string
}

// LoadRunCall counts Alvaria's answers of one status during a load run.
type LoadRunCall struct {
	LoadRunID int64 `gorm:"primaryKey"`
	Status    int   `gorm:"primaryKey"`
	Count     int64
}

// TooManyLoadsError refuses a load run that would leave its starter with
// more than Max load runs running at once.
type TooManyLoadsError struct{ Running, Max int }

func (e *TooManyLoadsError) Error() string {
	return fmt.Sprintf("%d load runs running, at most %d allowed", e.Running, e.Max)
}

// CreateLoadRun stores a running load run and its queued sessions,
// numbered from 1, in one transaction, filling in the run's id. It refuses
// with a *TooManyLoadsError when lr.StartedBy already has maxRunning load
// runs running; the count and the insert are serialised per starter, as in
// CreateRuns.
func (s *Store) CreateLoadRun(ctx context.Context, lr *LoadRun, maxRunning int) error {
	lr.CreatedAt = stamp(lr.CreatedAt)
	lr.Status = LoadRunning
	return s.Transaction(ctx, func(tx *Store) error {
		if tx.dialect == DialectPostgres {
			if err := tx.with(ctx).Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "loads-of:"+lr.StartedBy).Error; err != nil {
				return fmt.Errorf("lock load runs of %s: %w", lr.StartedBy, err)
			}
		}
		var running int64
		if err := tx.with(ctx).Model(&LoadRun{}).Where("started_by = ? AND status = ?", lr.StartedBy, LoadRunning).Count(&running).Error; err != nil {
			return fmt.Errorf("count load runs of %s: %w", lr.StartedBy, err)
		}
		if int(running) >= maxRunning {
			return &TooManyLoadsError{Running: int(running), Max: maxRunning}
		}
		if err := tx.with(ctx).Create(lr).Error; err != nil {
			return fmt.Errorf("create load run: %w", err)
		}
		rows := make([]LoadSession, lr.Sessions)
		for i := range rows {
			rows[i] = LoadSession{LoadRunID: lr.ID, Number: i + 1, Status: LoadSessionQueued, Waits: "[]"}
		}
		if err := tx.with(ctx).CreateInBatches(rows, 500).Error; err != nil {
			return fmt.Errorf("create sessions of load run %d: %w", lr.ID, err)
		}
		return nil
	})
}

// GetLoadRun returns the load run with id.
func (s *Store) GetLoadRun(ctx context.Context, id int64) (LoadRun, error) {
	var lr LoadRun
	err := s.with(ctx).Where("id = ?", id).Take(&lr).Error
	return lr, notFound(err)
}

// ListLoadRuns returns a test's load runs, or every one, newest first.
func (s *Store) ListLoadRuns(ctx context.Context, testID string, limit int) ([]LoadRun, error) {
	q := s.with(ctx).Order("id DESC").Limit(cmpOr(limit, 20))
	if testID != "" {
		q = q.Where("test_id = ?", testID)
	}
	var out []LoadRun
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list load runs: %w", err)
	}
	return out, nil
}

// ListLoadSessions returns every session of a load run, by number.
func (s *Store) ListLoadSessions(ctx context.Context, loadRunID int64) ([]LoadSession, error) {
	var out []LoadSession
	if err := s.with(ctx).Where("load_run_id = ?", loadRunID).Order("number").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list sessions of load run %d: %w", loadRunID, err)
	}
	return out, nil
}

// LoadCounts is how many of a load run's sessions are in each status, and
// how many callbacks the finished ones received.
type LoadCounts struct {
	ByStatus  map[string]int
	Callbacks int
}

// CountLoadSessions counts a load run's sessions by status in one query.
func (s *Store) CountLoadSessions(ctx context.Context, loadRunID int64) (LoadCounts, error) {
	var rows []struct {
		Status    string
		N         int
		Callbacks int
	}
	err := s.with(ctx).Model(&LoadSession{}).Select("status, COUNT(*) AS n, COALESCE(SUM(callbacks), 0) AS callbacks").
		Where("load_run_id = ?", loadRunID).Group("status").Scan(&rows).Error
	if err != nil {
		return LoadCounts{}, fmt.Errorf("count sessions of load run %d: %w", loadRunID, err)
	}
	out := LoadCounts{ByStatus: map[string]int{}}
	for _, r := range rows {
		out.ByStatus[r.Status] = r.N
		out.Callbacks += r.Callbacks
	}
	return out, nil
}

// ErrConnectionBusy is a load session not claimed because its connection
// already has as many load sessions in flight as its ceiling allows.
var ErrConnectionBusy = errors.New("its connection has as many load sessions in flight as it may")

// ClaimLoadSession moves a queued session of a running load run to
// running. It reports false when there is nothing to play: the session is
// not queued (another worker has it, or it ran), or its load run was
// cancelled (a queued session is then marked cancelled). With ceiling > 0 it
// is ErrConnectionBusy, and the session stays queued, when the load run's
// connection already has ceiling sessions running, over every load run; the
// count and the claim are serialised per connection (SQLite has one writer,
// Postgres takes an advisory lock) so two workers cannot take the last place.
func (s *Store) ClaimLoadSession(ctx context.Context, loadRunID int64, number int, at time.Time, ceiling int) (bool, error) {
	var claimed bool
	err := s.Transaction(ctx, func(tx *Store) error {
		var lr LoadRun
		if err := notFound(tx.with(ctx).Select("id", "status", "connection").Where("id = ?", loadRunID).Take(&lr).Error); err != nil {
			return err
		}
		if lr.Status != LoadRunning {
			return tx.with(ctx).Model(&LoadSession{}).Where("load_run_id = ? AND number = ? AND status = ?", loadRunID, number, LoadSessionQueued).
				Update("status", LoadSessionCancelled).Error
		}
		if ceiling > 0 {
			if tx.dialect == DialectPostgres {
				if err := tx.with(ctx).Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "load-of:"+lr.Connection).Error; err != nil {
					return fmt.Errorf("lock load of %s: %w", lr.Connection, err)
				}
			}
			var running int64
			err := tx.with(ctx).Model(&LoadSession{}).Joins("JOIN load_runs ON load_runs.id = load_sessions.load_run_id").
				Where("load_sessions.status = ? AND load_runs.connection = ?", LoadSessionRunning, lr.Connection).Count(&running).Error
			if err != nil {
				return fmt.Errorf("count load sessions on %s: %w", lr.Connection, err)
			}
			if int(running) >= ceiling {
				return ErrConnectionBusy
			}
		}
		res := tx.with(ctx).Model(&LoadSession{}).Where("load_run_id = ? AND number = ? AND status = ?", loadRunID, number, LoadSessionQueued).
			Updates(map[string]any{"status": LoadSessionRunning, "started_at": stamp(at)})
		claimed = res.RowsAffected == 1
		return res.Error
	})
	if err != nil {
		return false, fmt.Errorf("claim session %d of load run %d: %w", number, loadRunID, err)
	}
	return claimed, nil
}

// GetLoadSession returns one session of a load run.
func (s *Store) GetLoadSession(ctx context.Context, loadRunID int64, number int) (LoadSession, error) {
	var ls LoadSession
	err := s.with(ctx).Where("load_run_id = ? AND number = ?", loadRunID, number).Take(&ls).Error
	return ls, notFound(err)
}

// SetLoadSessionSession records the Parley session a load session drives.
func (s *Store) SetLoadSessionSession(ctx context.Context, loadRunID int64, number int, sessionID string) error {
	err := s.with(ctx).Model(&LoadSession{}).Where("load_run_id = ? AND number = ?", loadRunID, number).Update("session_id", sessionID).Error
	if err != nil {
		return fmt.Errorf("set session of load session %d/%d: %w", loadRunID, number, err)
	}
	return nil
}

// FinishLoadSession records a running session's result and timings once;
// it reports false, changing nothing, when the session was not running.
// When it was the load run's last, the load run is finished in the same
// transaction, so exactly one finisher sees finishedRun.
func (s *Store) FinishLoadSession(ctx context.Context, ls LoadSession, at time.Time) (done, finishedRun bool, err error) {
	at = stamp(at)
	err = s.Transaction(ctx, func(tx *Store) error {
		res := tx.with(ctx).Model(&LoadSession{}).Where("load_run_id = ? AND number = ? AND status = ?", ls.LoadRunID, ls.Number, LoadSessionRunning).
			Updates(map[string]any{
				"status": ls.Status, "reason": CleanText(ls.Reason), "failed_step": ls.FailedStep, "finished_at": at,
				"new_session_us": ls.NewSessionUS, "agent_joined_us": ls.AgentJoinedUS, "waits": ls.Waits, "callbacks": ls.Callbacks,
			})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		done = true
		var err error
		finishedRun, err = tx.finishLoadRunIfDone(ctx, ls.LoadRunID, at)
		return err
	})
	if err != nil {
		return false, false, fmt.Errorf("finish session %d of load run %d: %w", ls.Number, ls.LoadRunID, err)
	}
	return done, finishedRun, nil
}

// finishLoadRunIfDone finishes a running load run none of whose sessions
// is queued or running.
func (s *Store) finishLoadRunIfDone(ctx context.Context, loadRunID int64, at time.Time) (bool, error) {
	res := s.with(ctx).Model(&LoadRun{}).
		Where("id = ? AND status = ? AND NOT EXISTS (SELECT 1 FROM load_sessions WHERE load_run_id = ? AND status IN ?)",
			loadRunID, LoadRunning, loadRunID, []string{LoadSessionQueued, LoadSessionRunning}).
		Updates(map[string]any{"status": LoadFinished, "finished_at": at})
	return res.RowsAffected == 1, res.Error
}

// CancelLoadRun stops a running load run: it is marked cancelled and its
// queued sessions with it, in one transaction. It returns the sessions in
// flight, whose Alvaria sessions the caller ends; false when the load run
// was no longer running.
func (s *Store) CancelLoadRun(ctx context.Context, loadRunID int64, reason string, at time.Time) (bool, []LoadSession, error) {
	var cancelled bool
	var inFlight []LoadSession
	err := s.Transaction(ctx, func(tx *Store) error {
		res := tx.with(ctx).Model(&LoadRun{}).Where("id = ? AND status = ?", loadRunID, LoadRunning).
			Updates(map[string]any{"status": LoadCancelled, "reason": CleanText(reason), "finished_at": stamp(at)})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		cancelled = true
		if err := tx.with(ctx).Model(&LoadSession{}).Where("load_run_id = ? AND status = ?", loadRunID, LoadSessionQueued).
			Update("status", LoadSessionCancelled).Error; err != nil {
			return err
		}
		// The sessions whose Parley session is known are the canceller's to
		// end, marked so in this transaction; one whose worker records its
		// session after it is that worker's to end.
		if err := tx.with(ctx).Model(&LoadSession{}).Where("load_run_id = ? AND status = ? AND session_id <> ''", loadRunID, LoadSessionRunning).
			Update("reason", LoadEndingReason).Error; err != nil {
			return err
		}
		return tx.with(ctx).Where("load_run_id = ? AND status = ? AND session_id <> ''", loadRunID, LoadSessionRunning).Order("number").Find(&inFlight).Error
	})
	if err != nil {
		return false, nil, fmt.Errorf("cancel load run %d: %w", loadRunID, err)
	}
	return cancelled, inFlight, nil
}

// AddLoadRunCalls adds counts of Alvaria's answers by status to a load
// run's; every instance adds its own.
func (s *Store) AddLoadRunCalls(ctx context.Context, loadRunID int64, byStatus map[int]int64) error {
	if len(byStatus) == 0 {
		return nil
	}
	rows := make([]LoadRunCall, 0, len(byStatus))
	for status, n := range byStatus {
		rows = append(rows, LoadRunCall{LoadRunID: loadRunID, Status: status, Count: n})
	}
	err := s.with(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "load_run_id"}, {Name: "status"}},
		DoUpdates: clause.Assignments(map[string]any{"count": gorm.Expr("load_run_calls.count + excluded.count")}),
	}).Create(&rows).Error
	if err != nil {
		return fmt.Errorf("count calls of load run %d: %w", loadRunID, err)
	}
	return nil
}

// ListLoadRunCalls returns a load run's counts of Alvaria's answers.
func (s *Store) ListLoadRunCalls(ctx context.Context, loadRunID int64) ([]LoadRunCall, error) {
	var out []LoadRunCall
	if err := s.with(ctx).Where("load_run_id = ?", loadRunID).Order("status").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list calls of load run %d: %w", loadRunID, err)
	}
	return out, nil
}

// ListRunningLoadSessions returns every load session marked running.
func (s *Store) ListRunningLoadSessions(ctx context.Context) ([]LoadSession, error) {
	var out []LoadSession
	if err := s.with(ctx).Where("status = ?", LoadSessionRunning).Order("load_run_id, number").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list running load sessions: %w", err)
	}
	return out, nil
}
