package runs

import (
	"time"

	"github.com/parley-dev/parley/store"
)

// Load run statuses.
const (
	LoadRunning   = store.LoadRunning
	LoadFinished  = store.LoadFinished
	LoadCancelled = store.LoadCancelled
)

// StatusCancelled is a load session its load run's cancellation stopped
// or kept from starting.
const StatusCancelled = store.LoadSessionCancelled

// LoadRun is one scenario played as many sessions, with its live counters.
type LoadRun struct {
	ID          int64
	TestID      string
	Name        string
	Scenario    string
	Connection  string
	Sessions    int
	Concurrency int
	Ramp        time.Duration
	Status      string
	Reason      string
	StartedBy   string
	CreatedAt   time.Time
	FinishedAt  *time.Time
	Counts      LoadCounts
	// Calls are Alvaria's answers during the run by HTTP status (0 when
	// none came); Retries how many calls the client tried again after a
	// 429, a 5xx or a network error, waiting its backoff.
	Calls   []CallCount
	Retries int64
	// Callbacks is how many callbacks the finished sessions received.
	Callbacks int
}

// CallTotal is how many answers Alvaria gave (or failed to) in all.
func (lr LoadRun) CallTotal() int64 {
	var n int64
	for _, c := range lr.Calls {
		n += c.Count
	}
	return n
}

// LoadCounts is how many sessions of a load run are in each state.
type LoadCounts struct {
	Queued, InFlight, Passed, Failed, Errored, Cancelled int
}

// Started is how many sessions have begun; a cancelled one counts as not
// started, whether or not it had.
func (c LoadCounts) Started() int { return c.InFlight + c.Passed + c.Failed + c.Errored }

// Done is how many sessions have their result.
func (c LoadCounts) Done() int { return c.Passed + c.Failed + c.Errored + c.Cancelled }

// CallCount is how many of Alvaria's answers had one status.
type CallCount struct {
	Status int
	Count  int64
}

// Finished reports whether the load run is over.
func (lr LoadRun) Finished() bool { return lr.Status != LoadRunning }

// Elapsed is how long the load run took, or has taken so far.
func (lr LoadRun) Elapsed(now time.Time) time.Duration {
	end := now
	if lr.FinishedAt != nil {
		end = *lr.FinishedAt
	}
	return end.Sub(lr.CreatedAt)
}

// LoadSession is one session of a load run with its timings; a timing is
// nil when the session did not get that far.
type LoadSession struct {
	Number      int
	Status      string
	SessionID   string
	StartedAt   *time.Time
	FinishedAt  *time.Time
	NewSession  *time.Duration // from asking Alvaria to the NEW_SESSION callback
	AgentJoined *time.Duration // to the AGENT_JOINED callback
	Waits       []StepWait     // each expectation met, and how long it waited
	Callbacks   int
	FailedStep  *int
	Reason      string
}

// StepWait is how long one expectation waited for its callback.
type StepWait struct {
	Step int
	Wait time.Duration
}

// Duration is how long the session took; 0 before it ended.
func (s LoadSession) Duration() time.Duration {
	if s.StartedAt == nil || s.FinishedAt == nil {
		return 0
	}
	return s.FinishedAt.Sub(*s.StartedAt)
}

func presentLoad(r store.LoadRun, counts store.LoadCounts, calls []store.LoadRunCall) LoadRun {
	out := LoadRun{
		ID: r.ID, TestID: r.TestID, Name: r.Name, Scenario: r.Scenario, Connection: r.Connection, Sessions: r.Sessions,
		Concurrency: r.Concurrency, Ramp: time.Duration(r.RampMS) * time.Millisecond, Status: r.Status, Reason: r.Reason,
		StartedBy: r.StartedBy, CreatedAt: r.CreatedAt, FinishedAt: r.FinishedAt,
		Counts: LoadCounts{
			Queued: counts.ByStatus[store.LoadSessionQueued], InFlight: counts.ByStatus[store.LoadSessionRunning], Passed: counts.ByStatus[store.LoadSessionPassed],
			Failed: counts.ByStatus[store.LoadSessionFailed], Errored: counts.ByStatus[store.LoadSessionErrored], Cancelled: counts.ByStatus[store.LoadSessionCancelled],
		},
		Callbacks: counts.Callbacks,
	}
	for _, c := range calls {
		if c.Status == retriesStatus {
			out.Retries = c.Count
			continue
		}
		out.Calls = append(out.Calls, CallCount{Status: c.Status, Count: c.Count})
	}
	return out
}

func presentLoadSession(r store.LoadSession) LoadSession {
	out := LoadSession{
		Number: r.Number, Status: r.Status, SessionID: r.SessionID, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt,
		NewSession: micros(r.NewSessionUS), AgentJoined: micros(r.AgentJoinedUS), Callbacks: r.Callbacks, FailedStep: r.FailedStep, Reason: r.Reason,
	}
	for _, w := range decodeWaits(r.Waits) {
		out.Waits = append(out.Waits, StepWait{Step: w.Step, Wait: time.Duration(w.US) * time.Microsecond})
	}
	return out
}

func micros(us *int64) *time.Duration {
	if us == nil {
		return nil
	}
	d := time.Duration(*us) * time.Microsecond
	return &d
}
