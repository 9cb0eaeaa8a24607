package store_test

import (
	"errors"
	"testing"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

func TestAddMessageOncePerEvent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		s := newSession(t, st, "Ada", t0)
		for i := range 2 {
			m := store.Message{SessionID: s.ID, Direction: store.DirectionAgent, Text: "hello", EventID: "e-1", Status: store.MessageReceived}
			inserted, err := st.AddMessage(ctx, &m)
			if err != nil {
				t.Fatal(err)
			}
			if inserted != (i == 0) || m.ID == 0 {
				t.Fatalf("attempt %d: inserted=%v id=%d", i, inserted, m.ID)
			}
		}
		note := store.Message{SessionID: s.ID, Direction: store.DirectionSystem, Text: "joined", Status: store.MessageReceived}
		if _, err := st.AddMessage(ctx, &note); err != nil {
			t.Fatal(err)
		}
		ms, err := st.ListMessages(ctx, s.ID)
		if err != nil || len(ms) != 2 {
			t.Fatalf("messages = %d, %v", len(ms), err)
		}
		got, _ := st.GetSession(ctx, s.ID)
		if got.MessageCount != 1 {
			t.Fatalf("message count = %d, want 1 (system notes do not count)", got.MessageCount)
		}
		bad := store.Message{SessionID: "nope", Direction: store.DirectionAgent, Status: store.MessageReceived}
		if _, err := st.AddMessage(ctx, &bad); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("message for a missing session: %v", err)
		}
	})
}

func TestMessageStatusAndChangesSince(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		s := newSession(t, st, "Ada", t0)
		m := store.Message{SessionID: s.ID, Direction: store.DirectionCustomer, Text: "hi", Status: store.MessageSending}
		if _, err := st.AddMessage(ctx, &m); err != nil {
			t.Fatal(err)
		}
		other := store.Message{SessionID: s.ID, Direction: store.DirectionCustomer, Text: "second", Status: store.MessageSending}
		if _, err := st.AddMessage(ctx, &other); err != nil {
			t.Fatal(err)
		}
		before, _ := st.GetSession(ctx, s.ID)
		if err := st.UpdateMessageStatus(ctx, m.ID, store.MessageSent, "", "msg-1"); err != nil {
			t.Fatal(err)
		}
		changed, err := st.ListMessagesSince(ctx, s.ID, before.Seq)
		if err != nil || len(changed) != 1 || changed[0].ID != m.ID || changed[0].Status != store.MessageSent || changed[0].AlvariaMessageID != "msg-1" {
			t.Fatalf("changes since %d: %+v %v", before.Seq, changed, err)
		}
		failed, err := st.FailMessageByAlvariaID(ctx, s.ID, "msg-1", "Session does not exist")
		if err != nil || failed.Status != store.MessageFailed || failed.StatusDetail != "Session does not exist" || failed.AlvariaMessageID != "msg-1" {
			t.Fatalf("fail by alvaria id: %+v %v", failed, err)
		}
		if _, err := st.FailMessageByAlvariaID(ctx, s.ID, "msg-unknown", "x"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown messageId: %v", err)
		}
	})
}

// TestOneTransactionTakesOneSeq checks that the rows one transaction
// changes share one change number, and the next transaction gets the next.
func TestOneTransactionTakesOneSeq(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		s := newSession(t, st, "Ada", t0)
		ev := store.CallbackEvent{EventID: "e-1", Type: "AGENT_JOINED", AlvariaSessionID: s.AlvariaSessionID, Payload: "{}"}
		if _, err := st.InsertEvent(ctx, &ev); err != nil {
			t.Fatal(err)
		}
		m := store.Message{SessionID: s.ID, Direction: store.DirectionAgent, Text: "hello", Status: store.MessageReceived}
		err := st.Transaction(ctx, func(tx *store.Store) error {
			if _, err := tx.AddMessage(ctx, &m); err != nil {
				return err
			}
			if err := tx.UpdateSession(ctx, s.ID, store.SessionUpdate{AgentAlias: ptr("Lucia")}); err != nil {
				return err
			}
			return tx.LinkEvents(ctx, s.ID, []int64{ev.ID}, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := st.GetSession(ctx, s.ID)
		ev, _ = st.GetEvent(ctx, "e-1")
		if got.Seq != s.Seq+1 || m.Seq != got.Seq || ev.Seq != got.Seq || got.AgentAlias != "Lucia" || got.MessageCount != 1 {
			t.Fatalf("session seq %d (was %d), message seq %d, event seq %d, alias %q, count %d", got.Seq, s.Seq, m.Seq, ev.Seq, got.AgentAlias, got.MessageCount)
		}
		if err := st.UpdateSession(ctx, s.ID, store.SessionUpdate{State: ptr(store.SessionConnected)}); err != nil {
			t.Fatal(err)
		}
		if again, _ := st.GetSession(ctx, s.ID); again.Seq != got.Seq+1 {
			t.Fatalf("next transaction seq %d, want %d", again.Seq, got.Seq+1)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// AddMessages stores a run of messages in one statement; a repeat of an
// event already stored is left out and not counted twice.
func TestAddMessagesStoresEachEventOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := store.Session{AlvariaSessionID: "alv-many", WorkTypeID: "32", ContactName: "Ada", State: store.SessionActive}
		if err := st.CreateSession(t.Context(), &s); err != nil {
			t.Fatal(err)
		}
		msg := func(eventID, direction string) *store.Message {
			return &store.Message{SessionID: s.ID, Direction: direction, Text: eventID, EventID: eventID, Status: store.MessageReceived}
		}
		if err := st.AddMessages(t.Context(), []*store.Message{msg("e1", store.DirectionAgent), msg("e2", store.DirectionSystem)}); err != nil {
			t.Fatal(err)
		}
		again := []*store.Message{msg("e2", store.DirectionSystem), msg("e1", store.DirectionAgent), msg("e3", store.DirectionAgent)}
		if err := st.AddMessages(t.Context(), again); err != nil {
			t.Fatal(err)
		}
		if again[0].ID != 0 || again[1].ID != 0 || again[2].ID == 0 {
			t.Fatalf("ids %d %d %d: want the repeats left out and e3 stored", again[0].ID, again[1].ID, again[2].ID)
		}
		ms, err := st.ListMessages(t.Context(), s.ID)
		if err != nil || len(ms) != 3 {
			t.Fatalf("%d messages (%v), want 3", len(ms), err)
		}
		got, err := st.GetSession(t.Context(), s.ID)
		if err != nil || got.MessageCount != 2 {
			t.Fatalf("message count %d (%v), want 2: system lines are not counted, repeats not twice", got.MessageCount, err)
		}
		if err := st.AddMessages(t.Context(), []*store.Message{{SessionID: s.ID, Direction: store.DirectionAgent, Text: "no event"}}); err == nil {
			t.Fatal("a message without an event id was accepted")
		}
	})
}
