package store_test

import (
	"testing"
	"time"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// TestSendingMessagesAreFoundAndResolvedOnce covers what reconciling a
// message stuck in "sending" needs from the store: finding them, seeing
// whether an agent answered after one, and changing only a message that is
// still sending, so a send that finished meanwhile is never overwritten.
func TestSendingMessagesAreFoundAndResolvedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		newSession := func(alvariaID string) store.Session {
			s := store.Session{AlvariaSessionID: alvariaID, WorkTypeID: "32", ContactName: "Ada", State: store.SessionActive}
			if err := st.CreateSession(ctx, &s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		a, b := newSession("alv-a"), newSession("alv-b")
		add := func(s store.Session, dir, status string) store.Message {
			m := store.Message{SessionID: s.ID, Direction: dir, Text: dir, Status: status, CreatedAt: time.Now()}
			if _, err := st.AddMessage(ctx, &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		a1 := add(a, store.DirectionCustomer, store.MessageSending)
		add(a, store.DirectionSystem, store.MessageReceived)
		a2 := add(a, store.DirectionCustomer, store.MessageSending)
		add(a, store.DirectionAgent, store.MessageReceived)
		a3 := add(a, store.DirectionCustomer, store.MessageSending)
		add(a, store.DirectionCustomer, store.MessageSent)
		b1 := add(b, store.DirectionCustomer, store.MessageSending)

		ids := func(ms []store.Message) (out []int64) {
			for _, m := range ms {
				out = append(out, m.ID)
			}
			return out
		}
		all, err := st.ListSendingMessages(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := ids(all), []int64{a1.ID, a2.ID, a3.ID, b1.ID}; !equal(got, want) {
			t.Errorf("all sending = %v, want %v", got, want)
		}
		ofB, err := st.ListSendingMessages(ctx, b.ID)
		if err != nil || !equal(ids(ofB), []int64{b1.ID}) {
			t.Errorf("sending of b = %v, %v", ids(ofB), err)
		}

		for _, tc := range []struct {
			m    store.Message
			want bool
		}{{a1, true}, {a2, true}, {a3, false}, {b1, false}} {
			got, err := st.AgentAnsweredAfter(ctx, tc.m.SessionID, tc.m.ID)
			if err != nil || got != tc.want {
				t.Errorf("AgentAnsweredAfter(%d) = %v, %v; want %v (a system note is not an answer)", tc.m.ID, got, err, tc.want)
			}
		}

		changed, err := st.ResolveSending(ctx, a1.ID, store.MessageUnknown, "lost")
		if err != nil || !changed {
			t.Fatalf("ResolveSending = %v, %v", changed, err)
		}
		if err := st.UpdateMessageStatus(ctx, a2.ID, store.MessageSent, "", "msg-2"); err != nil {
			t.Fatal(err)
		}
		// a2 was sent meanwhile: it keeps what the send recorded.
		if changed, err := st.ResolveSending(ctx, a2.ID, store.MessageUnknown, "lost"); err != nil || changed {
			t.Fatalf("ResolveSending of a sent message = %v, %v; want no change", changed, err)
		}
		got1, _ := st.GetMessage(ctx, a1.ID)
		got2, _ := st.GetMessage(ctx, a2.ID)
		if got1.Status != store.MessageUnknown || got1.StatusDetail != "lost" || got1.Seq <= a1.Seq {
			t.Errorf("a1 = %+v, want unknown with a new seq", got1)
		}
		if got2.Status != store.MessageSent || got2.AlvariaMessageID != "msg-2" {
			t.Errorf("a2 = %+v, want sent", got2)
		}
	})
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
