package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// The list's search answers from each engine's index with what the scan it
// replaced found: a word said in a message, part of a contact name, an
// Alvaria sessionId; and whatever the query holds is matched literally.
func TestSearchSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		say := func(s store.Session, dir, text string) {
			t.Helper()
			if _, err := st.AddMessage(ctx, &store.Message{SessionID: s.ID, Direction: dir, Text: text, Status: store.MessageReceived}); err != nil {
				t.Fatal(err)
			}
		}
		flight := newSession(t, st, "Ada Lovelace", t0)
		say(flight, store.DirectionCustomer, "I am flying to Zanzibar on Friday")
		quote := newSession(t, st, `Grace "Amazing" O'Hara`, t0.Add(time.Hour))
		say(quote, store.DirectionAgent, `Use the code NEAR(a b) OR x* AND "y" -- 100%_sure`)
		note := newSession(t, st, "Alan", t0.Add(2*time.Hour))
		say(note, store.DirectionSystem, "Zanzibar noted by the system only")
		renamed := newSession(t, st, "Édith Piaf", t0.Add(3*time.Hour))
		say(renamed, store.DirectionCustomer, "non, rien de rien")

		cases := []struct {
			search string
			want   []string
		}{
			{"zanzibar", []string{"Ada Lovelace"}},            // a word in a message, any case; not the system note
			{"ZANZ", []string{"Ada Lovelace"}},                // part of a word
			{"to Zanzibar on", []string{"Ada Lovelace"}},      // several words, in order
			{"Zanzibar to", nil},                              // not in that order
			{"lovelace", []string{"Ada Lovelace"}},            // a contact name
			{"alv-Alan", []string{"Alan"}},                    // an Alvaria sessionId
			{`"Amazing"`, []string{`Grace "Amazing" O'Hara`}}, // quotes are text
			{`O'Hara`, []string{`Grace "Amazing" O'Hara`}},
			{`NEAR(a b) OR x*`, []string{`Grace "Amazing" O'Hara`}}, // FTS5 syntax is text
			{`AND "y" --`, []string{`Grace "Amazing" O'Hara`}},
			{`100%_`, []string{`Grace "Amazing" O'Hara`}}, // LIKE wildcards are text
			{"%", []string{`Grace "Amazing" O'Hara`}},     // shorter than the index: scanned
			{"en", []string{"Édith Piaf"}},
			{"rien de rien", []string{"Édith Piaf"}},
			{"nobody said this", nil},
			{`"`, []string{`Grace "Amazing" O'Hara`}},
			{`""""`, nil},
		}
		for _, c := range cases {
			page, err := st.ListSessions(ctx, store.SessionFilter{Search: c.search})
			if err != nil {
				t.Fatalf("search %q: %v", c.search, err)
			}
			var got []string
			for _, s := range page.Sessions {
				got = append(got, s.ContactName)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("search %q = %q, want %q", c.search, got, c.want)
			}
		}
	})
}

// The SQLite index follows a renamed or deleted session, though the console
// does neither today. The Alvaria id is changed too, as it held the name.
func TestSearchIndexFollowsRenameAndDelete(t *testing.T) {
	st := storetest.SQLite(t)
	ctx := t.Context()
	s := newSession(t, st, "Ada Lovelace", t0)
	db, err := st.SQL()
	if err != nil {
		t.Fatal(err)
	}
	found := func(term string) int {
		t.Helper()
		page, err := st.ListSessions(ctx, store.SessionFilter{Search: term})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Sessions)
	}
	if _, err := db.ExecContext(ctx, "UPDATE sessions SET contact_name = 'Grace Hopper', alvaria_session_id = 'alv-2' WHERE id = ?", s.ID); err != nil {
		t.Fatal(err)
	}
	if found("lovelace") != 0 || found("hopper") != 1 {
		t.Fatal("the index did not follow the rename")
	}
	if _, err := db.ExecContext(ctx, "DELETE FROM sessions WHERE id = ?", s.ID); err != nil {
		t.Fatal(err)
	}
	if found("hopper") != 0 {
		t.Fatal("the index kept a deleted session")
	}
}

// A search reads the newest sessions one at a time and asks the indexes
// about the rest; whichever half finds them, the answer is the newest
// matching sessions in order, page after page through the cursor: for a
// word every message says, a rare word, a name, an Alvaria id, with and
// without filters, on both engines.
func TestSearchWalksThenAsksTheIndexes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		type made struct {
			id, state string
			at        time.Time
			words     []string // what the session's name and messages say
		}
		var all []made // oldest first
		for i := range 14 {
			// Pairs share a creation time, so the id breaks ties inside a
			// page and across the walk's edge.
			s := newSession(t, st, fmt.Sprintf("Contact %02d", i), t0.Add(time.Duration(i/2)*time.Minute))
			m := made{id: s.ID, state: s.State, at: s.CreatedAt, words: []string{"message"}}
			text := fmt.Sprintf("message %d about the order", i)
			switch i {
			case 1, 8: // a rare word, beyond the walk and inside it
				text += " from Zanzibar"
				m.words = append(m.words, "zanzibar")
			case 4: // said only by the system: never found
				if _, err := st.AddMessage(ctx, &store.Message{SessionID: s.ID, Direction: store.DirectionSystem, Text: "zanzibar noted", Status: store.MessageReceived}); err != nil {
					t.Fatal(err)
				}
			case 5:
				ended := store.SessionEnded
				if err := st.UpdateSession(ctx, s.ID, store.SessionUpdate{State: &ended}); err != nil {
					t.Fatal(err)
				}
				m.state = ended
			}
			if _, err := st.AddMessage(ctx, &store.Message{SessionID: s.ID, Direction: store.DirectionCustomer, Text: text, Status: store.MessageReceived}); err != nil {
				t.Fatal(err)
			}
			if i == 2 { // a name beyond the walk
				m.words = append(m.words, "contact 02")
			}
			all = append(all, m)
		}
		// want is what a scan of every session finds, newest first.
		want := func(word string, states []string) []string {
			var found []made
			for _, m := range all {
				if slices.Contains(m.words, word) && (len(states) == 0 || m.state == states[0]) {
					found = append(found, m)
				}
			}
			slices.SortFunc(found, func(a, b made) int {
				if c := b.at.Compare(a.at); c != 0 {
					return c
				}
				return strings.Compare(b.id, a.id)
			})
			var ids []string
			for _, m := range found {
				ids = append(ids, m.id)
			}
			return ids
		}
		search := func(word string, states []string, limit int) []string {
			t.Helper()
			var got []string
			var after *store.SessionCursor
			for range 20 {
				page, err := st.ListSessions(ctx, store.SessionFilter{Search: word, States: states, Limit: limit, After: after})
				if err != nil {
					t.Fatalf("search %q: %v", word, err)
				}
				for _, s := range page.Sessions {
					got = append(got, s.ID)
				}
				if page.Next == nil {
					return got
				}
				after = page.Next
			}
			t.Fatalf("search %q: more than 20 pages", word)
			return nil
		}
		for _, walk := range [][]int{{1}, {3}, {1, 3}, {2, 5}, {50, 500}} {
			st.SetSearchWalks(walk...)
			for _, c := range []struct {
				word   string
				states []string
			}{
				{"message", nil},
				{"MESSAGE", nil},
				{"zanzibar", nil},
				{"contact 02", nil},
				{"message", []string{store.SessionEnded}},
				{"nobody says this", nil},
			} {
				w := want(strings.ToLower(c.word), c.states)
				for _, limit := range []int{2, 5, 50} {
					if got := search(c.word, c.states, limit); fmt.Sprint(got) != fmt.Sprint(w) {
						t.Errorf("walk %d, search %q %v, %d a page = %v, want %v", walk, c.word, c.states, limit, got, w)
					}
				}
			}
			// An Alvaria sessionId is found whole, wherever it is.
			if got := search("alv-Contact 01", nil, 2); len(got) != 1 || got[0] != all[1].id {
				t.Errorf("walk %d, search by Alvaria id = %v, want %s", walk, got, all[1].id)
			}
			// And so is Parley's own id, the oldest session's too.
			if got := search(all[0].id, nil, 2); len(got) != 1 || got[0] != all[0].id {
				t.Errorf("walk %d, search by Parley id = %v, want %s", walk, got, all[0].id)
			}
		}
	})
}

// A search of three characters or more also finds part of an Alvaria
// sessionId, who started a session, why it failed, and why one of its
// messages failed to send; whether the walk or the indexes find it.
func TestSearchFindsIDsStartersAndReasons(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		create := func(s store.Session, at time.Time) store.Session {
			t.Helper()
			s.WorkTypeID, s.State, s.CreatedAt = "32", store.SessionPending, at
			if err := st.CreateSession(ctx, &s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		message := func(s store.Session, status, detail string) {
			t.Helper()
			m := store.Message{SessionID: s.ID, Direction: store.DirectionCustomer, Text: "hello there", Status: store.MessageSending}
			if _, err := st.AddMessage(ctx, &m); err != nil {
				t.Fatal(err)
			}
			if err := st.UpdateMessageStatus(ctx, m.ID, status, detail, ""); err != nil {
				t.Fatal(err)
			}
		}
		create(store.Session{ContactName: "Ada", AlvariaSessionID: "9f3A7c2e-ALV", StartedBy: "grace.hopper"}, t0)
		failed := create(store.Session{ContactName: "Bea", AlvariaSessionID: "b-1", StartedBy: "admin"}, t0.Add(time.Minute))
		state, detail := store.SessionFailed, "Work type 99 is not configured"
		if err := st.UpdateSession(ctx, failed.ID, store.SessionUpdate{State: &state, StateDetail: &detail}); err != nil {
			t.Fatal(err)
		}
		message(create(store.Session{ContactName: "Cy", AlvariaSessionID: "c-1", StartedBy: "admin"}, t0.Add(2*time.Minute)),
			store.MessageFailed, "Alvaria answered 503 Service Unavailable")
		// The newest: its delivered message's note is not a failure reason.
		message(create(store.Session{ContactName: "Dee", AlvariaSessionID: "d-1", StartedBy: "admin"}, t0.Add(3*time.Minute)),
			store.MessageSent, "accepted by the simulator")

		cases := []struct {
			search string
			want   []string
		}{
			{"3a7C2E", []string{"Ada"}}, // part of an Alvaria id, any case
			{"-alv", []string{"Ada"}},   // its end
			{"9f", nil},                 // too short to be part of an id
			{"alvgrace", nil},           // not across the id and who started it
			{"alv\x1fgrace", nil},
			{"b-1", []string{"Bea"}},                // a whole id, as before
			{"HOPPER", []string{"Ada"}},             // who started it
			{"grace.h", []string{"Ada"}},            // a username's dot is text
			{"not configured", []string{"Bea"}},     // why the session failed
			{"type 99", []string{"Bea"}},            // part of it
			{"service unav", []string{"Cy"}},        // why a message failed
			{"503", []string{"Cy"}},                 // three characters of it
			{"by the simulator", nil},               // a sent message's note
			{"admin", []string{"Dee", "Cy", "Bea"}}, // newest first
		}
		for _, walk := range [][]int{nil, {1}, {50}} {
			st.SetSearchWalks(walk...) // {1}: all but the newest from the indexes
			for _, c := range cases {
				page, err := st.ListSessions(ctx, store.SessionFilter{Search: c.search})
				if err != nil {
					t.Fatalf("search %q: %v", c.search, err)
				}
				var got []string
				for _, s := range page.Sessions {
					got = append(got, s.ContactName)
				}
				if fmt.Sprint(got) != fmt.Sprint(c.want) {
					t.Errorf("walk %v, search %q = %q, want %q", walk, c.search, got, c.want)
				}
			}
		}
	})
}
