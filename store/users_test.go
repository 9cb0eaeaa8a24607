package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

func TestUsersAndWebSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		u := store.User{Username: "ada", PasswordHash: "h", Role: "operator"}
		if err := st.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		dup := store.User{Username: "ada", PasswordHash: "h", Role: "qa"}
		if err := st.CreateUser(ctx, &dup); err == nil {
			t.Fatal("two users named ada")
		}
		role, disabled := "admin", true
		if err := st.UpdateUser(ctx, u.ID, store.UserUpdate{Role: &role, Disabled: &disabled}); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetUserByName(ctx, "ada")
		if err != nil || got.Role != "admin" || !got.Disabled {
			t.Fatalf("got %+v, %v", got, err)
		}
		if err := st.UpdateUser(ctx, 9999, store.UserUpdate{Role: &role}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update of a missing user: %v", err)
		}
		ws := store.WebSession{TokenHash: "th", UserID: u.ID, CSRFToken: "c"}
		if err := st.CreateWebSession(ctx, &ws); err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(time.Minute)
		if err := st.TouchWebSession(ctx, "th", later); err != nil {
			t.Fatal(err)
		}
		gotWS, gotUser, err := st.GetWebSession(ctx, "th")
		if err != nil || gotUser.Username != "ada" || gotWS.CSRFToken != "c" || !gotWS.LastSeenAt.Equal(later.UTC().Truncate(time.Microsecond)) {
			t.Fatalf("web session %+v %+v %v", gotWS, gotUser, err)
		}
		if err := st.DeleteUserWebSessions(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.GetWebSession(ctx, "th"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("signed-out session: %v", err)
		}
	})
}

func TestReviewsAndTheirFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		a := newSession(t, st, "Ada", t0)
		b := newSession(t, st, "Bob", t0.Add(time.Second))
		for _, c := range []store.ReviewChange{
			{SessionID: a.ID, Verdict: "needs_review", Notes: "check tone", Author: "qa1"},
			{SessionID: a.ID, Verdict: "pass", Notes: "fine", Author: "qa2"},
		} {
			if err := st.SetReview(ctx, &c); err != nil {
				t.Fatal(err)
			}
		}
		m := store.Message{SessionID: b.ID, Direction: store.DirectionCustomer, Text: "Where is my Parcel?", Status: store.MessageSent}
		if _, err := st.AddMessage(ctx, &m); err != nil {
			t.Fatal(err)
		}
		got, _ := st.GetSession(ctx, a.ID)
		if got.Verdict != "pass" || got.ReviewNotes != "fine" || got.ReviewedBy != "qa2" || got.ReviewedAt == nil {
			t.Fatalf("review = %+v", got)
		}
		history, err := st.ListReviewChanges(ctx, a.ID)
		if err != nil || len(history) != 2 || history[0].Author != "qa1" {
			t.Fatalf("history = %+v, %v", history, err)
		}
		for verdict, want := range map[string]string{"pass": "Ada", "none": "Bob"} {
			page, _ := st.ListSessions(ctx, store.SessionFilter{Verdict: verdict})
			if len(page.Sessions) != 1 || page.Sessions[0].ContactName != want {
				t.Errorf("verdict %s: %+v", verdict, page.Sessions)
			}
		}
		page, _ := st.ListSessions(ctx, store.SessionFilter{Search: "parcel"})
		if len(page.Sessions) != 1 || page.Sessions[0].ID != b.ID {
			t.Errorf("search in message text: %+v", page.Sessions)
		}
	})
}

// TestTheLastActiveAdminStays has every admin demote or disable another at
// the same moment: however the changes interleave, one admin is left.
func TestTheLastActiveAdminStays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		for round := range 5 {
			var ids []int64
			for i := range 4 {
				u := store.User{Username: fmt.Sprintf("admin%d-%d", round, i), PasswordHash: "h", Role: "admin"}
				if err := st.CreateUser(ctx, &u); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, u.ID)
			}
			errs := make([]error, len(ids))
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, id := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					operator, disabled := "operator", true
					change := store.UserUpdate{Role: &operator}
					if i%2 == 1 {
						change = store.UserUpdate{Disabled: &disabled}
					}
					errs[i] = st.UpdateUser(ctx, id, change)
				}()
			}
			close(start)
			wg.Wait()
			refused := 0
			for _, err := range errs {
				switch {
				case errors.Is(err, store.ErrLastAdmin):
					refused++
				case err != nil:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if n := activeAdmins(t, st); n != 1 || refused != 1 {
				t.Fatalf("round %d: %d active admins left, %d changes refused; want 1 and 1", round, n, refused)
			}
			// Let the next round's admins be the only ones.
			for _, id := range ids {
				storetest.Exec(t, st, fmt.Sprintf("DELETE FROM users WHERE id = %d", id))
			}
		}
	})
}

func TestAnAdminMayBeDemotedWhileAnotherRemains(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		a := store.User{Username: "ada", PasswordHash: "h", Role: "admin"}
		b := store.User{Username: "bob", PasswordHash: "h", Role: "admin"}
		for _, u := range []*store.User{&a, &b} {
			if err := st.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		qa, disabled, enabled := "qa", true, false
		if err := st.UpdateUser(ctx, a.ID, store.UserUpdate{Disabled: &disabled}); err != nil {
			t.Fatal(err)
		}
		// A disabled admin does not count: bob is the last active one.
		if err := st.UpdateUser(ctx, b.ID, store.UserUpdate{Role: &qa}); !errors.Is(err, store.ErrLastAdmin) {
			t.Fatalf("demote the last active admin: %v", err)
		}
		if err := st.UpdateUser(ctx, a.ID, store.UserUpdate{Disabled: &enabled}); err != nil {
			t.Fatal(err)
		}
		if err := st.UpdateUser(ctx, b.ID, store.UserUpdate{Role: &qa}); err != nil {
			t.Fatalf("demote with another admin active: %v", err)
		}
	})
}

func activeAdmins(t *testing.T, st *store.Store) int {
	t.Helper()
	users, err := st.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, u := range users {
		if u.Role == "admin" && !u.Disabled {
			n++
		}
	}
	return n
}
