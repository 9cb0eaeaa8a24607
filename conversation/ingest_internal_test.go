package conversation

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// A batch that fails is committed again one callback at a time, so a
// callback the database refuses fails its own request only, and the
// others in its batch are stored and applied all the same.
func TestOneRefusedCallbackFailsOnlyItself(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := New(Config{Store: st})
		s := store.Session{AlvariaSessionID: "alv-poison", WorkTypeID: "32", ContactName: "Ada", State: store.SessionActive}
		if err := st.CreateSession(t.Context(), &s); err != nil {
			t.Fatal(err)
		}
		refuseEvent(t, st, "poison")

		var batch []*pendingCallback
		for i, id := range []string{"ok-0", "ok-1", "poison", "ok-2"} {
			batch = append(batch, &pendingCallback{
				ctx:  t.Context(),
				done: make(chan error, 1),
				ev: store.CallbackEvent{
					EventID: id, Type: "MESSAGE", AlvariaSessionID: "alv-poison", Verified: true,
					Payload: fmt.Sprintf(`{"eventId":%q,"event":"MESSAGE","sessionId":"alv-poison","senderId":"Lucia","message":{"text":"m%d"}}`, id, i),
				},
			})
		}
		svc.commitCallbacks(batch)

		for _, p := range batch {
			err := <-p.done
			if (err != nil) != (p.ev.EventID == "poison") {
				t.Errorf("%s: err = %v", p.ev.EventID, err)
			}
		}
		ms, err := st.ListMessages(t.Context(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, m := range ms {
			texts = append(texts, m.Text)
		}
		if fmt.Sprint(texts) != "[m0 m1 m3]" {
			t.Fatalf("messages %v, want [m0 m1 m3]", texts)
		}
		if n, err := st.CountEvents(t.Context()); err != nil || n != 3 {
			t.Fatalf("%d events stored (%v), want 3", n, err)
		}
	})
}

// A callback whose caller has given up (the request timed out and was
// answered 503) is not stored by its batch: Alvaria will send it again.
func TestABatchSkipsCallbacksWhoseCallerGaveUp(t *testing.T) {
	st := storetest.SQLite(t)
	svc := New(Config{Store: st})
	gone, cancel := context.WithCancel(t.Context())
	cancel()
	p := &pendingCallback{ctx: gone, done: make(chan error, 1), ev: store.CallbackEvent{EventID: "late", Type: "UNPARSED", Payload: "x"}}
	svc.commitCallbacks([]*pendingCallback{p})
	if err := <-p.done; err == nil {
		t.Fatal("a callback whose caller gave up was answered as stored")
	}
	if n, err := st.CountEvents(t.Context()); err != nil || n != 0 {
		t.Fatalf("%d events stored (%v), want 0", n, err)
	}
}

// refuseEvent makes the database itself refuse to store one eventId, as a
// constraint or a full disk would, without a stand-in for the store.
func refuseEvent(t *testing.T, st *store.Store, eventID string) {
	t.Helper()
	db, err := st.SQL()
	if err != nil {
		t.Fatal(err)
	}
	var stmts []string
	if st.Dialect() == store.DialectPostgres {
		stmts = []string{
			`CREATE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`,
			fmt.Sprintf(`CREATE TRIGGER refuse_event BEFORE INSERT ON callback_events FOR EACH ROW WHEN (NEW.event_id = '%s') EXECUTE FUNCTION refuse_event()`, eventID),
		}
	} else {
		stmts = []string{fmt.Sprintf(`CREATE TRIGGER refuse_event BEFORE INSERT ON callback_events WHEN NEW.event_id = '%s' BEGIN SELECT RAISE(ABORT, 'refused'); END`, eventID)}
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
}

// TestABatchCostsTheSameStatementsAsOneCallback pins what a batch of
// MESSAGE callbacks to one session sends: the same statements as one
// callback, shared by the batch (the lock, the events' insert, the reads,
// the session's row with its count, one INSERT of all the messages, the
// link of the events, the notice).
func TestABatchCostsTheSameStatementsAsOneCallback(t *testing.T) {
	const k = 5
	for _, c := range []struct {
		name string
		want int
		open func(t *testing.T) (*store.Store, live.Broker)
	}{
		{"sqlite", 7, func(t *testing.T) (*store.Store, live.Broker) { return storetest.SQLite(t), live.NewHub() }},
		{"postgres", 9, func(t *testing.T) (*store.Store, live.Broker) {
			url := storetest.PostgresURL(t)
			b, err := live.NewPGBroker(t.Context(), url, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(b.Close)
			return storetest.Open(t, url), b
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, broker := c.open(t)
			svc := New(Config{Store: st, Live: broker})
			s := store.Session{AlvariaSessionID: "alv-batch", WorkTypeID: "32", ContactName: "Ada", State: store.SessionActive}
			if err := st.CreateSession(t.Context(), &s); err != nil {
				t.Fatal(err)
			}
			var batch []*pendingCallback
			for i := range k {
				id := fmt.Sprintf("batch-%d", i)
				batch = append(batch, &pendingCallback{ctx: t.Context(), done: make(chan error, 1), ev: store.CallbackEvent{
					EventID: id, Type: "MESSAGE", AlvariaSessionID: "alv-batch", Verified: true,
					Payload: fmt.Sprintf(`{"eventId":%q,"event":"MESSAGE","sessionId":"alv-batch","senderId":"Lucia","message":{"text":"m%d"}}`, id, i),
				}})
			}
			var sent []string
			st.TraceStatements(func(sql string) { sent = append(sent, sql) })
			svc.commitCallbacks(batch)
			st.TraceStatements(func(string) {})
			for _, p := range batch {
				if err := <-p.done; err != nil {
					t.Fatal(err)
				}
			}
			if len(sent) != c.want {
				t.Errorf("a batch of %d MESSAGE callbacks sent %d statements, want %d:\n%s", k, len(sent), c.want, strings.Join(sent, "\n"))
			}
			got, err := st.GetSession(t.Context(), s.ID)
			if err != nil || got.MessageCount != k {
				t.Fatalf("message count %d (%v), want %d", got.MessageCount, err, k)
			}
			ms, err := st.ListMessages(t.Context(), s.ID)
			if err != nil || len(ms) != k {
				t.Fatalf("%d messages (%v), want %d", len(ms), err, k)
			}
			for i, m := range ms {
				if m.Text != fmt.Sprintf("m%d", i) || m.ID == 0 || m.Seq != got.Seq {
					t.Fatalf("message %d = %+v, want m%d with the session's seq %d", i, m, i, got.Seq)
				}
			}
		})
	}
}
