package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

var t0 = time.Date(2026, 11, 24, 9, 0, 0, 123456000, time.UTC)

func newSession(t *testing.T, st *store.Store, contact string, created time.Time) store.Session {
	t.Helper()
	s := store.Session{AlvariaSessionID: "alv-" + contact, WorkTypeID: "32", ContactName: contact, State: store.SessionPending, CreatedAt: created}
	if err := st.CreateSession(t.Context(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSessionRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newSession(t, st, "Ada", t0)
		got, err := st.GetSession(t.Context(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.CreatedAt.Equal(t0) || got.ContactName != "Ada" || got.State != store.SessionPending || got.EndedAt != nil {
			t.Fatalf("got %+v", got)
		}
		byAlv, err := st.SessionsByAlvariaIDs(t.Context(), []string{"alv-Ada", "", "alv-nobody", "alv-Ada"})
		if err != nil || len(byAlv) != 1 || byAlv["alv-Ada"].ID != s.ID {
			t.Fatalf("by alvaria id: %v %v", byAlv, err)
		}
		if _, err := st.GetSession(t.Context(), "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing session: %v", err)
		}
	})
}

func TestAlvariaSessionIDIsUnique(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		newSession(t, st, "Ada", t0)
		dup := store.Session{AlvariaSessionID: "alv-Ada", State: store.SessionPending}
		if err := st.CreateSession(t.Context(), &dup); err == nil {
			t.Fatal("a second session with the same Alvaria sessionId was stored")
		}
		// Sessions whose Alvaria id is not known yet do not collide.
		for range 2 {
			s := store.Session{State: store.SessionPending}
			if err := st.CreateSession(t.Context(), &s); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestUpdateSessionNeverRevivesAnEndedSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newSession(t, st, "Ada", t0)
		ctx := t.Context()
		ended := t0.Add(time.Minute)
		state := store.SessionEnded
		if err := st.UpdateSession(ctx, s.ID, store.SessionUpdate{State: &state, EndedAt: &ended, LastActivityAt: ended}); err != nil {
			t.Fatal(err)
		}
		connected, alias := store.SessionConnected, "Sam"
		later := t0.Add(2 * time.Minute)
		if err := st.UpdateSession(ctx, s.ID, store.SessionUpdate{State: &connected, AgentAlias: &alias, LastActivityAt: later}); err != nil {
			t.Fatal(err)
		}
		got, _ := st.GetSession(ctx, s.ID)
		if got.State != store.SessionEnded || got.AgentAlias != "" || got.EndedAt == nil || !got.EndedAt.Equal(ended) {
			t.Fatalf("ended session changed: %+v", got)
		}
		if !got.LastActivityAt.Equal(later) {
			t.Fatalf("last activity = %v, want %v", got.LastActivityAt, later)
		}
		if got.Seq != 2 {
			t.Fatalf("seq = %d, want 2", got.Seq)
		}
		if err := st.UpdateSession(ctx, "nope", store.SessionUpdate{State: &state}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update of a missing session: %v", err)
		}
	})
}

func TestListSessionsPagesWithoutGapsOrRepeats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		// Pairs share a creation time so the id breaks the tie.
		want := map[string]bool{}
		for i := range 25 {
			s := newSession(t, st, fmt.Sprintf("c%02d", i), t0.Add(time.Duration(i/2)*time.Second))
			want[s.ID] = true
		}
		seen := map[string]bool{}
		var prev *store.Session
		var after *store.SessionCursor
		pages := 0
		for {
			page, err := st.ListSessions(t.Context(), store.SessionFilter{Limit: 10, After: after})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, s := range page.Sessions {
				if seen[s.ID] {
					t.Fatalf("session %s listed twice", s.ID)
				}
				seen[s.ID] = true
				if prev != nil && (s.CreatedAt.After(prev.CreatedAt) || s.CreatedAt.Equal(prev.CreatedAt) && s.ID > prev.ID) {
					t.Fatalf("not newest first: %v %s after %v %s", s.CreatedAt, s.ID, prev.CreatedAt, prev.ID)
				}
				prev = &s
			}
			if page.Next == nil {
				break
			}
			// The cursor goes through a URL and back.
			if after, err = store.ParseSessionCursor(page.Next.String()); err != nil {
				t.Fatal(err)
			}
		}
		if len(seen) != len(want) || pages != 3 {
			t.Fatalf("saw %d sessions in %d pages, want %d in 3", len(seen), pages, len(want))
		}
	})
}

func TestListSessionsFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		ada := newSession(t, st, "Ada Lovelace", t0)
		newSession(t, st, "Grace 100%_sure", t0.Add(24*time.Hour))
		newSession(t, st, "Alan", t0.Add(48*time.Hour))
		ended, byOlive, wt, agent := store.SessionEnded, "olive", "45", "Rita"
		if err := st.UpdateSession(ctx, ada.ID, store.SessionUpdate{State: &ended, EndedBy: &byOlive, WorkTypeID: &wt, AgentAlias: &agent}); err != nil {
			t.Fatal(err)
		}
		failed := store.Message{SessionID: ada.ID, Direction: store.DirectionCustomer, Text: "lost", Status: store.MessageFailed, CreatedAt: t0}
		if _, err := st.AddMessage(ctx, &failed); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			f    store.SessionFilter
			want []string
		}{
			{"all", store.SessionFilter{}, []string{"Alan", "Grace 100%_sure", "Ada Lovelace"}},
			{"state", store.SessionFilter{States: []string{store.SessionEnded}}, []string{"Ada Lovelace"}},
			{"search is case-insensitive", store.SessionFilter{Search: "lovelace"}, []string{"Ada Lovelace"}},
			{"search by alvaria id", store.SessionFilter{Search: "alv-Alan"}, []string{"Alan"}},
			{"search by parley id", store.SessionFilter{Search: ada.ID}, []string{"Ada Lovelace"}},
			{"search wildcards are literal", store.SessionFilter{Search: "%_"}, []string{"Grace 100%_sure"}},
			{"search underscore alone", store.SessionFilter{Search: "_"}, []string{"Grace 100%_sure"}},
			{"from inclusive", store.SessionFilter{CreatedFrom: t0.Add(24 * time.Hour)}, []string{"Alan", "Grace 100%_sure"}},
			{"to exclusive", store.SessionFilter{CreatedTo: t0.Add(24 * time.Hour)}, []string{"Ada Lovelace"}},
			{"work type", store.SessionFilter{WorkTypeID: "45"}, []string{"Ada Lovelace"}},
			{"agent", store.SessionFilter{AgentAlias: "Rita"}, []string{"Ada Lovelace"}},
			{"ended by", store.SessionFilter{EndedBy: "olive"}, []string{"Ada Lovelace"}},
			{"started by", store.SessionFilter{StartedBy: "nobody"}, nil},
			{"has failed messages", store.SessionFilter{HasFailed: true}, []string{"Ada Lovelace"}},
			{"has failed messages and a search", store.SessionFilter{HasFailed: true, Search: "a"}, []string{"Ada Lovelace"}},
			{"has failed messages and a long search", store.SessionFilter{HasFailed: true, Search: "lovelace"}, []string{"Ada Lovelace"}},
			{"a filter and a search that disagree", store.SessionFilter{WorkTypeID: "45", Search: "Alan"}, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				page, err := st.ListSessions(ctx, c.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, s := range page.Sessions {
					got = append(got, s.ContactName)
				}
				if fmt.Sprint(got) != fmt.Sprint(c.want) {
					t.Errorf("%s: got %q, want %q", c.name, got, c.want)
				}
			})
		}
		active, err := st.ListSessionsActiveSince(ctx, t0.Add(time.Hour), 10)
		if err != nil || len(active) != 2 {
			t.Fatalf("active since: %d %v", len(active), err)
		}
		byID, err := st.ListSessionsByID(ctx, []string{ada.ID, active[0].ID, "gone"})
		if err != nil || len(byID) != 2 || byID[0].ID != active[0].ID || byID[1].ID != ada.ID {
			t.Fatalf("by id: %+v %v", byID, err)
		}
	})
}

func TestParseSessionCursorRejectsGarbage(t *testing.T) {
	for _, bad := range []string{"garbage!", "", "YWJj", store.SessionCursor{ID: ""}.String()} {
		if _, err := store.ParseSessionCursor(bad); err == nil {
			t.Errorf("cursor %q accepted", bad)
		}
	}
}

// The list scans its rows by hand; they must read as GetSession reads them.
func TestListSessionsReadsEveryField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		s := newSession(t, st, "Ada", t0)
		ended, detail, agent := store.SessionEnded, "bye", "Lucia"
		end := t0.Add(time.Hour)
		by := "ada"
		if err := st.UpdateSession(ctx, s.ID, store.SessionUpdate{State: &ended, StateDetail: &detail, AgentAlias: &agent, EndedAt: &end, EndedBy: &by, LastActivityAt: end}); err != nil {
			t.Fatal(err)
		}
		// The review's fields and time, read by hand on both engines (on
		// Postgres through pgx itself), must read as GORM reads them.
		if err := st.SetReview(ctx, &store.ReviewChange{SessionID: s.ID, Verdict: "pass", Notes: "fine <b>", Author: "qa", At: t0.Add(2 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		want, err := st.GetSession(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		page, err := st.ListSessions(ctx, store.SessionFilter{})
		if err != nil || len(page.Sessions) != 1 {
			t.Fatalf("list: %d sessions, %v", len(page.Sessions), err)
		}
		if got := page.Sessions[0]; fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) || !got.CreatedAt.Equal(want.CreatedAt) || !got.EndedAt.Equal(*want.EndedAt) ||
			got.ReviewedAt == nil || !got.ReviewedAt.Equal(*want.ReviewedAt) || got.Verdict != "pass" || got.EndedBy != "ada" {
			t.Fatalf("listed %+v\nwant   %+v", got, want)
		}
	})
}
