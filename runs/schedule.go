package runs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/store"
)

// Bounds of a schedule: a run every minute at most often, once a day at
// least; a cron expression is bounded by its length.
const (
	MinEvery     = time.Minute
	MaxEvery     = 24 * time.Hour
	MaxCronLen   = 100
	MaxAlertURL  = 2048
	dueBatchSize = 100 // monitors started by one tick at most; the rest wait for the next
)

// ScheduleInput sets a saved test's schedule and alert webhook. Exactly one
// of Every and Cron is set.
type ScheduleInput struct {
	TestID   string
	Every    time.Duration
	Cron     string // five fields, in UTC unless it starts CRON_TZ=
	AlertURL string // "" sends no alerts
	By       accounts.Actor
}

// cronParser reads the usual five fields and the @hourly-style names.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// nextTick is when a schedule next fires after now.
type nextTick func(now time.Time) time.Time

// parseSchedule checks a schedule and returns how it advances.
func parseSchedule(every time.Duration, expr string) (nextTick, error) {
	expr = strings.TrimSpace(expr)
	switch {
	case every != 0 && expr != "":
		return nil, input.Invalid("cron", "Give either an interval or a cron expression, not both.")
	case every != 0:
		if every < MinEvery || every > MaxEvery {
			return nil, input.Invalid("every", fmt.Sprintf("The interval is %s; use from %s to %s.", every, "1 minute", "24 hours"))
		}
		return func(now time.Time) time.Time { return now.Add(every) }, nil
	case expr == "":
		return nil, input.Invalid("every", "Give an interval or a cron expression.")
	}
	if len(expr) > MaxCronLen {
		return nil, input.Invalid("cron", fmt.Sprintf("The cron expression is %d characters long; at most %d are allowed.", len(expr), MaxCronLen))
	}
	if strings.HasPrefix(expr, "@every") {
		return nil, input.Invalid("cron", "Use the interval for “@every”; a cron expression names times of day.")
	}
	sched, err := cronParser.Parse(expr)
	if err != nil {
		return nil, input.Invalid("cron", fmt.Sprintf("The cron expression %q is not valid: %s. Use five fields: minute hour day-of-month month day-of-week, such as “*/15 8-18 * * 1-5”.", expr, err))
	}
	// An expression that never fires (30 February) would sit on the
	// Monitoring page forever without a run.
	if sched.Next(time.Now().UTC()).IsZero() {
		return nil, input.Invalid("cron", fmt.Sprintf("The cron expression %q never fires.", expr))
	}
	return func(now time.Time) time.Time { return sched.Next(now.UTC()) }, nil
}

// Schedule sets a test's schedule and webhook; its first run is at the
// schedule's next tick. Its state (passing, failing) is kept.
func (svc *Service) Schedule(ctx context.Context, in ScheduleInput) (Monitor, error) {
	// Both checks run, so a form shows every problem at once.
	next, err := parseSchedule(in.Every, in.Cron)
	urlErr := svc.checkAlertURL(in.AlertURL)
	if err != nil || urlErr != nil {
		return Monitor{}, joinInput(err, urlErr)
	}
	now := svc.now()
	m := store.Monitor{TestID: in.TestID, EverySeconds: int(in.Every / time.Second), Cron: strings.TrimSpace(in.Cron),
		AlertURL: strings.TrimSpace(in.AlertURL), NextRunAt: next(now), UpdatedBy: in.By.Username, UpdatedAt: now}
	if err := svc.store.SaveMonitor(ctx, m); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return Monitor{}, ErrNotFound
		}
		return Monitor{}, err
	}
	svc.record(ctx, in.By, accounts.ActionTestSchedule, in.TestID, describeSchedule(m))
	return svc.GetMonitor(ctx, in.TestID)
}

// Unschedule stops a test's scheduled runs and alerts.
func (svc *Service) Unschedule(ctx context.Context, testID string, by accounts.Actor) error {
	if _, err := svc.GetTest(ctx, testID); err != nil {
		return err
	}
	if err := svc.store.DeleteMonitor(ctx, testID); err != nil {
		return err
	}
	svc.record(ctx, by, accounts.ActionTestSchedule, testID, "no schedule")
	return nil
}

// GetMonitor returns a test's schedule and state; ErrNotFound when the test
// has no schedule.
func (svc *Service) GetMonitor(ctx context.Context, testID string) (Monitor, error) {
	m, err := svc.store.GetMonitor(ctx, testID)
	if errors.Is(err, store.ErrNotFound) {
		return Monitor{}, ErrNotFound
	}
	if err != nil {
		return Monitor{}, fmt.Errorf("get the schedule of test %s: %w", testID, err)
	}
	return presentMonitor(m), nil
}

// Tick starts a run of each scheduled test that is due, and moves its next
// tick on. It is River's periodic job: whichever instances run it, the
// claim on each tick lets one start the run. A test whose last run is still
// queued or running skips the tick, so a slow scenario on a short interval
// does not pile up runs.
func (svc *Service) Tick(ctx context.Context) error {
	now := svc.now()
	due, err := svc.store.ListDueMonitors(ctx, now, dueBatchSize)
	if err != nil {
		return err
	}
	for _, m := range due {
		next, err := parseSchedule(time.Duration(m.EverySeconds)*time.Second, m.Cron)
		if err != nil {
			svc.log.Error("a stored schedule no longer parses", "test", m.TestID, "err", err)
			continue
		}
		claimed, err := svc.store.ClaimMonitorTick(ctx, m.TestID, now, next(now))
		if err != nil || !claimed {
			if err != nil {
				svc.log.Error("claim a scheduled tick", "test", m.TestID, "err", err)
			}
			continue
		}
		active, err := svc.store.CountActiveRuns(ctx, m.TestID)
		if err != nil {
			svc.log.Error("count a scheduled test's runs", "test", m.TestID, "err", err)
			continue
		}
		if active > 0 {
			svc.log.Info("a scheduled test's last run still goes; this tick is skipped", "test", m.TestID)
			continue
		}
		by := accounts.Actor{Username: m.UpdatedBy, Addr: "schedule"}
		if _, err := svc.StartRuns(ctx, RunInput{TestID: m.TestID, By: by}); err != nil {
			svc.log.Error("start a scheduled run", "test", m.TestID, "err", err)
		}
	}
	svc.resendUnsent(ctx)
	return nil
}

// describeSchedule is a schedule in words, for the audit trail and pages.
func describeSchedule(m store.Monitor) string {
	if m.Cron != "" {
		return "cron " + m.Cron
	}
	return "every " + EveryText(time.Duration(m.EverySeconds)*time.Second)
}

// EveryText is an interval as a person says it: "15 minutes", "1 hour".
func EveryText(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return plural(int(d/time.Hour), "1 hour", fmt.Sprintf("%d hours", d/time.Hour))
	case d%time.Minute == 0:
		return plural(int(d/time.Minute), "1 minute", fmt.Sprintf("%d minutes", d/time.Minute))
	}
	return d.String()
}

// joinInput merges input problems into one *input.Error; an error of any
// other kind is returned as it is.
func joinInput(errs ...error) error {
	all := &input.Error{}
	for _, err := range errs {
		var ie *input.Error
		if err == nil {
			continue
		}
		if !errors.As(err, &ie) {
			return err
		}
		for f, p := range ie.Fields {
			all.Add(f, p)
		}
	}
	return all.Err()
}
