package handlers_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/store/storetest"
)

// A callback JWT in the delivery log is live: whoever holds it can replay
// its callback. Operators and admins, who play the agent, see it whole;
// other roles see it without its signature.
func TestDeliveryLogShowsLiveTokensOnlyToOperatorsAndAdmins(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	a.startSession(t, admin)
	waitUntil(t, "a delivered callback", func() bool { return len(a.sim.Deliveries()) > 0 })
	var tokens []string
	for _, d := range a.sim.Deliveries() {
		tokens = append(tokens, d.Token)
	}
	signature := func(tok string) string { return tok[strings.LastIndex(tok, ".")+1:] }

	for _, tt := range []struct {
		name string
		full bool
	}{{"admin", true}, {"olive", true}, {"quinn", false}} {
		t.Run(tt.name, func(t *testing.T) {
			u := a.signIn(t, tt.name)
			code, body := u.Get(t, "/sim"+simulator.DeliveriesPath)
			if code != http.StatusOK {
				t.Fatalf("delivery log JSON = %d", code)
			}
			var log []simulator.DeliveryAttempt
			if err := json.Unmarshal([]byte(body), &log); err != nil || len(log) == 0 {
				t.Fatalf("delivery log JSON %q: %v", body, err)
			}
			for _, d := range log {
				header, rest, _ := strings.Cut(d.Token, ".")
				if header == "" || rest == "" {
					t.Fatalf("token %q lost its header and claims", d.Token)
				}
				if whole := strings.Count(d.Token, ".") == 2 && len(signature(d.Token)) > 40; whole != tt.full {
					t.Errorf("token of %s attempt %d: whole = %v, want %v", d.Event, d.Attempt, whole, tt.full)
				}
			}
			code, page := u.Get(t, "/sim/deliveries")
			if code != http.StatusOK {
				t.Fatalf("deliveries page = %d", code)
			}
			if hint := "only operators and admins see tokens whole"; strings.Contains(page, hint) == tt.full {
				t.Errorf("page says %q: %v, want %v", hint, !tt.full, tt.full)
			}
			for _, tok := range tokens {
				if strings.Contains(page, signature(tok)) != tt.full {
					t.Errorf("page shows a token's signature: %v, want %v", !tt.full, tt.full)
				}
			}
		})
	}
}
