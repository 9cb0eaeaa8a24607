package handlers_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/handlers"
	"github.com/parley-dev/parley/live"
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
	live   *live.Hub
}

func newApp(t *testing.T, st *store.Store) *app {
	t.Helper()
	var router atomic.Value
	console := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		router.Load().(http.Handler).ServeHTTP(w, r)
	}))
	t.Cleanup(console.Close)

	hub := live.NewHub()
	sim, err := simulator.New(simulator.Config{
		CallbackURL: console.URL + "/webhooks/server-messaging",
		SigningKey:  testKey(t),
		AgentDelay:  10 * time.Millisecond,
		Live:        hub,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	simSrv := httptest.NewServer(sim.Handler())
	t.Cleanup(simSrv.Close)

	client, err := alvaria.NewClient(alvaria.Config{
		APIURL: simSrv.URL, TokenURL: simSrv.URL + "/tokenservice/oauth2/access_token",
		OrgID: "demo", ClientID: "parley", ClientSecret: "parley-secret", APIKey: "parley-api-key",
	})
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := alvaria.NewVerifier(alvaria.VerifierConfig{PublicKey: sim.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	people := accounts.New(accounts.Config{Store: st, Live: hub})
	if _, err := people.Bootstrap(t.Context(), "admin", password); err != nil {
		t.Fatal(err)
	}
	admin := accounts.Actor{Username: "admin"}
	for _, u := range []struct{ name, role string }{{"olive", accounts.RoleOperator}, {"quinn", accounts.RoleQA}} {
		if err := people.CreateUser(t.Context(), admin, u.name, password, u.role); err != nil {
			t.Fatal(err)
		}
	}
	svc := conversation.New(conversation.Config{Store: st, Alvaria: client, Live: hub, Connection: "simulator", Audit: people})
	router.Store(http.Handler(handlers.NewRouter(handlers.Deps{
		Health: st, Sessions: svc, Callbacks: svc, Verifier: verifier, Live: hub, Accounts: people, Connection: "simulator",
		Simulator: sim.Handler(), Desk: sim,
	})))
	return &app{URL: console.URL, store: st, people: people, sim: sim, live: hub}
}

// user is a browser without script: a cookie jar and the CSRF token that
// the pages' forms carry.
type user struct {
	base string
	http *http.Client
	csrf string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

func (a *app) anonymous() *user {
	jar, _ := cookiejar.New(nil)
	return &user{base: a.URL, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (a *app) signIn(t *testing.T, name string) *user {
	t.Helper()
	u := a.anonymous()
	_, page := u.get(t, "/login")
	u.csrf = field(t, page)
	if code, loc := u.post(t, "/login", url.Values{"username": {name}, "password": {password}}); code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("sign in as %s = %d %q", name, code, loc)
	}
	_, page = u.get(t, "/")
	u.csrf = field(t, page)
	return u
}

func field(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field in:\n%s", page)
	}
	return html.UnescapeString(m[1])
}

func (u *user) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := u.http.Get(u.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusSeeOther {
		return resp.StatusCode, resp.Header.Get("Location")
	}
	return resp.StatusCode, string(body)
}

func (u *user) post(t *testing.T, path string, form url.Values) (int, string) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, set := form["csrf"]; !set {
		form.Set("csrf", u.csrf)
	}
	resp, err := u.http.Post(u.base+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusSeeOther {
		return resp.StatusCode, resp.Header.Get("Location")
	}
	return resp.StatusCode, string(body)
}

// startSession starts a session as u and waits for the agent to join.
func (a *app) startSession(t *testing.T, u *user) string {
	t.Helper()
	code, loc := u.post(t, "/sessions", url.Values{"work_type_id": {"32"}, "contact_name": {"Ada"}, "integration": {"Parley"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/sessions/") {
		t.Fatalf("start session = %d %q", code, loc)
	}
	id := strings.TrimPrefix(loc, "/sessions/")
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := a.store.GetSession(t.Context(), id)
		if err == nil && s.State == store.SessionConnected {
			return id
		}
		if time.Now().After(deadline) {
			t.Fatalf("session %s not connected: %+v %v", id, s, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (a *app) auditCount(t *testing.T, action string) int {
	t.Helper()
	rows, err := a.store.ListAudit(t.Context(), store.AuditFilter{Action: action, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}
