package accounts_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// A token used in a loop is refused before it is looked up or audited, and
// may be used again in the next minute.
func TestATokenUsedTooOftenIsThrottledBeforeItIsAudited(t *testing.T) {
	st := storetest.SQLite(t)
	clock := testkit.NewClock(time.Now())
	svc := accounts.New(accounts.Config{Store: st, Now: clock.Now})
	if _, err := svc.Bootstrap(t.Context(), "admin", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	tok, err := svc.CreateToken(t.Context(), accounts.Actor{Username: "admin"}, "admin", "ci")
	if err != nil {
		t.Fatal(err)
	}
	var throttled *accounts.ThrottledError
	allowed := 0
	for range 400 {
		_, err := svc.AuthenticateToken(t.Context(), tok.Token, "10.0.0.1", "GET /api/v1/tests")
		if errors.As(err, &throttled) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		allowed++
	}
	if throttled == nil || allowed >= 400 || !strings.Contains(throttled.Error(), "used too often") {
		t.Fatalf("after %d uses: %v", allowed, throttled)
	}
	audited, err := st.ListAudit(t.Context(), store.AuditFilter{Action: accounts.ActionTokenUse, Limit: -1})
	if err != nil || len(audited) != allowed {
		t.Fatalf("%d uses audited for %d allowed, %v", len(audited), allowed, err)
	}
	clock.Advance(time.Minute)
	if _, err := svc.AuthenticateToken(t.Context(), tok.Token, "10.0.0.1", "GET /api/v1/tests"); err != nil {
		t.Fatalf("a minute later: %v", err)
	}
}
