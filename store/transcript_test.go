package store_test

import (
	"fmt"
	"testing"
	"time"

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

// The page's windows, scanned by hand, read every field as the reads
// through GORM do, NULLs included.
func TestListFromReadsEveryField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		s := newSession(t, st, "Ada", t0)
		m := store.Message{SessionID: s.ID, Direction: store.DirectionAgent, SenderID: "olive", Text: "a <b> & c", AttachmentType: "image",
			AttachmentURL: "https://example.com/a.png", AlvariaMessageID: "am-1", EventID: "ev-1", Status: store.MessageFailed, StatusDetail: "why"}
		if _, err := st.AddMessage(ctx, &m); err != nil {
			t.Fatal(err)
		}
		for _, ev := range []store.CallbackEvent{
			{EventID: "ev-1", Type: "MESSAGE", AlvariaSessionID: "alv-Ada", SessionID: &s.ID, Payload: `{"a":1}`, PayloadBase64: "eyJhIjoxfQ==",
				Verified: true, VerifyDetail: "ok", ParseError: "none", ReceivedAt: t0},
			{EventID: "ev-2", Type: "END", AlvariaSessionID: "alv-Ada", Payload: "x", ReceivedAt: t0.Add(time.Second)},
		} {
			if _, err := st.InsertEvent(ctx, &ev); err != nil {
				t.Fatal(err)
			}
		}
		evs, err := st.ListUnappliedEvents(ctx, "alv-Ada")
		if err != nil || len(evs) != 2 {
			t.Fatalf("unapplied events: %d, %v", len(evs), err)
		}
		if err := st.LinkEvents(ctx, s.ID, []int64{evs[1].ID}, nil); err != nil {
			t.Fatal(err)
		}
		since, err := st.ListMessagesSince(ctx, s.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		from, _, err := st.ListMessagesFrom(ctx, s.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%+v", from) != fmt.Sprintf("%+v", since) {
			t.Errorf("messages from the window:\n%+v\nthrough GORM:\n%+v", from, since)
		}
		eventsSince, err := st.ListEventsSince(ctx, s.ID, -1) // every event, the unapplied too
		if err != nil {
			t.Fatal(err)
		}
		eventsFrom, _, err := st.ListEventsFrom(ctx, s.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		show := func(evs []store.CallbackEvent) string {
			var out string
			for _, e := range evs {
				sid, applied := "nil", "nil"
				if e.SessionID != nil {
					sid = *e.SessionID
				}
				if e.AppliedAt != nil {
					applied = e.AppliedAt.UTC().String()
				}
				e.SessionID, e.AppliedAt = nil, nil
				out += fmt.Sprintf("%+v session=%s applied=%s\n", e, sid, applied)
			}
			return out
		}
		if show(eventsFrom) != show(eventsSince) || len(eventsFrom) == 0 {
			t.Errorf("events from the window:\n%s\nthrough GORM:\n%s", show(eventsFrom), show(eventsSince))
		}
	})
}
