package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

func TestUsersAndWebSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		u := store.User{Username: "ada", PasswordHash: "h", Role: store.RoleOperator}
		if err := st.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		dup := store.User{Username: "ada", PasswordHash: "h", Role: store.RoleQA}
		if err := st.CreateUser(ctx, &dup); err == nil {
			t.Fatal("two users named ada")
		}
		role, disabled := store.RoleAdmin, true
		if err := st.UpdateUser(ctx, u.ID, store.UserUpdate{Role: &role, Disabled: &disabled}); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetUserByName(ctx, "ada")
		if err != nil || got.Role != store.RoleAdmin || !got.Disabled {
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
			{SessionID: a.ID, Verdict: store.VerdictNeedsReview, Notes: "check tone", Author: "qa1"},
			{SessionID: a.ID, Verdict: store.VerdictPass, Notes: "fine", Author: "qa2"},
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
		if got.Verdict != store.VerdictPass || got.ReviewNotes != "fine" || got.ReviewedBy != "qa2" || got.ReviewedAt == nil {
			t.Fatalf("review = %+v", got)
		}
		history, err := st.ListReviewChanges(ctx, a.ID)
		if err != nil || len(history) != 2 || history[0].Author != "qa1" {
			t.Fatalf("history = %+v, %v", history, err)
		}
		for verdict, want := range map[string]string{store.VerdictPass: "Ada", "none": "Bob"} {
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
