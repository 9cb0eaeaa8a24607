package simulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/internal/testkit"
)

// waitTimeout is how long a test waits for something to happen.
const waitTimeout = testkit.WaitTimeout

// received is one callback request as the receiver saw it.
type received struct {
	at      time.Time
	eventID string
	cb      alvaria.Callback
	status  int // what the receiver answered
}

// receiver is a webhook that verifies every callback's JWT and records what
// it parsed. failIf, when set, makes it answer 500 to the attempts it picks.
type receiver struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	verifier  *alvaria.Verifier
	failIf    func(cb alvaria.Callback, attempt int) bool
	all       []received
	bySession map[string][]int // indexes into all
	attempts  map[string]int
	problems  []string
}

func (r *receiver) setFailIf(f func(cb alvaria.Callback, attempt int) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failIf = f
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	fail := func(format string, args ...any) {
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
		w.WriteHeader(http.StatusBadRequest)
	}
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
		fail("%s with Content-Type %q", req.Method, req.Header.Get("Content-Type"))
		return
	}
	if r.verifier == nil {
		fail("callback before the verifier was set")
		return
	}
	claims, err := r.verifier.Verify(req.Header.Get("Authorization"))
	if err != nil {
		fail("verify: %v", err)
		return
	}
	cb, err := alvaria.ParseCallback(body)
	if err != nil {
		fail("parse %s: %v", body, err)
		return
	}
	if claims.EventID != cb.CallbackEventID() {
		fail("token eventId %q, body eventId %q", claims.EventID, cb.CallbackEventID())
		return
	}
	if claims.ExpiresAt == nil || claims.IssuedAt == nil {
		fail("token without iat or exp")
		return
	}
	r.attempts[cb.CallbackEventID()]++
	status := http.StatusOK
	if r.failIf != nil && r.failIf(cb, r.attempts[cb.CallbackEventID()]) {
		status = http.StatusInternalServerError
	}
	r.bySession[cb.CallbackSessionID()] = append(r.bySession[cb.CallbackSessionID()], len(r.all))
	r.all = append(r.all, received{at: time.Now(), eventID: cb.CallbackEventID(), cb: cb, status: status})
	w.WriteHeader(status)
}

// accepted returns the callbacks of a session that were answered 200, in
// arrival order, each event once as a receiver deduplicating by eventId
// would keep it.
func (r *receiver) accepted(sessionID string) []alvaria.Callback {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []alvaria.Callback
	seen := map[string]bool{}
	for _, i := range r.bySession[sessionID] {
		if x := r.all[i]; x.status == http.StatusOK && !seen[x.eventID] {
			seen[x.eventID] = true
			out = append(out, x.cb)
		}
	}
	return out
}

// count is the number of callback requests received, accepted or not.
func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.all)
}

// requests returns every callback request of an event, accepted or not.
func (r *receiver) requests(eventID string) []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []received
	for _, x := range r.all {
		if x.eventID == eventID {
			out = append(out, x)
		}
	}
	return out
}

func (r *receiver) checkProblems(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.problems {
		t.Errorf("receiver: %s", p)
	}
}

// waitEvents waits until the session's accepted callbacks number at least
// len(want), then checks that they start with the events named in want.
func (r *receiver) waitEvents(t *testing.T, sessionID string, want ...string) []alvaria.Callback {
	t.Helper()
	var got []alvaria.Callback
	waitFor(t, fmt.Sprintf("callbacks %v for session %s", want, sessionID), func() bool {
		got = r.accepted(sessionID)
		return len(got) >= len(want)
	})
	if names := eventNames(got[:len(want)]); strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("callbacks of session %s = %v, want %v first", sessionID, eventNames(got), want)
	}
	return got
}

func eventNames(cbs []alvaria.Callback) []string {
	out := make([]string, len(cbs))
	for i, cb := range cbs {
		out[i] = cb.CallbackEvent()
	}
	return out
}

// waitFor waits until cond holds or waitTimeout passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testkit.Eventually(t, waitTimeout, cond, what)
}

// harness is a simulator mounted under /sim on a test server, a receiver
// for its callbacks, and an alvaria client pointed at it.
type harness struct {
	sim    *Simulator
	srv    *httptest.Server
	rcv    *receiver
	client *alvaria.Client
	base   string // the simulator's base URL, prefix included
}

// quick returns a Config with fast agents and retries for tests.
func quick() Config {
	return Config{AgentDelay: 10 * time.Millisecond, RetryBaseDelay: 20 * time.Millisecond}
}

func newHarness(t testing.TB, cfg Config) *harness {
	t.Helper()
	tt, _ := t.(*testing.T)
	rcv := &receiver{t: tt, attempts: map[string]int{}, bySession: map[string][]int{}}
	rcv.srv = httptest.NewServer(http.HandlerFunc(rcv.serve))
	t.Cleanup(rcv.srv.Close)

	if cfg.CallbackURL == "" {
		cfg.CallbackURL = rcv.srv.URL + "/webhooks/server-messaging"
	}
	if cfg.SigningKey == nil {
		cfg.SigningKey = testkit.RSAKey(t)
	}
	if cfg.Rand == nil {
		// A fixed seed, so a run with injected faults can be repeated.
		cfg.Rand = rand.New(rand.NewPCG(12, 34))
	}
	sim, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The receiver's clock is the simulator's, as a real receiver's agrees
	// with Alvaria's: the verifier refuses tokens issued in its future.
	v, err := alvaria.NewVerifier(alvaria.VerifierConfig{PublicKey: sim.PublicKey(), Issuer: Issuer, Now: cfg.Now})
	if err != nil {
		t.Fatal(err)
	}
	rcv.mu.Lock()
	rcv.verifier = v
	rcv.mu.Unlock()

	mux := http.NewServeMux()
	mux.Handle("/sim/", http.StripPrefix("/sim", sim.Handler()))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { sim.Close() })

	h := &harness{sim: sim, srv: srv, rcv: rcv, base: srv.URL + "/sim"}
	h.client = h.newClient(t, cfg)
	if tt != nil {
		t.Cleanup(func() { rcv.checkProblems(tt) })
	}
	return h
}

func (h *harness) newClient(t testing.TB, cfg Config) *alvaria.Client {
	t.Helper()
	cfg = cfg.withDefaults()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	t.Cleanup(tr.CloseIdleConnections)
	c, err := alvaria.NewClient(alvaria.Config{
		APIURL:       h.base,
		TokenURL:     h.base + TokenPath,
		OrgID:        cfg.OrgID,
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		APIKey:       cfg.APIKey,
		HTTPClient:   &http.Client{Transport: tr, Timeout: 30 * time.Second},
		MaxAttempts:  1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// start creates a session through the client and waits for the agent's
// greeting, returning the session id and the agent's alias.
func (h *harness) start(t *testing.T) (string, string) {
	t.Helper()
	id, err := h.client.CreateSession(context.Background(), alvaria.NewSession{WorkTypeID: "32", ContactName: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	cbs := h.rcv.waitEvents(t, id, alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage)
	return id, cbs[1].(*alvaria.AgentJoinedCallback).AgentAlias
}

func (h *harness) send(t *testing.T, sessionID string, m alvaria.Message) string {
	t.Helper()
	id, err := h.client.SendMessage(context.Background(), sessionID, m)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// token fetches an access token with a raw request.
func (h *harness) token(t *testing.T) string {
	t.Helper()
	resp, body := h.do(t, http.MethodPost, TokenPath, map[string]string{
		"Content-Type":  "application/x-www-form-urlencoded",
		"Authorization": basicAuth(DefaultClientID, DefaultClientSecret),
	}, "grant_type=client_credentials&scope="+alvaria.Scope)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	var tok alvaria.TokenResponse
	mustJSON(t, body, &tok)
	return tok.AccessToken
}

// do makes a raw request to the simulator and returns the response with
// its body read.
func (h *harness) do(t *testing.T, method, path string, headers map[string]string, body string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// apiHeaders are the headers of a well-formed API call with token tok.
func apiHeaders(tok string) map[string]string {
	return map[string]string{
		"Authorization":      "Bearer " + tok,
		alvaria.HeaderAPIKey: DefaultAPIKey,
		"Content-Type":       "application/json",
	}
}

func sessionPath(org string) string {
	return "/via/v2/organizations/" + org + "/serverMessaging/session"
}

func messagePath(org string) string {
	return "/via/v2/organizations/" + org + "/serverMessaging/message"
}

func basicAuth(id, secret string) string {
	req, _ := http.NewRequest(http.MethodGet, "http://x", nil)
	req.SetBasicAuth(id, secret)
	return req.Header.Get("Authorization")
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}
