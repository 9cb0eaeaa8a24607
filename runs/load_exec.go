package runs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/scenario"
	"github.com/parley-dev/parley/store"
)

// LoadJob is one session of a load run to play, not before At.
type LoadJob struct {
	LoadRunID int64
	Number    int
	At        time.Time
}

// ErrConnectionBusy is a load session that must wait: its connection has
// as many load sessions in flight as its ceiling allows.
var ErrConnectionBusy = errors.New("the connection has as many load sessions in flight as it may")

// cancelledReason is why a session of a cancelled load run stopped.
const cancelledReason = "The load run was cancelled."

// ExecuteLoadSession plays one session of a load run, records its
// timings, and queues the session that takes its place (number+C), so the
// load run never has more than C in flight. A session found running was
// cut short by a stop (its job is tried again): it is errored, its
// Alvaria session ended, and its lane goes on.
func (svc *Service) ExecuteLoadSession(ctx context.Context, loadRunID int64, number int) error {
	lr, err := svc.store.GetLoadRun(ctx, loadRunID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted with its test's history; nothing to play
	}
	if err != nil {
		return fmt.Errorf("load run %d: %w", loadRunID, err)
	}
	// Listen before claiming: a cancellation after the claim is heard.
	cancelWatch := svc.live.Subscribe(loadCancelTopic(loadRunID))
	defer cancelWatch.Close()
	claimed, err := svc.store.ClaimLoadSession(ctx, loadRunID, number, svc.now(), svc.loadCeiling)
	if errors.Is(err, store.ErrConnectionBusy) {
		return ErrConnectionBusy
	}
	if err != nil {
		return err
	}
	if !claimed {
		ls, err := svc.store.GetLoadSession(ctx, loadRunID, number)
		if err != nil {
			return err
		}
		if ls.Status == store.LoadSessionRunning {
			svc.abandonLoadSession(ctx, lr, ls)
		}
		return svc.queueNext(ctx, lr, number)
	}
	svc.loadChanged(ctx, loadRunID)
	svc.calls.begin(loadRunID)

	result := store.LoadSession{LoadRunID: loadRunID, Number: number, Waits: "[]"}
	sc, err := scenario.Parse([]byte(lr.Scenario))
	if err != nil {
		result.Status, result.Reason = store.LoadSessionErrored, "The scenario no longer parses: "+err.Error()
	} else {
		result = svc.playLoadSession(ctx, lr, number, sc, cancelWatch)
	}
	// The calls are stored before the result, so the page that shows the
	// last session's end shows its calls too.
	if err := svc.store.AddLoadRunCalls(context.WithoutCancel(ctx), loadRunID, svc.calls.end(loadRunID)); err != nil {
		svc.log.Warn("count the Alvaria calls of a load run", "load", loadRunID, "err", err)
	}
	done, _, err := svc.store.FinishLoadSession(context.WithoutCancel(ctx), result, svc.now())
	if err != nil {
		return err
	}
	if done {
		svc.loadChanged(ctx, loadRunID)
	}
	return svc.queueNext(ctx, lr, number)
}

// playLoadSession plays the scenario as one session and returns its
// result; the load run's cancellation stops it at once.
func (svc *Service) playLoadSession(ctx context.Context, lr store.LoadRun, number int, sc *scenario.Scenario, cancelWatch *live.Subscription) store.LoadSession {
	ctx, stop := context.WithTimeout(ctx, MaxRunTime)
	defer stop()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	errCancelled := errors.New(cancelledReason)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-cancelWatch.Ready():
				cancelWatch.Take()
				if cur, err := svc.store.GetLoadRun(ctx, lr.ID); err == nil && cur.Status == store.LoadCancelled {
					cancel(errCancelled)
					return
				}
			}
		}
	}()
	// A cancellation before the subscription was made is read here.
	if cur, err := svc.store.GetLoadRun(ctx, lr.ID); err == nil && cur.Status == store.LoadCancelled {
		cancel(errCancelled)
	}
	rep := &loadReport{svc: svc, lr: lr, number: number, result: store.LoadSession{LoadRunID: lr.ID, Number: number}}
	key := int64(number)
	x := &execution{svc: svc, report: rep, key: key, label: fmt.Sprintf("load %d session %d", lr.ID, number), sc: sc,
		by: accounts.Actor{Username: lr.StartedBy, Addr: fmt.Sprintf("load run %d", lr.ID)}}
	x.play(ctx)
	rep.timeCallbacks(context.WithoutCancel(ctx), x.session)
	res := rep.result
	// A session the cancellation ended may have failed on its SESSION_END
	// before the notice came: it was cancelled all the same.
	if res.Status != store.LoadSessionPassed && (context.Cause(ctx) == errCancelled || svc.loadCancelled(ctx, lr.ID)) {
		res.Status, res.Reason = store.LoadSessionCancelled, cancelledReason
	}
	waits, _ := json.Marshal(rep.waits)
	res.Waits = string(waits)
	if rep.waits == nil {
		res.Waits = "[]"
	}
	return res
}

// loadCancelled reads whether the load run was cancelled.
func (svc *Service) loadCancelled(ctx context.Context, id int64) bool {
	cur, err := svc.store.GetLoadRun(context.WithoutCancel(ctx), id)
	return err == nil && cur.Status == store.LoadCancelled
}

// queueNext queues the session that takes number's place in its lane.
func (svc *Service) queueNext(ctx context.Context, lr store.LoadRun, number int) error {
	next := number + lr.Concurrency
	if next > lr.Sessions {
		return nil
	}
	if cur, err := svc.store.GetLoadRun(ctx, lr.ID); err == nil && cur.Status != store.LoadRunning {
		return nil // cancelled: its queued sessions are marked so already
	}
	return svc.queue.EnqueueLoadSessions(ctx, []LoadJob{{LoadRunID: lr.ID, Number: next, At: svc.now()}})
}

// abandonLoadSession errors a session whose worker stopped in the middle,
// and ends its Alvaria session so nothing is left open.
func (svc *Service) abandonLoadSession(ctx context.Context, lr store.LoadRun, ls store.LoadSession) {
	ls.Status, ls.Reason, ls.Waits = store.LoadSessionErrored, stoppedReason, "[]"
	if _, _, err := svc.store.FinishLoadSession(context.WithoutCancel(ctx), ls, svc.now()); err != nil {
		svc.log.Error("error an abandoned load session", "load", lr.ID, "session", ls.Number, "err", err)
	}
	svc.endLoadSessions(ctx, []store.LoadSession{ls}, accounts.Actor{Username: lr.StartedBy, Addr: fmt.Sprintf("load run %d", lr.ID)})
	svc.loadChanged(ctx, lr.ID)
}

// loadReport records a load session's timings instead of steps: how long
// each expectation met waited, and its result.
type loadReport struct {
	svc       *Service
	lr        store.LoadRun
	number    int
	stepStart time.Time
	asked     time.Time
	waits     []stepWait
	result    store.LoadSession
}

func (r *loadReport) stepStarted(_ context.Context, _ scenario.Step) { r.stepStart = r.svc.now() }

func (r *loadReport) stepEnded(_ context.Context, step scenario.Step, status, _, _ string) {
	if step.Expect != "" && status == store.StepPassed {
		r.waits = append(r.waits, stepWait{Step: step.Number, US: r.svc.now().Sub(r.stepStart).Microseconds()})
	}
}

func (r *loadReport) sessionStarted(ctx context.Context, s conversation.Session, asked time.Time) error {
	r.asked = asked
	r.result.SessionID = s.ID
	return r.svc.store.SetLoadSessionSession(ctx, r.lr.ID, r.number, s.ID)
}

// endedElsewhere: the cancellation marked the session as one it ends.
func (r *loadReport) endedElsewhere(ctx context.Context) bool {
	ls, err := r.svc.store.GetLoadSession(ctx, r.lr.ID, r.number)
	return err == nil && ls.Status == store.LoadSessionRunning && ls.Reason == store.LoadEndingReason
}

func (r *loadReport) finished(_ context.Context, status, reason string, failedStep *int) {
	r.result.Status, r.result.Reason, r.result.FailedStep = status, reason, failedStep
}

// timeCallbacks reads the session's callbacks as Parley received them:
// how many, and when NEW_SESSION and AGENT_JOINED first arrived after the
// session was asked for.
func (r *loadReport) timeCallbacks(ctx context.Context, s conversation.Session) {
	if s.AlvariaSessionID == "" {
		return
	}
	events, err := r.svc.store.ListEventsOfAlvariaSession(ctx, s.AlvariaSessionID, 0)
	if err != nil {
		r.svc.log.Warn("read the callbacks of a load session", "load", r.lr.ID, "session", r.number, "err", err)
		return
	}
	r.result.Callbacks = len(events)
	for _, ev := range events {
		us := max(ev.ReceivedAt.Sub(r.asked).Microseconds(), 0)
		switch {
		case ev.Type == alvaria.EventNewSession && r.result.NewSessionUS == nil:
			r.result.NewSessionUS = &us
		case ev.Type == alvaria.EventAgentJoined && r.result.AgentJoinedUS == nil:
			r.result.AgentJoinedUS = &us
		}
	}
}

// AbandonRunningLoads errors every load session still marked running and
// lets its lane go on. Only for a database one instance owns (SQLite): at
// its start no session can be in flight, so these lost their worker when
// Parley last stopped, and their jobs would wait hours for River's rescue.
func (svc *Service) AbandonRunningLoads(ctx context.Context) (int, error) {
	running, err := svc.store.ListRunningLoadSessions(ctx)
	if err != nil {
		return 0, err
	}
	for _, ls := range running {
		lr, err := svc.store.GetLoadRun(ctx, ls.LoadRunID)
		if err != nil {
			return 0, err
		}
		svc.abandonLoadSession(ctx, lr, ls)
		if err := svc.queueNext(ctx, lr, ls.Number); err != nil {
			return 0, err
		}
	}
	return len(running), nil
}
