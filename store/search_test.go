package store_test

import (
	"fmt"
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
// does neither today.
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
	if _, err := db.ExecContext(ctx, "UPDATE sessions SET contact_name = 'Grace Hopper' WHERE id = ?", s.ID); err != nil {
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
