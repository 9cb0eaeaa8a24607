package simulator

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/internal/testkit"
)

// burst has the agent of a new session send n replies at once, so that the
// signers sign the session's tokens ahead while its one worker posts.
func burst(t *testing.T, h *harness, n int) (string, []string) {
	t.Helper()
	id, err := h.client.CreateSession(context.Background(), alvaria.NewSession{WorkTypeID: "32", ContactName: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.sim.Join(id, "Maria"); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := h.sim.AgentReply(id, alvaria.Message{Text: fmt.Sprint("reply ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	return id, eventIDs(t, h.sim, id)
}

// waitSignersIdle waits until no token is left signed and unsent: one left
// over would shrink the signers' lookahead for good.
func waitSignersIdle(t *testing.T, d *delivery) {
	t.Helper()
	waitFor(t, "the signers to have nothing signed and unsent", func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.signed == 0 && d.waiting == 0
	})
}

func TestBurstToOneSessionArrivesInOrderWithTokensSignedAhead(t *testing.T) {
	cfg := quick()
	cfg.AgentDelay = time.Hour // only the burst
	h := newHarness(t, cfg)
	const n = 300
	id, made := burst(t, h, n)
	if len(made) != n+2 {
		t.Fatalf("the simulator made %d callbacks, want %d", len(made), n+2)
	}
	waitFor(t, "the burst to be delivered", func() bool { return len(h.rcv.accepted(id)) >= len(made) })
	if got := callbackIDs(h.rcv.accepted(id)); !slices.Equal(got, made) {
		t.Fatalf("arrival order differs from the order the events were made:\n got %v\nwant %v", got, made)
	}
	jtis := map[string]bool{}
	for _, eid := range made {
		reqs := h.rcv.requests(eid)
		if len(reqs) != 1 {
			t.Errorf("event %s was sent %d times, want once", eid, len(reqs))
		}
		for _, a := range attemptsOf(h.sim, eid) {
			jti := tokenID(t, a.Token)
			if jtis[jti] {
				t.Errorf("token id %s was sent twice", jti)
			}
			jtis[jti] = true
		}
	}
	h.rcv.checkProblems(t)
	waitSignersIdle(t, h.sim.deliv)
	h.sim.deliv.mu.Lock()
	used := h.sim.deliv.usedAhead
	h.sim.deliv.mu.Unlock()
	if used == 0 {
		t.Error("no token of the burst was signed ahead")
	}
}

func TestRetriesKeepWorkingWithTokensSignedAhead(t *testing.T) {
	cfg := quick()
	cfg.AgentDelay = time.Hour
	cfg.RetryBaseDelay = 10 * time.Millisecond
	cfg.RetryMaxDelay = 20 * time.Millisecond
	h := newHarness(t, cfg)
	// Every other reply fails its first two attempts.
	var mu sync.Mutex
	failing := map[string]bool{}
	h.rcv.setFailIf(func(cb alvaria.Callback, attempt int) bool {
		mu.Lock()
		defer mu.Unlock()
		return failing[cb.CallbackEventID()] && attempt <= 2
	})
	h.sim.PauseDelivery() // so that the failing set is known before any is sent
	const n = 100
	id, made := burst(t, h, n)
	mu.Lock()
	for i, eid := range made[2:] {
		failing[eid] = i%2 == 0
	}
	mu.Unlock()
	h.sim.ResumeDelivery()

	waitFor(t, "every callback to be delivered", func() bool { return len(h.rcv.accepted(id)) >= len(made) })
	got := callbackIDs(h.rcv.accepted(id))
	slices.Sort(got)
	want := slices.Clone(made)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("delivered %d events, want each of the %d once", len(got), len(want))
	}
	// The ones that never failed still arrive in their order.
	var steady, steadyGot []string
	for _, eid := range made {
		if !failing[eid] {
			steady = append(steady, eid)
		}
	}
	for _, eid := range callbackIDs(h.rcv.accepted(id)) {
		if !failing[eid] {
			steadyGot = append(steadyGot, eid)
		}
	}
	if !slices.Equal(steadyGot, steady) {
		t.Errorf("callbacks that never failed arrived out of order")
	}
	for _, eid := range made {
		reqs := h.rcv.requests(eid)
		wantReqs := 1
		if failing[eid] {
			wantReqs = 3
		}
		if len(reqs) != wantReqs {
			t.Errorf("event %s was sent %d times, want %d", eid, len(reqs), wantReqs)
		}
		attempts := attemptsOf(h.sim, eid)
		tokens := map[string]bool{}
		for i, a := range attempts {
			wantKind := AttemptRetry
			if i == 0 {
				wantKind = AttemptFirst
			}
			if a.Kind != wantKind || a.Attempt != i+1 {
				t.Errorf("event %s attempt %d logged as %s #%d", eid, i+1, a.Kind, a.Attempt)
			}
			if tokens[a.Token] {
				t.Errorf("event %s: attempt %d sent a token already sent", eid, i+1)
			}
			tokens[a.Token] = true
		}
	}
	h.rcv.checkProblems(t)
	waitSignersIdle(t, h.sim.deliv)
}

func TestTokenSignedAheadIsSignedAgainWhenStale(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	d := &delivery{key: testkit.RSAKey(t), now: clock}
	d.init(1)
	ev := &event{id: "e-1", sessionID: "s-1", name: alvaria.EventMessage}
	token, err := d.sign(ev)
	if err != nil {
		t.Fatal(err)
	}
	signedAhead := func() *presign {
		d.signed++
		return &presign{ev: ev, state: presignDone, at: clock(), token: token}
	}

	if got := d.claim(signedAhead()); got != token {
		t.Fatalf("fresh token: claim = %q, want the token signed ahead", got)
	}
	if d.signed != 0 {
		t.Errorf("signed = %d after the claim, want 0", d.signed)
	}

	p := signedAhead()
	mu.Lock()
	now = now.Add(maxPresignedAge + time.Second)
	mu.Unlock()
	if got := d.claim(p); got != "" {
		t.Errorf("stale token: claim = %q, want none, to sign again", got)
	}
	if d.signed != 0 {
		t.Errorf("signed = %d after a stale claim, want 0", d.signed)
	}

	// Not signed yet, or being signed: the worker signs it, and a signer
	// finishing later must not count it as waiting.
	for _, state := range []presignState{presignPending, presignSigning} {
		p := &presign{ev: ev, state: state}
		if got := d.claim(p); got != "" {
			t.Errorf("state %v: claim = %q, want none", state, got)
		}
		if p.state != presignClaimed {
			t.Errorf("state %v: a claimed token is left %v, so a signer would use it too", state, p.state)
		}
	}
}

// tokenID is a callback token's jti, read without verifying.
func tokenID(t *testing.T, token string) string {
	t.Helper()
	var claims jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &claims); err != nil {
		t.Fatalf("token %q: %v", token, err)
	}
	return claims.ID
}
