package handlers_test

import (
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/simulator/simtest"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/connections"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/handlers"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/metrics"
	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/seal"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/store"
)

const password = "correct horse battery"

// app is the whole console on a real store, talking over HTTP to a real
// simulator that delivers signed callbacks back to it.
type app struct {
	URL    string
	store  *store.Store
	people *accounts.Service
	sim    *simulator.Simulator
	simURL string
	live   *live.Hub
	conns  *connections.Service
	clock  *testkit.Clock
}

func newApp(t *testing.T, st *store.Store) *app {
	t.Helper()
	var router atomic.Value
	console := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		router.Load().(http.Handler).ServeHTTP(w, r)
	}))
	t.Cleanup(console.Close)

	hub := live.NewHub()
	sim := simtest.Start(t, simulator.Config{
		CallbackURL: console.URL + "/webhooks/server-messaging",
		AgentDelay:  10 * time.Millisecond,
		Live:        hub,
	})
	reg := prometheus.NewRegistry()
	counted := metrics.New(reg)
	// The simulator is the console's built-in connection, as in parley
	// serve, with Alvaria's own retry pacing.
	box, err := seal.New(make([]byte, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	// Sign-in limits wait on this clock, which stands still unless a test
	// moves it: a slow machine must not let a throttle run out mid-test.
	clock := testkit.NewClock(time.Now())
	people := accounts.New(accounts.Config{Store: st, Live: hub, Now: clock.Now})
	if _, err := people.Bootstrap(t.Context(), "admin", password); err != nil {
		t.Fatal(err)
	}
	admin := accounts.Actor{Username: "admin"}
	for _, u := range []struct{ name, role string }{{"olive", accounts.RoleOperator}, {"quinn", accounts.RoleQA}} {
		if err := people.CreateUser(t.Context(), admin, u.name, password, u.role); err != nil {
			t.Fatal(err)
		}
	}
	conns, err := connections.New(t.Context(), connections.Config{
		Store: st, Box: box, PublicURL: console.URL, Observer: counted, Live: hub, Audit: people,
		Builtins: []connections.Builtin{{
			Slug: connections.SimulatorSlug, Name: connections.SimulatorName, Kind: connections.KindSimulator, Keys: []*rsa.PublicKey{sim.PublicKey()},
			Client: alvaria.Config{
				APIURL: sim.URL, TokenURL: sim.URL + simulator.TokenPath, OrgID: simulator.DefaultOrgID,
				ClientID: simulator.DefaultClientID, ClientSecret: simulator.DefaultClientSecret, APIKey: simulator.DefaultAPIKey,
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := conversation.New(conversation.Config{Store: st, Connections: conns, Live: hub, Connection: "simulator", Audit: people})
	tests := runs.New(runs.Config{Store: st, Conversations: svc, Live: hub, Audit: people, Finished: counted.RunFinished})
	tests.SetQueue(newRunAtOnce(t, tests))
	router.Store(http.Handler(handlers.NewRouter(handlers.Deps{
		Health: st, Sessions: svc, Runs: tests, Callbacks: svc, Connections: conns, Live: hub, Accounts: people, Connection: "simulator",
		Simulator: sim.Handler(), Desk: sim.Simulator,
		Metrics: counted, MetricsPage: metrics.Handler(reg),
	})))
	return &app{URL: console.URL, store: st, people: people, sim: sim.Simulator, simURL: sim.URL, live: hub, clock: clock, conns: conns}
}

// user is a browser without script: a cookie jar and the CSRF token that
// the pages' forms carry.
type user = testkit.Client

func (a *app) anonymous() *user { return testkit.NewClient(a.URL) }

func (a *app) signIn(t *testing.T, name string) *user {
	t.Helper()
	return testkit.SignIn(t, a.URL, name, password)
}

// startSession starts a session as u and waits for the agent to join.
func (a *app) startSession(t *testing.T, u *user) string {
	t.Helper()
	code, loc := u.Post(t, "/sessions", url.Values{"work_type_id": {"32"}, "contact_name": {"Ada"}, "integration": {"Parley"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/sessions/") {
		t.Fatalf("start session = %d %q", code, loc)
	}
	id := strings.TrimPrefix(loc, "/sessions/")
	testkit.Eventually(t, testkit.WaitTimeout, func() bool {
		s, err := a.store.GetSession(t.Context(), id)
		return err == nil && s.State == store.SessionConnected
	}, "session "+id+" connected")
	return id
}

func (a *app) auditCount(t *testing.T, action string) int {
	t.Helper()
	rows, err := a.store.ListAudit(t.Context(), store.AuditFilter{Action: action, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}
