package accounts_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

func TestAPITokensAuthenticateAuditAndRevoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc, clk := newService(t, st)
		admin := accounts.Actor{Username: "admin"}
		if _, err := svc.Bootstrap(ctx, "admin", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if err := svc.CreateUser(ctx, admin, "olive", "correct horse battery", accounts.RoleOperator); err != nil {
			t.Fatal(err)
		}
		olive := accounts.Actor{Username: "olive", Addr: "10.0.0.2"}

		if _, err := svc.CreateToken(ctx, olive, "olive", "  "); !errors.As(err, new(*input.Error)) {
			t.Fatalf("token without a label: %v", err)
		}
		if _, err := svc.CreateToken(ctx, admin, "nobody", "ci"); !errors.Is(err, accounts.ErrNotFound) {
			t.Fatalf("token for nobody: %v", err)
		}
		tok, err := svc.CreateToken(ctx, olive, "olive", "ci")
		if err != nil || !strings.HasPrefix(tok.Token, accounts.TokenPrefix) || len(tok.Token) < len(accounts.TokenPrefix)+43 || tok.Name != "ci" {
			t.Fatalf("created %+v, %v", tok, err)
		}
		row, _, err := st.GetAPIToken(ctx, tok.Token)
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the token itself is stored: %+v %v", row, err)
		}

		p, err := svc.AuthenticateToken(ctx, tok.Token, "10.0.0.9", "GET /api/v1/tests")
		if err != nil || p.Username != "olive" || p.Role != accounts.RoleOperator {
			t.Fatalf("authenticate = %+v, %v", p, err)
		}
		for _, bad := range []string{"", "parley_nope", tok.Token[len(accounts.TokenPrefix):]} {
			if _, err := svc.AuthenticateToken(ctx, bad, "", "GET /"); !errors.Is(err, accounts.ErrBadToken) {
				t.Errorf("token %q: %v", bad, err)
			}
		}
		uses, err := st.ListAudit(ctx, store.AuditFilter{Action: accounts.ActionTokenUse, Limit: -1})
		if err != nil || len(uses) != 1 || uses[0].Actor != "olive" || uses[0].ClientAddr != "10.0.0.9" ||
			uses[0].Detail != "GET /api/v1/tests" || !strings.Contains(uses[0].Target, "ci") || strings.Contains(uses[0].Target+uses[0].Detail, tok.Token) {
			t.Fatalf("token-use audit = %+v, %v", uses, err)
		}

		// Last used moves at most once a minute.
		list, _ := svc.ListTokens(ctx, "olive")
		first := list[0].LastUsedAt
		if len(list) != 1 || first == nil {
			t.Fatalf("tokens = %+v", list)
		}
		clk.Advance(30 * time.Second)
		svc.AuthenticateToken(ctx, tok.Token, "", "GET /api/v1/tests")
		if list, _ = svc.ListTokens(ctx, "olive"); !list[0].LastUsedAt.Equal(*first) {
			t.Fatalf("last used moved within the minute: %v → %v", first, list[0].LastUsedAt)
		}
		clk.Advance(time.Minute)
		svc.AuthenticateToken(ctx, tok.Token, "", "GET /api/v1/tests")
		if list, _ = svc.ListTokens(ctx, "olive"); !list[0].LastUsedAt.After(*first) {
			t.Fatalf("last used did not move after a minute: %v", list[0].LastUsedAt)
		}

		// A disabled user's tokens are refused, and work again when enabled.
		u, _ := st.GetUserByName(ctx, "olive")
		if err := svc.SetDisabled(ctx, admin, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AuthenticateToken(ctx, tok.Token, "", "GET /"); !errors.Is(err, accounts.ErrBadToken) {
			t.Fatalf("disabled user's token: %v", err)
		}
		if err := svc.SetDisabled(ctx, admin, u.ID, false); err != nil {
			t.Fatal(err)
		}

		// Only the owner revokes, and the token is refused at once.
		if err := svc.RevokeToken(ctx, admin, tok.ID); !errors.Is(err, accounts.ErrTokenNotFound) {
			t.Fatalf("admin revoked olive's token: %v", err)
		}
		if err := svc.RevokeToken(ctx, olive, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AuthenticateToken(ctx, tok.Token, "", "GET /"); !errors.Is(err, accounts.ErrBadToken) {
			t.Fatalf("revoked token: %v", err)
		}
		if list, _ = svc.ListTokens(ctx, "olive"); list[0].RevokedAt == nil {
			t.Fatalf("revoked token listed as active: %+v", list[0])
		}
		for action, want := range map[string]int{accounts.ActionTokenCreate: 1, accounts.ActionTokenRevoke: 1, accounts.ActionTokenUse: 5} {
			if n := auditCount(t, st, action); n != want {
				t.Errorf("%s entries = %d, want %d", action, n, want)
			}
		}
	})
}

// A token's label is shown on pages and in the audit trail; one a text
// column cannot hold, or with control characters, is refused as input, not
// answered 500 by Postgres.
func TestATokenLabelMustBePlainText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc, _ := newService(t, st)
		if _, err := svc.Bootstrap(ctx, "admin", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		admin := accounts.Actor{Username: "admin"}
		for _, label := range []string{"ci\x00", "ci\xff", "ci\x1b[31m", "two\nlines"} {
			if _, err := svc.CreateToken(ctx, admin, "admin", label); !errors.As(err, new(*input.Error)) {
				t.Errorf("label %q: %v", label, err)
			}
		}
		if _, err := svc.CreateToken(ctx, admin, "admin", "GitHub Actions · prod ✓"); err != nil {
			t.Errorf("an ordinary label: %v", err)
		}
	})
}
