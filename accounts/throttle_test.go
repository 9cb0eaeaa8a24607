package accounts_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// countingService is a service whose password checks are counted.
func countingService(t *testing.T, st *store.Store) (*accounts.Service, *testkit.Clock, *atomic.Int64) {
	t.Helper()
	c := testkit.NewClock(time.Now())
	var checks atomic.Int64
	svc := accounts.New(accounts.Config{Store: st, Now: c.Now, ComparePassword: func(hash, password []byte) error {
		checks.Add(1)
		return bcrypt.CompareHashAndPassword(hash, password)
	}})
	if _, err := svc.Bootstrap(t.Context(), "admin", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	return svc, c, &checks
}

// guessInParallel runs n guesses at once and waits for all of them.
func guessInParallel(n int, guess func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = guess(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// wantThreeRefusedRestThrottled checks the answers to parallel guesses: the
// first three are checked and refused, every other one is throttled.
func wantThreeRefusedRestThrottled(t *testing.T, errs []error, refused func(error) bool) {
	t.Helper()
	var throttled *accounts.ThrottledError
	bad, slowed := 0, 0
	for _, err := range errs {
		switch {
		case refused(err):
			bad++
		case errors.As(err, &throttled):
			slowed++
		default:
			t.Errorf("unexpected answer: %v", err)
		}
	}
	if bad != 3 || slowed != len(errs)-3 {
		t.Fatalf("%d refused, %d throttled; want 3 and %d", bad, slowed, len(errs)-3)
	}
}

func TestParallelGuessesAreCountedBeforeTheCheck(t *testing.T) {
	st := storetest.SQLite(t)
	svc, _, checks := countingService(t, st)
	errs := guessInParallel(100, func(i int) error {
		_, err := svc.SignIn(t.Context(), "admin", fmt.Sprintf("guess %d", i), "10.0.0.9")
		return err
	})
	if n := checks.Load(); n != 3 {
		t.Fatalf("100 parallel guesses ran %d password checks, want 3", n)
	}
	wantThreeRefusedRestThrottled(t, errs, func(err error) bool { return errors.Is(err, accounts.ErrBadCredentials) })
	if n := auditCount(t, st, accounts.ActionSignInFailed); n != 100 {
		t.Fatalf("sign-in-failed entries = %d, want 100", n)
	}
}

func TestParallelCurrentPasswordGuessesAreCountedAndAudited(t *testing.T) {
	st := storetest.SQLite(t)
	svc, _, checks := countingService(t, st)
	in, err := svc.SignIn(t.Context(), "admin", "correct horse battery", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	checks.Store(0)
	me := accounts.Actor{Username: "admin", Addr: "10.0.0.1"}
	errs := guessInParallel(100, func(i int) error {
		return svc.ChangeOwnPassword(t.Context(), me, in.Token, fmt.Sprintf("guess %d", i), "a brand new password")
	})
	if n := checks.Load(); n != 3 {
		t.Fatalf("100 parallel current-password guesses ran %d checks, want 3", n)
	}
	wantThreeRefusedRestThrottled(t, errs, func(err error) bool {
		var in *input.Error
		return errors.As(err, &in) && in.Fields["current"] != ""
	})
	if n := auditCount(t, st, accounts.ActionPasswordChangeFailed); n != 100 {
		t.Fatalf("password-change-failed entries = %d, want 100", n)
	}
	// The guesses were from this address: the right password waits too.
	var throttled *accounts.ThrottledError
	if err := svc.ChangeOwnPassword(t.Context(), me, in.Token, "correct horse battery", "a brand new password"); !errors.As(err, &throttled) {
		t.Fatalf("right password right after the guesses: %v", err)
	}
}

func TestManyAddressesCannotLockTheAdminOut(t *testing.T) {
	st := storetest.SQLite(t)
	svc, clk, _ := countingService(t, st)
	ctx := t.Context()
	// An attacker guesses from 40 addresses until each is throttled.
	for a := range 40 {
		for range 5 {
			svc.SignIn(ctx, "admin", "guess", fmt.Sprintf("198.51.100.%d", a))
		}
	}
	var throttled *accounts.ThrottledError
	if _, err := svc.SignIn(ctx, "admin", "correct horse battery", "198.51.100.7"); !errors.As(err, &throttled) {
		t.Fatalf("an attacking address is not throttled: %v", err)
	}
	// The admin, from an address with no failures, is not slowed at all.
	if _, err := svc.SignIn(ctx, "admin", "correct horse battery", "10.0.0.1"); err != nil {
		t.Fatalf("the admin from a clean address: %v", err)
	}
	// After a typo, the admin's address shares the attack's per-user pace,
	// which is capped small: a wait, never a lock-out.
	if _, err := svc.SignIn(ctx, "admin", "typo", "10.0.0.2"); !errors.Is(err, accounts.ErrBadCredentials) {
		t.Fatalf("typo: %v", err)
	}
	_, err := svc.SignIn(ctx, "admin", "correct horse battery", "10.0.0.2")
	if !errors.As(err, &throttled) || throttled.Wait > time.Minute {
		t.Fatalf("after a typo during an attack: %v, want a wait of at most a minute", err)
	}
	clk.Advance(throttled.Wait)
	if _, err := svc.SignIn(ctx, "admin", "correct horse battery", "10.0.0.2"); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
}

func TestOneAddressSprayingUsersIsThrottled(t *testing.T) {
	st := storetest.SQLite(t)
	svc, _, checks := countingService(t, st)
	for i := range 30 {
		svc.SignIn(t.Context(), fmt.Sprintf("user%d", i), "guess", "198.51.100.1")
	}
	if n := checks.Load(); n != 10 {
		t.Fatalf("30 guesses at different users from one address ran %d checks, want 10", n)
	}
	if _, err := svc.SignIn(t.Context(), "admin", "correct horse battery", "10.0.0.1"); err != nil {
		t.Fatalf("another address: %v", err)
	}
}

func TestUnknownUsernamesStayOutOfTheAuditTrail(t *testing.T) {
	st := storetest.SQLite(t)
	svc, _, _ := countingService(t, st)
	// Someone types their password into the username field.
	secret := "correct horse battery"
	for range 5 {
		svc.SignIn(t.Context(), secret, "whatever", "10.0.0.1")
	}
	rows, err := st.ListAudit(t.Context(), store.AuditFilter{Action: accounts.ActionSignInFailed, Limit: -1})
	if err != nil || len(rows) != 5 {
		t.Fatalf("entries = %d, %v", len(rows), err)
	}
	for _, e := range rows {
		if e.Actor != "unknown user" || strings.Contains(e.Actor+e.Target+e.Detail, "horse") {
			t.Errorf("entry %+v records the typed username", e)
		}
	}
}
