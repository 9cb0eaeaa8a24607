package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Monitor states: what the newest finished run of a scheduled test said.
const (
	MonitorUnknown = "" // no run has finished since the schedule was set
	MonitorPassing = "passing"
	MonitorFailing = "failing"
)

// Monitor is a saved test's schedule, alert webhook and current state.
type Monitor struct {
	TestID       string `gorm:"primaryKey"`
	EverySeconds int    // 0 when Cron is set
	Cron         string
	AlertURL     string
	NextRunAt    time.Time
	State        string
	StateSince   *time.Time
	LastRunID    *int64 // the newest run whose result made State
	UpdatedBy    string
	UpdatedAt    time.Time
}

// MonitorSummary is a monitor with its test's name.
type MonitorSummary struct {
	Monitor
	Name string
}

// SaveMonitor sets a test's schedule and webhook, keeping its state. It is
// ErrNotFound when there is no such test.
func (s *Store) SaveMonitor(ctx context.Context, m Monitor) error {
	if _, err := s.GetTest(ctx, m.TestID); err != nil {
		return fmt.Errorf("schedule test %s: %w", m.TestID, err)
	}
	m.NextRunAt, m.UpdatedAt = stamp(m.NextRunAt), stamp(m.UpdatedAt)
	err := s.with(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "test_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"every_seconds", "cron", "alert_url", "next_run_at", "updated_by", "updated_at"}),
	}).Create(&m).Error
	if err != nil {
		return fmt.Errorf("schedule test %s: %w", m.TestID, err)
	}
	return nil
}

// DeleteMonitor removes a test's schedule; its runs and alerts stay.
func (s *Store) DeleteMonitor(ctx context.Context, testID string) error {
	if err := s.with(ctx).Where("test_id = ?", testID).Delete(&Monitor{}).Error; err != nil {
		return fmt.Errorf("unschedule test %s: %w", testID, err)
	}
	return nil
}

// GetMonitor returns a test's monitor, or ErrNotFound when it has none.
func (s *Store) GetMonitor(ctx context.Context, testID string) (Monitor, error) {
	var m Monitor
	err := s.with(ctx).Where("test_id = ?", testID).Take(&m).Error
	return m, notFound(err)
}

// ListMonitors returns every monitor with its test's name, by name.
func (s *Store) ListMonitors(ctx context.Context) ([]MonitorSummary, error) {
	var rows []MonitorSummary
	err := s.with(ctx).Raw(`SELECT m.*, t.name FROM monitors m JOIN tests t ON t.id = m.test_id ORDER BY lower(t.name), t.id`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list monitors: %w", err)
	}
	return rows, nil
}

// ListDueMonitors returns the monitors whose next run is at or before now.
func (s *Store) ListDueMonitors(ctx context.Context, now time.Time, limit int) ([]Monitor, error) {
	var ms []Monitor
	err := s.with(ctx).Where("next_run_at <= ?", stamp(now)).Order("next_run_at").Limit(limit).Find(&ms).Error
	if err != nil {
		return nil, fmt.Errorf("list due monitors: %w", err)
	}
	return ms, nil
}

// ClaimMonitorTick moves a due monitor's next run to next. It reports
// whether this call did: of several instances ticking at once, only one
// sees its update change the row, so only one starts the run.
func (s *Store) ClaimMonitorTick(ctx context.Context, testID string, now, next time.Time) (bool, error) {
	res := s.with(ctx).Model(&Monitor{}).Where("test_id = ? AND next_run_at <= ?", testID, stamp(now)).
		Update("next_run_at", stamp(next))
	if res.Error != nil {
		return false, fmt.Errorf("claim the tick of test %s: %w", testID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// CountActiveRuns counts a test's runs queued or running.
func (s *Store) CountActiveRuns(ctx context.Context, testID string) (int, error) {
	var n int64
	err := s.with(ctx).Model(&Run{}).Where("test_id = ? AND status IN ?", testID, []string{RunQueued, RunRunning}).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count active runs of test %s: %w", testID, err)
	}
	return int(n), nil
}

// Alert kinds: the two changes of state that are told.
const (
	AlertFailing   = "failing"
	AlertRecovered = "recovered"
)

// Alert delivery statuses.
const (
	AlertPending   = "pending"
	AlertRetrying  = "retrying"
	AlertDelivered = "delivered"
	AlertFailed    = "failed" // every attempt failed
)

// AlertDelivery is one alert for one change of state, and how sending it
// went.
type AlertDelivery struct {
	ID           int64
	TestID       string
	RunID        int64
	Kind         string
	URL          string
	Status       string
	Attempts     int
	ResponseCode int
	Error        string
	CreatedAt    time.Time
	AttemptedAt  *time.Time
	DeliveredAt  *time.Time
}

// MonitorChange is what recording a run's result did to its test's monitor.
type MonitorChange struct {
	Monitored bool   // the test has a monitor
	Alert     string // AlertFailing or AlertRecovered when the state turned; "" otherwise
	Since     time.Time
	// Delivery is the alert queued for the turn, 0 when the test has no
	// webhook.
	Delivery int64
}

// RecordMonitorResult moves a monitored test's state by a finished run:
// passed is passing, anything else failing. A run older than the one that
// set the state changes nothing, so runs finishing out of order cannot flap
// it. A turn from passing (or unknown) to failing, or from failing to
// passing, queues one alert for the run when the test has a webhook; the
// run's id is unique among alerts, so recording it twice alerts once.
func (s *Store) RecordMonitorResult(ctx context.Context, testID string, runID int64, passed bool, at time.Time) (MonitorChange, error) {
	at = stamp(at)
	var ch MonitorChange
	err := s.Transaction(ctx, func(tx *Store) error {
		q := tx.with(ctx)
		if tx.dialect == DialectPostgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var m Monitor
		err := notFound(q.Where("test_id = ?", testID).Take(&m).Error)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		ch.Monitored = true
		if m.LastRunID != nil && *m.LastRunID >= runID {
			return nil
		}
		state := MonitorFailing
		if passed {
			state = MonitorPassing
		}
		updates := map[string]any{"state": state, "last_run_id": runID}
		if state != m.State {
			updates["state_since"] = at
			ch.Since = at
		}
		if err := tx.with(ctx).Model(&Monitor{}).Where("test_id = ?", testID).Updates(updates).Error; err != nil {
			return err
		}
		switch {
		case state == MonitorFailing && m.State != MonitorFailing:
			ch.Alert = AlertFailing
		case state == MonitorPassing && m.State == MonitorFailing:
			ch.Alert = AlertRecovered
		}
		if ch.Alert == "" || m.AlertURL == "" {
			return nil
		}
		d := AlertDelivery{TestID: testID, RunID: runID, Kind: ch.Alert, URL: m.AlertURL, Status: AlertPending, CreatedAt: at}
		res := tx.with(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "run_id"}}, DoNothing: true}).Create(&d)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			ch.Delivery = d.ID
		}
		return nil
	})
	if err != nil {
		return MonitorChange{}, fmt.Errorf("record run %d on the monitor of test %s: %w", runID, testID, err)
	}
	return ch, nil
}

// GetAlertDelivery returns the alert with id.
func (s *Store) GetAlertDelivery(ctx context.Context, id int64) (AlertDelivery, error) {
	var d AlertDelivery
	err := s.with(ctx).Where("id = ?", id).Take(&d).Error
	return d, notFound(err)
}

// ListAlertDeliveries returns a test's alerts, newest first.
func (s *Store) ListAlertDeliveries(ctx context.Context, testID string, limit int) ([]AlertDelivery, error) {
	var ds []AlertDelivery
	if err := s.with(ctx).Where("test_id = ?", testID).Order("id DESC").Limit(cmpOr(limit, 20)).Find(&ds).Error; err != nil {
		return nil, fmt.Errorf("list alerts of test %s: %w", testID, err)
	}
	return ds, nil
}

// ListUnsentAlerts returns the alerts still to be sent, oldest first.
func (s *Store) ListUnsentAlerts(ctx context.Context, limit int) ([]AlertDelivery, error) {
	var ds []AlertDelivery
	err := s.with(ctx).Where("status IN ?", []string{AlertPending, AlertRetrying}).Order("id").Limit(cmpOr(limit, 100)).Find(&ds).Error
	if err != nil {
		return nil, fmt.Errorf("list unsent alerts: %w", err)
	}
	return ds, nil
}

// RecordAlertAttempt stores how one attempt to send an alert went. A
// delivered or failed alert is final: a late attempt changes nothing.
func (s *Store) RecordAlertAttempt(ctx context.Context, id int64, status string, code int, errText string, at time.Time) error {
	at = stamp(at)
	updates := map[string]any{"status": status, "attempts": gorm.Expr("attempts + 1"), "response_code": code, "error": CleanText(errText), "attempted_at": at}
	if status == AlertDelivered {
		updates["delivered_at"] = at
	}
	err := s.with(ctx).Model(&AlertDelivery{}).Where("id = ? AND status IN ?", id, []string{AlertPending, AlertRetrying}).Updates(updates).Error
	if err != nil {
		return fmt.Errorf("record an attempt of alert %d: %w", id, err)
	}
	return nil
}

// RunTiming is a finished run's result and time, for monitoring's figures.
type RunTiming struct {
	ID         int64
	Status     string
	StartedAt  *time.Time
	FinishedAt *time.Time
}

// ListRunTimings returns a test's runs finished at or after since, oldest
// first.
func (s *Store) ListRunTimings(ctx context.Context, testID string, since time.Time) ([]RunTiming, error) {
	var rows []RunTiming
	err := s.with(ctx).Model(&Run{}).Select("id", "status", "started_at", "finished_at").
		Where("test_id = ? AND finished_at IS NOT NULL AND finished_at >= ?", testID, stamp(since)).Order("finished_at, id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list run timings of test %s: %w", testID, err)
	}
	return rows, nil
}

// LastFailedRun returns a test's newest failed or errored run, or
// ErrNotFound.
func (s *Store) LastFailedRun(ctx context.Context, testID string) (Run, error) {
	var r Run
	err := s.with(ctx).Where("test_id = ? AND status IN ?", testID, []string{RunFailed, RunErrored}).Order("id DESC").Take(&r).Error
	return r, notFound(err)
}
