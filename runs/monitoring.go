package runs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parley-dev/parley/store"
)

// Monitor is a saved test's schedule, webhook and state.
type Monitor struct {
	TestID     string
	Every      time.Duration // 0 when Cron is set
	Cron       string
	AlertURL   string
	NextRunAt  time.Time
	State      string // MonitorPassing, MonitorFailing, or "" before any run
	StateSince *time.Time
	LastRunID  int64
	UpdatedBy  string
}

// Monitor states.
const (
	MonitorPassing = store.MonitorPassing
	MonitorFailing = store.MonitorFailing
)

// Schedule is the schedule in words: "every 15 minutes", "cron 0 9 * * 1-5".
func (m Monitor) Schedule() string {
	return describeSchedule(store.Monitor{EverySeconds: int(m.Every / time.Second), Cron: m.Cron})
}

func presentMonitor(m store.Monitor) Monitor {
	out := Monitor{TestID: m.TestID, Every: time.Duration(m.EverySeconds) * time.Second, Cron: m.Cron, AlertURL: m.AlertURL,
		NextRunAt: m.NextRunAt, State: m.State, StateSince: m.StateSince, UpdatedBy: m.UpdatedBy}
	if m.LastRunID != nil {
		out.LastRunID = *m.LastRunID
	}
	return out
}

// Window is a monitored test's record over a span of time, with the same
// figures per bucket for a sparkline.
type Window struct {
	Span    time.Duration
	Runs    int
	Passed  int
	P95     time.Duration // of the finished runs' durations; 0 with none
	Buckets []Bucket      // oldest first, evenly over Span
}

// PassRate is the passed share of the window's runs, 0 to 1; ok is false
// when none finished.
func (w Window) PassRate() (rate float64, ok bool) {
	if w.Runs == 0 {
		return 0, false
	}
	return float64(w.Passed) / float64(w.Runs), true
}

// Bucket is one slice of a Window.
type Bucket struct {
	Start  time.Time
	Runs   int
	Passed int
	P95    time.Duration
}

// Monitoring windows: a day in hours and a week in quarter days.
const (
	DaySpan     = 24 * time.Hour
	WeekSpan    = 7 * 24 * time.Hour
	dayBuckets  = 24
	weekBuckets = 28
)

// MonitorRow is one scheduled test on the Monitoring page.
type MonitorRow struct {
	Monitor
	Name        string
	Day, Week   Window
	LastFailure *Run // the newest failed or errored run
}

// Monitoring returns every scheduled test, by name, with its state and its
// figures over the last day and week.
func (svc *Service) Monitoring(ctx context.Context) ([]MonitorRow, error) {
	ms, err := svc.store.ListMonitors(ctx)
	if err != nil {
		return nil, err
	}
	now := svc.now()
	rows := make([]MonitorRow, len(ms))
	for i, m := range ms {
		row := MonitorRow{Monitor: presentMonitor(m.Monitor), Name: m.Name}
		timings, err := svc.store.ListRunTimings(ctx, m.TestID, now.Add(-WeekSpan))
		if err != nil {
			return nil, err
		}
		row.Day = windowOf(timings, now, DaySpan, dayBuckets)
		row.Week = windowOf(timings, now, WeekSpan, weekBuckets)
		failed, err := svc.store.LastFailedRun(ctx, m.TestID)
		switch {
		case err == nil:
			r := presentRun(failed, nil)
			row.LastFailure = &r
		case !errors.Is(err, store.ErrNotFound):
			return nil, fmt.Errorf("monitoring of test %s: %w", m.TestID, err)
		}
		rows[i] = row
	}
	return rows, nil
}

// windowOf sums the runs that finished in the span before now.
func windowOf(timings []store.RunTiming, now time.Time, span time.Duration, buckets int) Window {
	start := now.Add(-span)
	step := span / time.Duration(buckets)
	w := Window{Span: span, Buckets: make([]Bucket, buckets)}
	all := []time.Duration{}
	each := make([][]time.Duration, buckets)
	for i := range w.Buckets {
		w.Buckets[i].Start = start.Add(time.Duration(i) * step)
	}
	for _, t := range timings {
		if t.FinishedAt == nil || t.FinishedAt.Before(start) || t.FinishedAt.After(now) {
			continue
		}
		i := min(int(t.FinishedAt.Sub(start)/step), buckets-1)
		w.Runs++
		w.Buckets[i].Runs++
		if t.Status == store.RunPassed {
			w.Passed++
			w.Buckets[i].Passed++
		}
		if t.StartedAt != nil {
			d := t.FinishedAt.Sub(*t.StartedAt)
			all = append(all, d)
			each[i] = append(each[i], d)
		}
	}
	if p, ok := PercentilesOf(all); ok {
		w.P95 = p.P95
	}
	for i, ds := range each {
		if p, ok := PercentilesOf(ds); ok {
			w.Buckets[i].P95 = p.P95
		}
	}
	return w
}

// ListAlerts returns a test's alerts, newest first.
func (svc *Service) ListAlerts(ctx context.Context, testID string) ([]Alert, error) {
	ds, err := svc.store.ListAlertDeliveries(ctx, testID, 20)
	if err != nil {
		return nil, err
	}
	out := make([]Alert, len(ds))
	for i, d := range ds {
		out[i] = Alert(d)
	}
	return out, nil
}

// Alert is one alert sent, or being sent, for a change of a test's state.
type Alert store.AlertDelivery
