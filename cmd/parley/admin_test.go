package main

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

func TestGeneratedAdminPasswordIsShownWhateverTheLogLevel(t *testing.T) {
	db := "sqlite://" + filepath.Join(t.TempDir(), "parley.db")
	srv := startServe(t, map[string]string{"PARLEY_DATABASE_URL": db, "PARLEY_LOG_LEVEL": "error", "PARLEY_ADMIN_PASSWORD": ""})
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(srv.log.String())
	if m == nil {
		t.Fatalf("no generated password on stderr at log level error:\n%s", srv.log)
	}
	st := storetest.Open(t, db)
	svc := accounts.New(accounts.Config{Store: st})
	if _, err := svc.SignIn(t.Context(), "admin", m[1], "127.0.0.1"); err != nil {
		t.Fatalf("sign in with the printed password: %v", err)
	}
}

func TestAdminResetPassword(t *testing.T) {
	eachDatabase(t, func(t *testing.T, url string, st *store.Store) {
		ctx := t.Context()
		svc := accounts.New(accounts.Config{Store: st})
		if _, err := svc.Bootstrap(ctx, "admin", testAdminPassword); err != nil {
			t.Fatal(err)
		}
		in, err := svc.SignIn(ctx, "admin", testAdminPassword, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		if err := run(ctx, []string{"admin", "reset-password", "--user", "admin"}, envMap(map[string]string{"PARLEY_DATABASE_URL": url}), &out, &errOut); err != nil {
			t.Fatalf("reset-password: %v\n%s", err, errOut.String())
		}
		m := regexp.MustCompile(`(?m)^new password for admin: (\S+)$`).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no new password in:\n%s", out.String())
		}
		if _, err := svc.SignIn(ctx, "admin", testAdminPassword, "10.0.0.2"); !errors.Is(err, accounts.ErrBadCredentials) {
			t.Fatalf("old password: %v", err)
		}
		if _, err := svc.SignIn(ctx, "admin", m[1], "10.0.0.2"); err != nil {
			t.Fatalf("new password: %v", err)
		}
		if _, _, err := svc.Authenticate(ctx, in.Token); !errors.Is(err, accounts.ErrSignedOut) {
			t.Fatalf("a browser stayed signed in after the reset: %v", err)
		}
		rows, err := st.ListAudit(ctx, store.AuditFilter{Action: accounts.ActionUserPassword, Limit: -1})
		if err != nil || len(rows) != 1 || rows[0].Target != "admin" || !strings.Contains(rows[0].Detail, "reset-password") {
			t.Fatalf("audit = %+v, %v", rows, err)
		}

		// A disabled user is reset but stays disabled, and is told so.
		if err := svc.CreateUser(ctx, accounts.Actor{Username: "admin"}, "olive", testAdminPassword, accounts.RoleOperator); err != nil {
			t.Fatal(err)
		}
		olive, _ := st.GetUserByName(ctx, "olive")
		if err := svc.SetDisabled(ctx, accounts.Actor{Username: "admin"}, olive.ID, true); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		if err := run(ctx, []string{"admin", "reset-password", "--user", "olive"}, envMap(map[string]string{"PARLEY_DATABASE_URL": url}), &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "olive is disabled") {
			t.Fatalf("no word that olive is disabled:\n%s", out.String())
		}

		err = run(ctx, []string{"admin", "reset-password", "--user", "nobody"}, envMap(map[string]string{"PARLEY_DATABASE_URL": url}), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), `no user "nobody"`) {
			t.Fatalf("unknown user: %v", err)
		}
		if err := run(ctx, []string{"admin", "reset-password"}, envMap(map[string]string{"PARLEY_DATABASE_URL": url}), io.Discard, io.Discard); err == nil {
			t.Fatal("no --user: want an error")
		}
	})
}

// eachDatabase runs fn on a fresh SQLite file and a fresh Postgres
// database, each named by the URL the command is given.
func eachDatabase(t *testing.T, fn func(t *testing.T, url string, st *store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		url := "sqlite://" + filepath.Join(t.TempDir(), "parley.db")
		fn(t, url, storetest.Open(t, url))
	})
	t.Run("postgres", func(t *testing.T) {
		url := storetest.PostgresURL(t)
		fn(t, url, storetest.Open(t, url))
	})
}
