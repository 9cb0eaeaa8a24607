package conversation

import (
	"context"
	"fmt"
	"testing"

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
