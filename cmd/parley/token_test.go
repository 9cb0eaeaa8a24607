package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/store"
)

func TestTokenCreatePrintsATokenThatAuthenticates(t *testing.T) {
	eachDatabase(t, func(t *testing.T, url string, st *store.Store) {
		ctx := t.Context()
		svc := accounts.New(accounts.Config{Store: st})
		if _, err := svc.Bootstrap(ctx, "admin", testAdminPassword); err != nil {
			t.Fatal(err)
		}
		env := envMap(map[string]string{"PARLEY_DATABASE_URL": url, "PARLEY_TOKEN_NAME": "ci"})
		var out, errOut bytes.Buffer
		if err := run(ctx, []string{"token", "create", "--user", "admin"}, env, &out, &errOut); err != nil {
			t.Fatalf("token create: %v", err)
		}
		token := strings.TrimSpace(out.String())
		if !strings.HasPrefix(token, accounts.TokenPrefix) || strings.Count(out.String(), "\n") != 1 || !strings.Contains(errOut.String(), "not shown again") {
			t.Fatalf("stdout %q, stderr %q: want the token alone on stdout", out.String(), errOut.String())
		}
		p, err := svc.AuthenticateToken(ctx, token, "", "GET /api/v1/tests")
		if err != nil || p.Username != "admin" || p.Role != accounts.RoleAdmin {
			t.Fatalf("the printed token: %+v, %v", p, err)
		}
		created, err := st.ListAudit(ctx, store.AuditFilter{Action: accounts.ActionTokenCreate, Limit: -1})
		if err != nil || len(created) != 1 || created[0].Actor != "parley token" || created[0].Detail != "for admin" {
			t.Fatalf("token-create audit = %+v, %v", created, err)
		}
		for _, args := range [][]string{{"token", "create", "--user", "nobody"}, {"token", "create", "--name", ""}, {"token"}, {"token", "delete"}} {
			if err := run(ctx, args, env, io.Discard, io.Discard); err == nil {
				t.Errorf("%v succeeded", args)
			}
		}
	})
}
