package runs_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/handlers"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/simulator/simtest"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// instance is one Parley: a console with the verified webhook, the
// conversation service, and the runs service with its River jobs.
type instance struct {
	URL   string
	store *store.Store
	runs  *runs.Service
	jobs  *runs.Jobs
	sim   *simtest.Server
}

// database is a fresh store and the URL River's pool reaches it by.
type database struct {
	store *store.Store
	url   string
}

func sqliteDB(t *testing.T) database { return database{store: storetest.SQLite(t)} }

func postgresDB(t *testing.T) database {
	url := storetest.PostgresURL(t)
	st, err := store.Open(t.Context(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return database{store: st, url: url}
}

// options shape an instance for a test.
type options struct {
	workTypes []string      // the simulator accepts only these; empty all
	reorder   float64       // the simulator's share of callbacks held back behind the next
	sim       *instance     // talk to this instance's simulator instead of a new one
	broker    live.Broker   // nil: in-process, or Postgres when the database is
	noWorkers bool          // queue runs but never work them here
	staleOK   time.Duration // StaleAfter
	running   int           // MaxRunningPerPerson
	// Load runs: the simulator's faults, the connection's ceiling and name.
	duplicates, errors429 float64
	ceiling               int
	connection            string
	// Monitoring: the clock schedules run by, how often River ticks, and
	// whether alerts may reach this machine's test receivers.
	now          func() time.Time
	tick         time.Duration
	alertPrivate bool
}

// newInstance starts a Parley on db whose simulator delivers callbacks to
// its own webhook (or, with o.sim, shares another instance's simulator).
func newInstance(t *testing.T, db database, o options) *instance {
	t.Helper()
	var router atomic.Value
	console := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		router.Load().(http.Handler).ServeHTTP(w, r)
	}))
	t.Cleanup(console.Close)

	sim := o.simulator(t, console.URL)
	calls := runs.NewCallTally(nil)
	client := simtest.Client(t, sim.URL, func(c *alvaria.Config) { c.MaxAttempts, c.BaseDelay, c.Observer = 0, 0, calls })
	verifier, err := alvaria.NewVerifier(alvaria.VerifierConfig{PublicKey: sim.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	broker := o.broker
	if broker == nil {
		broker = newBroker(t, db)
	}
	people := accounts.New(accounts.Config{Store: db.store})
	convs := conversation.New(conversation.Config{Store: db.store, Alvaria: client, Live: broker, Connection: "simulator", Audit: people})
	router.Store(http.Handler(handlers.NewRouter(handlers.Deps{Health: db.store, Sessions: convs, Callbacks: convs, Verifier: verifier, Live: broker})))

	svc := runs.New(runs.Config{Store: db.store, Conversations: convs, Live: broker, Audit: people, Heartbeat: 50 * time.Millisecond, StaleAfter: o.staleOK, MaxRunningPerPerson: o.running,
		Connection: o.connection, LoadCeiling: o.ceiling, Calls: calls, Now: o.now, AlertPrivate: o.alertPrivate, PublicURL: console.URL})
	workers := 10
	if o.noWorkers {
		workers = 0
	}
	jobs, err := runs.NewJobs(t.Context(), runs.JobsConfig{Store: db.store, DatabaseURL: db.url, PollInterval: 50 * time.Millisecond, Workers: workers, ScheduleTick: o.tick}, svc)
	if err != nil {
		t.Fatal(err)
	}
	svc.SetQueue(jobs)
	if !o.noWorkers {
		ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
		if err := jobs.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stopCtx, done := context.WithTimeout(context.Background(), 5*time.Second)
			defer done()
			jobs.Stop(stopCtx)
			cancel()
		})
	}
	return &instance{URL: console.URL, store: db.store, runs: svc, jobs: jobs, sim: sim}
}

func (o options) simulator(t *testing.T, callbackURL string) *simtest.Server {
	if o.sim != nil {
		return o.sim.sim
	}
	return simtest.Start(t, simulator.Config{
		CallbackURL: callbackURL + "/webhooks/server-messaging",
		AgentDelay:  10 * time.Millisecond,
		WorkTypes:   o.workTypes,
		ReorderRate: o.reorder,
		// Load runs' fault injection: duplicate callbacks, and 429s the
		// client must back off from and retry.
		DuplicateRate: o.duplicates,
		ErrorRate:     o.errors429,
		ErrorStatus:   http.StatusTooManyRequests,
	})
}

func newBroker(t *testing.T, db database) live.Broker {
	if db.url == "" {
		return live.NewHub()
	}
	b, err := live.NewPGBroker(t.Context(), db.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

var olive = accounts.Actor{Username: "olive"}

// runScenario queues one run of yaml and waits for its end.
func (in *instance) runScenario(t *testing.T, yaml string) runs.Run {
	t.Helper()
	started, err := in.runs.StartRuns(t.Context(), runs.RunInput{Scenario: yaml, By: olive})
	if err != nil {
		t.Fatal(err)
	}
	return in.waitRun(t, started[0].ID)
}

// waitRun waits for a run to finish; the bound is generous, it only stops
// a broken test from hanging.
func (in *instance) waitRun(t *testing.T, id int64) runs.Run {
	t.Helper()
	var r runs.Run
	testkit.Eventually(t, 60*time.Second, func() bool {
		var err error
		r, err = in.runs.GetRun(t.Context(), id)
		return err == nil && r.Finished()
	}, fmt.Sprintf("run %d finished", id))
	return r
}
