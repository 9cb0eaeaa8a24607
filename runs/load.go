package runs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/scenario"
	"github.com/parley-dev/parley/store"
)

// Bounds of a load run's request.
const (
	MaxLoadSessions = 10000
	MaxLoadRamp     = time.Hour
)

// MaxLoadsPerPerson bounds the load runs one person may have running at
// once: each may hold thousands of sessions' rows and the connection's
// ceiling for an hour.
const MaxLoadsPerPerson = 3

// TooManyLoadsError refuses a load run while its starter has
// MaxLoadsPerPerson running.
type TooManyLoadsError struct{ Running, Max int }

func (e *TooManyLoadsError) Error() string {
	return fmt.Sprintf("You have %d load runs running; at most %d may run at once. Wait for one to finish, or cancel one, then try again.", e.Running, e.Max)
}

// DefaultLoadCeiling is how many load sessions one Alvaria connection may
// have in flight at once, over every load run and instance, unless an
// admin sets another.
const DefaultLoadCeiling = 100

// SimulatorConnection is the name of the built-in simulator's connection:
// load runs against it need no confirmation.
const SimulatorConnection = "simulator"

// LoadInput asks for a load run of a saved test or of a script.
type LoadInput struct {
	TestID      string
	Scenario    string
	Sessions    int           // N, from 1 to MaxLoadSessions
	Concurrency int           // C: at most this many at once; 0 means N up to the ceiling
	Ramp        time.Duration // R: the first C sessions start evenly over it
	// Confirmed is the person's yes to a load run on a real Alvaria
	// connection, given after seeing N and C.
	Confirmed bool
	By        accounts.Actor
}

// ConfirmLoadError asks for confirmation before opening real sessions at
// a real contact center.
type ConfirmLoadError struct {
	Sessions, Concurrency int
	Connection            string
}

func (e *ConfirmLoadError) Error() string {
	return fmt.Sprintf("This load run opens %d %s, %d at once, at the Alvaria connection %q, where real agents may answer them. Confirm to start it.",
		e.Sessions, plural(e.Sessions, "session", "sessions"), e.Concurrency, e.Connection)
}

// StartLoad checks the request and the scenario, stores the load run with
// its N queued sessions, and queues the first C of them over the ramp-up;
// each finished session queues the next, so at most C are ever in flight.
func (svc *Service) StartLoad(ctx context.Context, in LoadInput) (LoadRun, error) {
	if in.Sessions < 1 || in.Sessions > MaxLoadSessions {
		return LoadRun{}, &InputError{Message: fmt.Sprintf("Sessions must be from 1 to %d.", MaxLoadSessions)}
	}
	if in.Concurrency == 0 {
		in.Concurrency = min(in.Sessions, svc.loadCeiling)
	}
	if in.Concurrency < 1 || in.Concurrency > svc.loadCeiling {
		return LoadRun{}, &InputError{Message: fmt.Sprintf("Concurrency must be from 1 to %d, the most sessions the connection %q may have in flight at once.", svc.loadCeiling, svc.connection)}
	}
	in.Concurrency = min(in.Concurrency, in.Sessions)
	if in.Ramp < 0 || in.Ramp > MaxLoadRamp {
		return LoadRun{}, &InputError{Message: fmt.Sprintf("Ramp-up must be from 0s to %s.", MaxLoadRamp)}
	}
	yaml, testID := in.Scenario, ""
	if in.TestID != "" {
		t, err := svc.GetTest(ctx, in.TestID)
		if err != nil {
			return LoadRun{}, err
		}
		yaml, testID = t.Scenario, t.ID
	} else if yaml == "" {
		return LoadRun{}, &InputError{Message: "Give a saved test or a scenario to run."}
	}
	sc, err := scenario.Parse([]byte(yaml))
	if err != nil {
		return LoadRun{}, err
	}
	if svc.connection != SimulatorConnection && !in.Confirmed {
		return LoadRun{}, &ConfirmLoadError{Sessions: in.Sessions, Concurrency: in.Concurrency, Connection: svc.connection}
	}
	if svc.queue == nil {
		return LoadRun{}, errors.New("start load run: no job queue")
	}
	lr := store.LoadRun{TestID: testID, Name: sc.Name, Scenario: yaml, Connection: svc.connection, Sessions: in.Sessions,
		Concurrency: in.Concurrency, RampMS: in.Ramp.Milliseconds(), StartedBy: in.By.Username, CreatedAt: svc.now()}
	err = svc.store.CreateLoadRun(ctx, &lr, MaxLoadsPerPerson)
	var tooMany *store.TooManyLoadsError
	if errors.As(err, &tooMany) {
		return LoadRun{}, &TooManyLoadsError{Running: tooMany.Running, Max: tooMany.Max}
	}
	if err != nil {
		return LoadRun{}, fmt.Errorf("start load run of %q: %w", sc.Name, err)
	}
	first := make([]LoadJob, in.Concurrency)
	for i := range first {
		// The lanes open evenly over the ramp-up: the first at once, the
		// last one step before its end.
		first[i] = LoadJob{LoadRunID: lr.ID, Number: i + 1, At: lr.CreatedAt.Add(in.Ramp * time.Duration(i) / time.Duration(in.Concurrency))}
	}
	if err := svc.queue.EnqueueLoadSessions(ctx, first); err != nil {
		svc.store.CancelLoadRun(context.WithoutCancel(ctx), lr.ID, "Its sessions could not be queued.", svc.now())
		return LoadRun{}, fmt.Errorf("queue load run %d: %w", lr.ID, err)
	}
	svc.record(ctx, in.By, accounts.ActionRunStart, "load "+strconv.FormatInt(lr.ID, 10), fmt.Sprintf("%s: %d sessions, %d at once", sc.Name, in.Sessions, in.Concurrency))
	svc.loadChanged(ctx, lr.ID)
	return svc.GetLoad(ctx, lr.ID)
}

// LoadCeiling is the most sessions a load run may have in flight at once.
func (svc *Service) LoadCeiling() int { return svc.loadCeiling }

// CancelLoad stops a load run at once: its queued sessions never start,
// and every session in flight is ended at Alvaria here, whichever instance
// plays it; their workers are told and record them cancelled.
func (svc *Service) CancelLoad(ctx context.Context, id int64, by accounts.Actor) (LoadRun, error) {
	lr, err := svc.GetLoad(ctx, id)
	if err != nil {
		return LoadRun{}, err
	}
	cancelled, inFlight, err := svc.store.CancelLoadRun(ctx, id, "Cancelled by "+by.Username+".", svc.now())
	if err != nil {
		return LoadRun{}, err
	}
	if !cancelled {
		return lr, nil
	}
	svc.record(ctx, by, accounts.ActionLoadCancel, "load "+strconv.FormatInt(id, 10), lr.Name)
	// Ended here first, then the workers told: a worker that wakes finds
	// its session over and does not end it a second time.
	svc.endLoadSessions(ctx, inFlight, by)
	if err := svc.live.Publish(context.WithoutCancel(ctx), loadCancelTopic(id), ""); err != nil {
		svc.log.Warn("tell the workers of a cancelled load run", "load", id, "err", err)
	}
	svc.loadChanged(ctx, id)
	return svc.GetLoad(ctx, id)
}

// endLoadSessions ends the Alvaria sessions of load sessions in flight, a
// few at once; one that is already over is left as it is.
func (svc *Service) endLoadSessions(ctx context.Context, sessions []store.LoadSession, by accounts.Actor) {
	ctx = context.WithoutCancel(ctx)
	sem := make(chan struct{}, 16)
	done := make(chan struct{})
	n := 0
	for _, ls := range sessions {
		if ls.SessionID == "" {
			continue // its worker has not opened it yet; it sees the cancellation
		}
		n++
		go func() {
			sem <- struct{}{}
			defer func() { <-sem; done <- struct{}{} }()
			if s, err := svc.convs.Session(ctx, ls.SessionID); err == nil && s.Live() {
				if err := svc.convs.EndSession(ctx, ls.SessionID, by); err != nil {
					svc.log.Warn("end a session of a cancelled load run", "load", ls.LoadRunID, "session", ls.SessionID, "err", err)
				}
			}
		}()
	}
	for range n {
		<-done
	}
}

// GetLoad returns a load run with its live counters.
func (svc *Service) GetLoad(ctx context.Context, id int64) (LoadRun, error) {
	lr, err := svc.store.GetLoadRun(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return LoadRun{}, ErrNotFound
	}
	if err != nil {
		return LoadRun{}, fmt.Errorf("get load run %d: %w", id, err)
	}
	counts, err := svc.store.CountLoadSessions(ctx, id)
	if err != nil {
		return LoadRun{}, err
	}
	calls, err := svc.store.ListLoadRunCalls(ctx, id)
	if err != nil {
		return LoadRun{}, err
	}
	return presentLoad(lr, counts, calls), nil
}

// ListLoads returns a test's load runs, newest first.
func (svc *Service) ListLoads(ctx context.Context, testID string) ([]LoadRun, error) {
	rows, err := svc.store.ListLoadRuns(ctx, testID, 20)
	if err != nil {
		return nil, err
	}
	out := make([]LoadRun, len(rows))
	for i, r := range rows {
		out[i] = presentLoad(r, store.LoadCounts{}, nil)
	}
	return out, nil
}

// LoadReport returns a load run with every session's timings, the
// percentiles over them and the failures grouped.
func (svc *Service) LoadReport(ctx context.Context, id int64) (LoadReport, error) {
	lr, err := svc.GetLoad(ctx, id)
	if err != nil {
		return LoadReport{}, err
	}
	rows, err := svc.store.ListLoadSessions(ctx, id)
	if err != nil {
		return LoadReport{}, err
	}
	sessions := make([]LoadSession, len(rows))
	for i, r := range rows {
		sessions[i] = presentLoadSession(r)
	}
	var sc *scenario.Scenario
	if parsed, err := scenario.Parse([]byte(lr.Scenario)); err == nil {
		sc = parsed
	}
	return buildReport(lr, sessions, sc), nil
}

// loadChanged tells the load run's page; a lost notice loses no data.
func (svc *Service) loadChanged(ctx context.Context, id int64) {
	if err := svc.live.Publish(context.WithoutCancel(ctx), LoadTopic(id), ""); err != nil {
		svc.log.Warn("notify load run page", "load", id, "err", err)
	}
}

// LoadTopic is the live topic of one load run's page.
func LoadTopic(id int64) string { return "load:" + strconv.FormatInt(id, 10) }

// loadCancelTopic tells a load run's workers it was cancelled; apart from
// LoadTopic so a thousand sessions are not woken by every counter change.
func loadCancelTopic(id int64) string { return "load-cancel:" + strconv.FormatInt(id, 10) }

// stepWait is one expectation's wait in a load session, as stored.
type stepWait struct {
	Step int   `json:"step"`
	US   int64 `json:"us"`
}

func decodeWaits(s string) []stepWait {
	var out []stepWait
	json.Unmarshal([]byte(s), &out) // written by us; a bad row only loses its waits
	return out
}
