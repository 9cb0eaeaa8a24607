package runs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/scenario"
	"github.com/parley-dev/parley/store"
)

// MaxRunTime bounds a run: no session lives longer.
const MaxRunTime = conversation.MaxLife

// ErrStarterBusy is a run that must wait: its starter already has as many
// runs running as one person may.
var ErrStarterBusy = errors.New("its starter has the most runs running that one person may")

// stoppedReason is why a run that Parley stopped in the middle of errored.
const stoppedReason = "Parley stopped while this run was in progress; its session was ended."

// Execute plays a queued run to its end. A run that is not queued ran
// before Parley stopped: it cannot be resumed, since its session went on
// without it, so it is errored with that reason and its session ended.
//
// A run whose starter already has MaxRunningPerPerson runs running is left
// queued and ErrStarterBusy returned: the job waits and tries again, and
// other people's runs take the workers meanwhile.
func (svc *Service) Execute(ctx context.Context, runID int64) error {
	claimed, err := svc.store.ClaimRunUnder(ctx, runID, svc.now(), svc.maxRunning)
	if errors.Is(err, store.ErrStarterBusy) {
		return ErrStarterBusy
	}
	if err != nil {
		return err
	}
	r, err := svc.store.GetRun(ctx, runID)
	if err != nil {
		return fmt.Errorf("load run %d: %w", runID, err)
	}
	if !claimed {
		if r.Status == store.RunRunning {
			svc.abandon(ctx, r, stoppedReason)
		}
		return nil
	}
	svc.changed(ctx, r)
	sc, err := scenario.Parse([]byte(r.Scenario))
	if err != nil {
		svc.finish(ctx, r, store.RunErrored, "The scenario no longer parses: "+err.Error(), nil)
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, MaxRunTime)
	defer cancel()
	x := &execution{svc: svc, report: &runReport{svc: svc, run: r}, key: r.ID, runID: &r.ID, label: fmt.Sprintf("run %d", r.ID),
		sc: sc, by: accounts.Actor{Username: r.StartedBy, Addr: "test run " + fmt.Sprint(r.ID)}}
	stopBeat := svc.beat(ctx, r.ID)
	defer stopBeat()
	x.play(ctx)
	return nil
}

// beat touches the run's heartbeat until stopped, so the sweeper can tell
// a run whose process died from one that is waiting.
func (svc *Service) beat(ctx context.Context, runID int64) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(svc.heartbeat)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := svc.store.Heartbeat(ctx, runID, svc.now()); err != nil && ctx.Err() == nil {
					svc.log.Warn("run heartbeat", "run", runID, "err", err)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

// SweepStale errors the runs whose worker stopped beating: their process
// stopped. It is River's periodic job, so one instance does it each time.
func (svc *Service) SweepStale(ctx context.Context) error {
	stale, err := svc.store.ListStaleRuns(ctx, svc.now().Add(-svc.staleAfter))
	if err != nil {
		return err
	}
	for _, r := range stale {
		svc.abandon(ctx, r, stoppedReason)
	}
	return nil
}

// AbandonRunning errors every run still marked running. Only for a
// database one instance owns (SQLite): at its start no run can be in
// progress, so these lost their worker when Parley last stopped.
func (svc *Service) AbandonRunning(ctx context.Context) (int, error) {
	running, err := svc.store.ListRuns(ctx, store.RunFilter{Status: store.RunRunning, Limit: 10000})
	if err != nil {
		return 0, err
	}
	for _, r := range running {
		svc.abandon(ctx, r, stoppedReason)
	}
	return len(running), nil
}

// abandon errors a run that cannot go on, and ends its session so nothing
// is left open at Alvaria.
func (svc *Service) abandon(ctx context.Context, r store.Run, reason string) {
	if !svc.finish(ctx, r, store.RunErrored, reason, nil) {
		return
	}
	if r.SessionID == "" {
		return
	}
	if s, err := svc.convs.Session(ctx, r.SessionID); err == nil && s.Live() {
		if err := svc.convs.EndSession(ctx, r.SessionID, accounts.Actor{Username: r.StartedBy, Addr: "test run " + fmt.Sprint(r.ID)}); err != nil {
			svc.log.Warn("end the session of an abandoned run", "run", r.ID, "session", r.SessionID, "err", err)
		}
	}
}

// finish records the run's result once; it reports whether this call did.
func (svc *Service) finish(ctx context.Context, r store.Run, status, reason string, failedStep *int) bool {
	ctx = context.WithoutCancel(ctx)
	done, err := svc.store.FinishRun(ctx, r.ID, status, reason, failedStep, svc.now())
	if err != nil {
		svc.log.Error("record the result of a run", "run", r.ID, "status", status, "err", err)
		return false
	}
	if done {
		svc.changed(ctx, r)
		if svc.finished != nil {
			svc.finished(status)
		}
		if r.TestID != "" {
			svc.noteResult(ctx, r, status)
			svc.tellResult(ctx, r.ID, status)
		}
	}
	return done
}

// execution is one run, or one session of a load run, in progress.
type execution struct {
	svc    *Service
	report reporter
	key    int64  // the run's number in the contact name ({{run}})
	runID  *int64 // marks the session with its run; nil for a load session
	label  string // names it in the log
	sc     *scenario.Scenario
	by     accounts.Actor

	session   conversation.Session
	watch     *live.Subscription
	cursor    int64                 // the last callback event read
	pending   []store.CallbackEvent // read since the last action, not yet matched
	lastSent  string                // Alvaria's messageId of the last message sent
	endedByUs bool
}

// stepFailure is an expectation not met: what was expected and what
// arrived instead, for the report.
type stepFailure struct {
	expected, got string
}

func (f *stepFailure) Error() string { return "expected " + f.expected + "; " + f.got }

func (x *execution) play(ctx context.Context) {
	defer func() {
		if x.watch != nil {
			x.watch.Close()
		}
	}()
	for _, step := range x.sc.Steps {
		x.report.stepStarted(ctx, step)
		err := x.do(ctx, step)
		status, expected, got := store.StepPassed, "", ""
		var failure *stepFailure
		switch {
		case errors.As(err, &failure):
			status, expected, got = store.StepFailed, failure.expected, failure.got
		case err != nil:
			status, expected, got = store.StepFailed, step.String(), err.Error()
		}
		x.report.stepEnded(context.WithoutCancel(ctx), step, status, expected, got)
		if status == store.StepFailed {
			number := step.Number
			x.cleanUp(ctx)
			switch {
			case failure == nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
				x.report.finished(ctx, store.RunErrored, "The run took longer than a session lives.", &number)
			case failure == nil && ctx.Err() != nil:
				x.report.finished(ctx, store.RunErrored, stoppedReason, &number)
			default:
				x.report.finished(ctx, store.RunFailed, fmt.Sprintf("Step %d, %s: %s", step.Number, step.String(), got), &number)
			}
			return
		}
	}
	x.cleanUp(ctx)
	x.report.finished(ctx, store.RunPassed, "", nil)
}

// cleanUp ends the run's session if it is still open, so a test never
// leaves a session at Alvaria.
func (x *execution) cleanUp(ctx context.Context) {
	if x.session.ID == "" || x.endedByUs {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if x.report.endedElsewhere(ctx) {
		return
	}
	s, err := x.svc.convs.Session(ctx, x.session.ID)
	if err != nil || !s.Live() {
		return
	}
	if err := x.svc.convs.EndSession(ctx, x.session.ID, x.by); err != nil {
		x.svc.log.Warn("end the session of a finished run", "run", x.label, "err", err)
	}
}

// do performs one step.
func (x *execution) do(ctx context.Context, step scenario.Step) error {
	if x.session.ID == "" {
		if err := x.start(ctx); err != nil {
			return err
		}
	}
	switch step.Action {
	case scenario.ActionSay, scenario.ActionAttach:
		return x.send(ctx, step)
	case scenario.ActionWait:
		waited, cancel := context.WithTimeout(ctx, step.Wait)
		defer cancel()
		<-waited.Done()
		return ctx.Err() // nil unless the run itself was stopped
	case scenario.ActionEnd:
		if err := x.mark(ctx); err != nil {
			return err
		}
		if err := x.svc.convs.EndSession(ctx, x.session.ID, x.by); err != nil {
			return &stepFailure{expected: "to end the session", got: err.Error()}
		}
		x.endedByUs = true
		return nil
	default:
		return x.expect(ctx, step)
	}
}

// start opens the run's session, marked with the run, and watches it.
func (x *execution) start(ctx context.Context) error {
	asked := x.svc.now()
	// Not cut short by a stop or a cancellation: a start cut in the middle
	// can leave a session open at Alvaria that this run never learns of, so
	// never ends. It is bounded by the client's retries.
	s, err := x.svc.convs.StartSession(context.WithoutCancel(ctx), conversation.StartInput{
		Connection:  x.sc.Connection,
		WorkTypeID:  x.sc.WorkTypeID,
		ContactName: x.sc.ContactNameFor(x.key, asked),
		Integration: x.sc.Integration,
		By:          x.by,
		RunID:       x.runID,
	})
	if err != nil {
		return &stepFailure{expected: "the session to start", got: "Parley could not start it: " + err.Error()}
	}
	x.session = s
	// Watch before reading: a callback stored after the read below is
	// announced on the topic, one stored before it is read.
	x.watch = x.svc.live.Subscribe(live.SessionTopic(s.ID))
	return x.report.sessionStarted(ctx, s, asked)
}

// mark moves the cursor past every callback so far: what an expectation
// after an action may match must arrive after it.
func (x *execution) mark(ctx context.Context) error {
	events, err := x.svc.store.ListEventsOfAlvariaSession(ctx, x.session.AlvariaSessionID, x.cursor)
	if err != nil {
		return err
	}
	if len(events) > 0 {
		x.cursor = events[len(events)-1].ID
	}
	x.pending = x.pending[:0]
	return nil
}

func (x *execution) send(ctx context.Context, step scenario.Step) error {
	if err := x.mark(ctx); err != nil {
		return err
	}
	m, err := x.svc.convs.SendMessage(ctx, x.session.ID, conversation.MessageInput{
		Text: step.Text, AttachmentType: step.AttachmentType, AttachmentURL: step.AttachmentURL, By: x.by,
	})
	if err != nil {
		return &stepFailure{expected: "the message to be sent", got: err.Error()}
	}
	x.lastSent = m.AlvariaMessageID
	return nil
}

// reporter records what an execution does: a run's steps and result for
// its page, or a load session's timings.
type reporter interface {
	stepStarted(ctx context.Context, step scenario.Step)
	stepEnded(ctx context.Context, step scenario.Step, status, expected, got string)
	// sessionStarted is told the session opened, asked for at asked.
	sessionStarted(ctx context.Context, s conversation.Session, asked time.Time) error
	finished(ctx context.Context, status, reason string, failedStep *int)
	// endedElsewhere reports that someone else took on ending the session
	// (a load run's cancellation), so the run must not end it again.
	endedElsewhere(ctx context.Context) bool
}

// runReport records a run's steps and result, telling its page each time.
type runReport struct {
	svc *Service
	run store.Run
}

func (r *runReport) stepStarted(ctx context.Context, step scenario.Step) {
	if err := r.svc.store.StartStep(ctx, r.run.ID, step.Number, r.svc.now()); err != nil {
		r.svc.log.Error("record a step", "run", r.run.ID, "step", step.Number, "err", err)
	}
	r.svc.changed(ctx, r.run)
}

func (r *runReport) stepEnded(ctx context.Context, step scenario.Step, status, expected, got string) {
	if err := r.svc.store.EndStep(ctx, r.run.ID, step.Number, status, expected, got, r.svc.now()); err != nil {
		r.svc.log.Error("record a step", "run", r.run.ID, "step", step.Number, "err", err)
	}
}

func (r *runReport) sessionStarted(ctx context.Context, s conversation.Session, _ time.Time) error {
	if err := r.svc.store.SetRunSession(ctx, r.run.ID, s.ID); err != nil {
		return err
	}
	r.run.SessionID = s.ID
	return nil
}

func (r *runReport) endedElsewhere(context.Context) bool { return false }

func (r *runReport) finished(ctx context.Context, status, reason string, failedStep *int) {
	r.svc.finish(ctx, r.run, status, reason, failedStep)
}
