package accounts_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

func newService(t *testing.T, st *store.Store) (*accounts.Service, *testkit.Clock) {
	c := testkit.NewClock(time.Now())
	return accounts.New(accounts.Config{Store: st, Now: c.Now, IdleTimeout: time.Hour, AbsoluteTimeout: 3 * time.Hour}), c
}

func auditCount(t *testing.T, st *store.Store, action string) int {
	t.Helper()
	rows, err := st.ListAudit(t.Context(), store.AuditFilter{Action: action, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

func TestBootstrapCreatesOneAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, _ := newService(t, st)
		generated, err := svc.Bootstrap(t.Context(), "admin", "")
		if err != nil || len(generated) < 20 {
			t.Fatalf("generated %q, %v", generated, err)
		}
		again, err := svc.Bootstrap(t.Context(), "admin", "")
		if err != nil || again != "" {
			t.Fatalf("second bootstrap made a password %q, %v", again, err)
		}
		in, err := svc.SignIn(t.Context(), "admin", generated, "10.0.0.1")
		if err != nil || in.User.Role != accounts.RoleAdmin || in.Token == "" || in.CSRFToken == "" {
			t.Fatalf("sign in with the generated password: %+v %v", in, err)
		}
		if n := auditCount(t, st, accounts.ActionUserCreate); n != 1 {
			t.Fatalf("user-create entries = %d", n)
		}
	})
}

func TestSignInOutAndTimeouts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc, clk := newService(t, st)
		if _, err := svc.Bootstrap(ctx, "admin", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SignIn(ctx, "admin", "wrong password", "10.0.0.1"); !errors.Is(err, accounts.ErrBadCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
		if _, err := svc.SignIn(ctx, "nobody", "whatever123", "10.0.0.1"); !errors.Is(err, accounts.ErrBadCredentials) {
			t.Fatalf("unknown user: %v", err)
		}
		in, err := svc.SignIn(ctx, "admin", "correct horse battery", "10.0.0.2")
		if err != nil {
			t.Fatal(err)
		}
		p, csrf, err := svc.Authenticate(ctx, in.Token)
		if err != nil || p.Username != "admin" || csrf != in.CSRFToken {
			t.Fatalf("authenticate: %+v %q %v", p, csrf, err)
		}
		if _, _, err := svc.Authenticate(ctx, in.Token+"x"); !errors.Is(err, accounts.ErrSignedOut) {
			t.Fatalf("forged token: %v", err)
		}
		// Active within the idle timeout keeps it alive, until the absolute one.
		for range 3 {
			clk.Advance(50 * time.Minute)
			if _, _, err := svc.Authenticate(ctx, in.Token); err != nil {
				t.Fatalf("active session signed out: %v", err)
			}
		}
		clk.Advance(50 * time.Minute)
		if _, _, err := svc.Authenticate(ctx, in.Token); !errors.Is(err, accounts.ErrSignedOut) {
			t.Fatalf("past the absolute timeout: %v", err)
		}
		idle, _ := svc.SignIn(ctx, "admin", "correct horse battery", "10.0.0.2")
		clk.Advance(61 * time.Minute)
		if _, _, err := svc.Authenticate(ctx, idle.Token); !errors.Is(err, accounts.ErrSignedOut) {
			t.Fatalf("idle session: %v", err)
		}
		out, _ := svc.SignIn(ctx, "admin", "correct horse battery", "10.0.0.2")
		if err := svc.SignOut(ctx, out.Token, accounts.Actor{Username: "admin"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Authenticate(ctx, out.Token); !errors.Is(err, accounts.ErrSignedOut) {
			t.Fatalf("signed out token: %v", err)
		}
		for action, want := range map[string]int{accounts.ActionSignIn: 3, accounts.ActionSignInFailed: 2, accounts.ActionSignOut: 1} {
			if n := auditCount(t, st, action); n != want {
				t.Errorf("%s entries = %d, want %d", action, n, want)
			}
		}
	})
}

func TestFailedSignInsAreSlowed(t *testing.T) {
	st := storetest.SQLite(t)
	svc, clk := newService(t, st)
	ctx := t.Context()
	if _, err := svc.Bootstrap(ctx, "admin", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		svc.SignIn(ctx, "admin", "guess", "10.0.0.9")
	}
	_, err := svc.SignIn(ctx, "admin", "correct horse battery", "10.0.0.9")
	var throttled *accounts.ThrottledError
	if !errors.As(err, &throttled) {
		t.Fatalf("fifth try right after four failures: %v", err)
	}
	// Another address is not: guesses from one place never lock the
	// user out everywhere.
	if _, err := svc.SignIn(ctx, "admin", "correct horse battery", "10.0.0.10"); err != nil {
		t.Fatalf("same user from a clean address: %v", err)
	}
	clk.Advance(throttled.Wait + time.Second)
	if _, err := svc.SignIn(ctx, "admin", "correct horse battery", "10.0.0.9"); err != nil {
		t.Fatalf("after waiting: %v", err)
	}
}

func TestUserManagement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc, _ := newService(t, st)
		admin := accounts.Actor{Username: "admin", Addr: "10.0.0.1"}
		if _, err := svc.Bootstrap(ctx, "admin", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		var input *input.Error
		if err := svc.CreateUser(ctx, admin, "x", "short", "boss"); !errors.As(err, &input) || len(input.Fields) != 3 {
			t.Fatalf("bad user: %v", err)
		}
		if err := svc.CreateUser(ctx, admin, "quinn", "quality first", accounts.RoleQA); err != nil {
			t.Fatal(err)
		}
		if err := svc.CreateUser(ctx, admin, "quinn", "quality first", accounts.RoleQA); !errors.As(err, &input) {
			t.Fatalf("duplicate: %v", err)
		}
		u, _ := st.GetUserByName(ctx, "quinn")
		in, err := svc.SignIn(ctx, "quinn", "quality first", "10.0.0.3")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SetRole(ctx, admin, u.ID, accounts.RoleOperator); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetDisabled(ctx, admin, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Authenticate(ctx, in.Token); !errors.Is(err, accounts.ErrSignedOut) {
			t.Fatalf("disabled user still signed in: %v", err)
		}
		if _, err := svc.SignIn(ctx, "quinn", "quality first", "10.0.0.4"); !errors.Is(err, accounts.ErrBadCredentials) {
			t.Fatalf("disabled user signed in: %v", err)
		}
		if err := svc.SetDisabled(ctx, admin, u.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := svc.ResetPassword(ctx, admin, u.ID, "a new long password"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SignIn(ctx, "quinn", "a new long password", "10.0.0.4"); err != nil {
			t.Fatalf("after reset: %v", err)
		}
		self, _ := st.GetUserByName(ctx, "admin")
		if err := svc.SetDisabled(ctx, admin, self.ID, true); !errors.As(err, &input) {
			t.Fatalf("admin disabled themself: %v", err)
		}
		for action, want := range map[string]int{
			accounts.ActionUserCreate: 2, accounts.ActionUserRole: 1, accounts.ActionUserDisable: 1,
			accounts.ActionUserEnable: 1, accounts.ActionUserPassword: 1,
		} {
			if n := auditCount(t, st, action); n != want {
				t.Errorf("%s entries = %d, want %d", action, n, want)
			}
		}
		page, err := svc.Audit(ctx, accounts.AuditQuery{Actor: "admin"})
		if err != nil || len(page.Entries) != 5 || page.Entries[0].Action != accounts.ActionUserPassword {
			t.Fatalf("audit page: %d entries, %v", len(page.Entries), err)
		}
		if _, err := svc.Audit(ctx, accounts.AuditQuery{From: "yesterday"}); !errors.As(err, &input) {
			t.Fatalf("bad date: %v", err)
		}
	})
}

func TestRoleMatrix(t *testing.T) {
	want := map[string][]accounts.Permission{
		accounts.RoleOperator: {accounts.Converse},
		accounts.RoleQA:       {accounts.Review, accounts.Export},
		accounts.RoleAdmin:    {accounts.Converse, accounts.Review, accounts.Export, accounts.ManageUsers},
	}
	all := []accounts.Permission{accounts.Converse, accounts.Review, accounts.Export, accounts.ManageUsers}
	for role, grants := range want {
		p := accounts.Principal{Username: "x", Role: role}
		for _, perm := range all {
			granted := false
			for _, g := range grants {
				granted = granted || g == perm
			}
			if p.Can(perm) != granted {
				t.Errorf("%s can %s = %v, want %v", role, perm, p.Can(perm), granted)
			}
		}
	}
	if (accounts.Principal{Role: "unknown"}).Can(accounts.Converse) {
		t.Error("an unknown role can converse")
	}
}

func TestChangeOwnPassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc, _ := newService(t, st)
		if _, err := svc.Bootstrap(ctx, "admin", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		here, _ := svc.SignIn(ctx, "admin", "correct horse battery", "10.0.0.1")
		there, _ := svc.SignIn(ctx, "admin", "correct horse battery", "10.0.0.2")
		me := accounts.Actor{Username: "admin", Addr: "10.0.0.1"}
		var input *input.Error
		if err := svc.ChangeOwnPassword(ctx, me, here.Token, "wrong guess!", "a brand new password"); !errors.As(err, &input) || input.Fields["current"] == "" {
			t.Fatalf("wrong current password: %v", err)
		}
		if err := svc.ChangeOwnPassword(ctx, me, here.Token, "correct horse battery", "short"); !errors.As(err, &input) || input.Fields["password"] == "" {
			t.Fatalf("short new password: %v", err)
		}
		if err := svc.ChangeOwnPassword(ctx, me, here.Token, "correct horse battery", "a brand new password"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Authenticate(ctx, here.Token); err != nil {
			t.Fatalf("this browser was signed out: %v", err)
		}
		if _, _, err := svc.Authenticate(ctx, there.Token); !errors.Is(err, accounts.ErrSignedOut) {
			t.Fatalf("the other browser stayed signed in: %v", err)
		}
		if _, err := svc.SignIn(ctx, "admin", "correct horse battery", "10.0.0.1"); !errors.Is(err, accounts.ErrBadCredentials) {
			t.Fatalf("old password still works: %v", err)
		}
		if _, err := svc.SignIn(ctx, "admin", "a brand new password", "10.0.0.1"); err != nil {
			t.Fatalf("new password: %v", err)
		}
		if n := auditCount(t, st, accounts.ActionUserPassword); n != 1 {
			t.Fatalf("password entries = %d", n)
		}
	})
}

func TestTwoAdminsDemotingEachOtherLeaveOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc, _ := newService(t, st)
		if _, err := svc.Bootstrap(ctx, "admin", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if err := svc.CreateUser(ctx, accounts.Actor{Username: "admin"}, "ada", "correct horse battery", accounts.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		admin, _ := st.GetUserByName(ctx, "admin")
		ada, _ := st.GetUserByName(ctx, "ada")
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs[0] = svc.SetRole(ctx, accounts.Actor{Username: "admin"}, ada.ID, accounts.RoleOperator)
		}()
		go func() {
			defer wg.Done()
			errs[1] = svc.SetDisabled(ctx, accounts.Actor{Username: "ada"}, admin.ID, true)
		}()
		wg.Wait()
		var input *input.Error
		refused := 0
		for _, err := range errs {
			if errors.As(err, &input) {
				refused++
			} else if err != nil {
				t.Fatal(err)
			}
		}
		users, _ := st.ListUsers(ctx)
		active := 0
		for _, u := range users {
			if u.Role == accounts.RoleAdmin && !u.Disabled {
				active++
			}
		}
		if active != 1 || refused != 1 {
			t.Fatalf("%d active admins, %d changes refused; want 1 and 1", active, refused)
		}
	})
}
