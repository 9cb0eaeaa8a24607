package store_test

import (
	"testing"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// A session's page reads its newest rows and reaches back a page at a time
// to the first, on both engines.
func TestListMessagesFromReachesBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		s := newSession(t, st, "Ada", t0)
		var ids []int64
		for range 25 {
			m := store.Message{SessionID: s.ID, Direction: store.DirectionCustomer, Text: "hi", Status: store.MessageReceived}
			if _, err := st.AddMessage(ctx, &m); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
		}
		for _, c := range []struct {
			from    int64
			first   int64
			n       int
			earlier int64
		}{
			{0, ids[15], 10, ids[5]},
			{ids[5], ids[5], 20, ids[0]},
			{ids[0], ids[0], 25, 0},
		} {
			rows, earlier, err := st.ListMessagesFrom(ctx, s.ID, c.from, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != c.n || rows[0].ID != c.first || rows[len(rows)-1].ID != ids[24] || earlier != c.earlier {
				t.Fatalf("from %d: %d rows from %d to %d, earlier %d; want %d from %d to %d, earlier %d",
					c.from, len(rows), rows[0].ID, rows[len(rows)-1].ID, earlier, c.n, c.first, ids[24], c.earlier)
			}
		}
		events, earlier, err := st.ListEventsFrom(ctx, s.ID, 0, 10)
		if err != nil || len(events) != 0 || earlier != 0 {
			t.Fatalf("events: %d, earlier %d, %v", len(events), earlier, err)
		}
	})
}
