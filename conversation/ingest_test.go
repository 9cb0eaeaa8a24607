package conversation_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

func receive(t *testing.T, svc *conversation.Service, body string) {
	t.Helper()
	if _, err := svc.ReceiveCallback(t.Context(), conversation.CallbackInput{Body: []byte(body)}); err != nil {
		t.Error(err)
	}
}

func messageCallback(alvariaID, eventID, text string) string {
	return fmt.Sprintf(`{"eventId":%q,"event":"MESSAGE","sessionId":%q,"senderId":"Lucia","message":{"text":%q}}`, eventID, alvariaID, text)
}

func activeSession(t *testing.T, st *store.Store, alvariaID string) store.Session {
	t.Helper()
	s := store.Session{AlvariaSessionID: alvariaID, WorkTypeID: "32", ContactName: "Ada", State: store.SessionActive}
	if err := st.CreateSession(t.Context(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestConcurrentCallbacksToOneSessionKeepTheirOrder sends callbacks to one
// session from several senders at once, each sender in its own order. The
// transcript must keep every sender's order, never number a later change
// lower (callbacks committed in one batch share one number, as they become
// visible together), and stamp each event with the number of the message
// it added.
//
// It runs with the inbox off (each callback applied before its 200), on
// with room for all, and on with a backlog so small that storing keeps
// waiting for the applier.
func TestConcurrentCallbacksToOneSessionKeepTheirOrder(t *testing.T) {
	for _, backlog := range []int{0, 1000, 3} {
		t.Run(fmt.Sprintf("backlog %d", backlog), func(t *testing.T) {
			keepOrder(t, backlog)
		})
	}
}

func keepOrder(t *testing.T, backlog int) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := conversation.New(conversation.Config{Store: st, IngestBacklog: backlog})
		if backlog > 0 {
			conversation.InboxEveryBatch(svc)
		}
		s := activeSession(t, st, "alv-order")
		const senders, each = 4, 15
		var wg sync.WaitGroup
		for g := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					receive(t, svc, messageCallback("alv-order", fmt.Sprintf("e-%d-%d", g, i), fmt.Sprintf("%d:%02d", g, i)))
				}
			}()
		}
		wg.Wait()
		waitApplied(t, st, "alv-order")

		ms, err := st.ListMessages(t.Context(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != senders*each {
			t.Fatalf("%d messages, want %d", len(ms), senders*each)
		}
		last := map[byte]string{}
		for i, m := range ms {
			if i > 0 && m.Seq < ms[i-1].Seq {
				t.Fatalf("message %d has seq %d after %d", m.ID, m.Seq, ms[i-1].Seq)
			}
			if m.Text <= last[m.Text[0]] {
				t.Fatalf("%q stored after %q", m.Text, last[m.Text[0]])
			}
			last[m.Text[0]] = m.Text
			ev, err := st.GetEvent(t.Context(), m.EventID)
			if err != nil {
				t.Fatal(err)
			}
			if ev.AppliedAt == nil || ev.Seq != m.Seq {
				t.Fatalf("event %s applied=%v seq %d, message seq %d", ev.EventID, ev.AppliedAt != nil, ev.Seq, m.Seq)
			}
		}
		got, err := st.GetSession(t.Context(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.MessageCount != senders*each || got.Seq != ms[len(ms)-1].Seq {
			t.Fatalf("session count %d seq %d, want %d and %d", got.MessageCount, got.Seq, senders*each, ms[len(ms)-1].Seq)
		}
	})
}

// TestEventsStoredButNotAppliedAreAppliedAtTheNextCallback covers what a
// callback leaves unapplied: a MESSAGE_STATUS before its message is known,
// and an event whose applying never happened (a crash, simulated by
// storing the row directly). The next callback applies them first, in
// arrival order.
func TestEventsStoredButNotAppliedAreAppliedAtTheNextCallback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := conversation.New(conversation.Config{Store: st})
		s := activeSession(t, st, "alv-wait")

		receive(t, svc, `{"eventId":"st-1","event":"MESSAGE_STATUS","sessionId":"alv-wait","messageId":"m-1","status":"FAILED","statusMessage":"undeliverable"}`)
		if ev, err := st.GetEvent(t.Context(), "st-1"); err != nil || ev.AppliedAt != nil {
			t.Fatalf("status for an unknown message: applied=%v err=%v, want waiting", ev.AppliedAt != nil, err)
		}
		m := store.Message{SessionID: s.ID, Direction: store.DirectionCustomer, Text: "hi", Status: store.MessageSent}
		if _, err := st.AddMessage(t.Context(), &m); err != nil {
			t.Fatal(err)
		}
		if err := st.UpdateMessageStatus(t.Context(), m.ID, store.MessageSent, "", "m-1"); err != nil {
			t.Fatal(err)
		}
		crashed := store.CallbackEvent{EventID: "lost-1", Type: "MESSAGE", AlvariaSessionID: "alv-wait", Payload: messageCallback("alv-wait", "lost-1", "before the crash"), Verified: true}
		if _, err := st.InsertEvent(t.Context(), &crashed); err != nil {
			t.Fatal(err)
		}

		receive(t, svc, messageCallback("alv-wait", "next-1", "after the restart"))

		for _, id := range []string{"st-1", "lost-1", "next-1"} {
			if ev, err := st.GetEvent(t.Context(), id); err != nil || ev.AppliedAt == nil {
				t.Fatalf("event %s not applied (err %v)", id, err)
			}
		}
		got, err := st.GetMessage(t.Context(), m.ID)
		if err != nil || got.Status != store.MessageFailed || got.StatusDetail != "undeliverable" {
			t.Fatalf("message = %+v, %v; want failed by the waiting status", got, err)
		}
		ms, err := st.ListMessages(t.Context(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, m := range ms {
			texts = append(texts, m.Text)
		}
		if want := []string{"hi", "before the crash", "after the restart"}; !slices.Equal(texts, want) {
			t.Fatalf("transcript %q, want %q", texts, want)
		}
	})
}

// TestTwoInstancesApplyEachEventOnce runs two services on their own
// connections to one Postgres database, as two Parley instances would, and
// delivers every callback to both at once: each is applied exactly once.
func TestTwoInstancesApplyEachEventOnce(t *testing.T) {
	for _, backlog := range []int{0, 1000} {
		t.Run(fmt.Sprintf("backlog %d", backlog), func(t *testing.T) {
			applyOnceOnTwo(t, backlog)
		})
	}
}

func applyOnceOnTwo(t *testing.T, backlog int) {
	url := storetest.PostgresURL(t)
	stores := []*store.Store{storetest.Open(t, url), storetest.Open(t, url)}
	alvariaID := fmt.Sprintf("alv-twice-%d", backlog)
	s := activeSession(t, stores[0], alvariaID)
	const n = 30
	var wg sync.WaitGroup
	for _, st := range stores {
		svc := conversation.New(conversation.Config{Store: st, IngestBacklog: backlog})
		if backlog > 0 {
			conversation.InboxEveryBatch(svc)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				receive(t, svc, messageCallback(alvariaID, fmt.Sprintf("twice-%d-%d", backlog, i), fmt.Sprintf("%02d", i)))
			}
		}()
	}
	wg.Wait()
	waitApplied(t, stores[1], alvariaID)

	ms, err := stores[1].ListMessages(t.Context(), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != n {
		t.Fatalf("%d messages, want %d", len(ms), n)
	}
	for i, m := range ms {
		if m.Text != fmt.Sprintf("%02d", i) {
			t.Fatalf("message %d is %q", i, m.Text)
		}
	}
	got, err := stores[1].GetSession(t.Context(), s.ID)
	if err != nil || got.MessageCount != n {
		t.Fatalf("message count %d (%v), want %d", got.MessageCount, err, n)
	}
	if evs, err := stores[1].ListEventsOfAlvariaSession(t.Context(), alvariaID, 0); err != nil || len(evs) != n {
		t.Fatalf("%d events stored (%v), want %d", len(evs), err, n)
	}
}

// waitApplied waits until no callback of the Alvaria session waits to be
// applied: with the inbox, a 200 says stored, and the applier follows.
func waitApplied(t *testing.T, st *store.Store, alvariaID string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		evs, err := st.ListUnappliedEvents(t.Context(), alvariaID)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d callbacks of %s still unapplied after 30 s", len(evs), alvariaID)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The kind a callback is counted under is one Parley knows: a stranger's
// event name must not become a new metric label.
func TestReceiveCallbackSaysItsKind(t *testing.T) {
	svc := conversation.New(conversation.Config{Store: storetest.SQLite(t), Live: live.NewHub()})
	for body, want := range map[string]string{
		messageCallback("alv-k", "k1", "hi"):                                              "MESSAGE",
		`{"eventId":"k2","event":"AGENT_JOINED","sessionId":"alv-k","agentAlias":"Omar"}`: "AGENT_JOINED",
		`{"eventId":"k3","event":"MADE_UP_BY_ANYONE","sessionId":"alv-k"}`:                "other",
		`not json`: "unreadable",
	} {
		kind, err := svc.ReceiveCallback(t.Context(), conversation.CallbackInput{Body: []byte(body)})
		if err != nil || kind != want {
			t.Errorf("%s: kind %q, %v; want %q", body, kind, err, want)
		}
	}
}
