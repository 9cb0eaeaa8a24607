package store_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// TestPoisonTextIsStoredSafely: Postgres text holds neither NUL nor invalid
// UTF-8, so such a callback failed to store forever (Alvaria retried for
// four hours, then the event was lost). It is stored with U+FFFD in place of
// the bad bytes, and the original payload is kept in base64.
func TestPoisonTextIsStoredSafely(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		s := store.Session{AlvariaSessionID: "alv-poison", WorkTypeID: "32", ContactName: "Ada", State: store.SessionActive}
		if err := st.CreateSession(ctx, &s); err != nil {
			t.Fatal(err)
		}

		raw := "{\"sessionId\":\"alv-poison\",\"eventId\":\"p1\",\"senderId\":\"a\x00b\",\"message\":{\"text\":\"hi \xff\xfe there\x00\"}}"
		ev := store.CallbackEvent{EventID: "p1\x00", Type: "MESSAGE", AlvariaSessionID: "alv-poison", Payload: raw, ParseError: "bad \xc3", ReceivedAt: time.Now()}
		inserted, err := st.InsertEvent(ctx, &ev)
		if err != nil || !inserted {
			t.Fatalf("InsertEvent = %v, %v", inserted, err)
		}
		got, err := st.GetEvent(ctx, "p1\ufffd")
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range map[string]string{"payload": got.Payload, "parse error": got.ParseError} {
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) || !strings.ContainsRune(v, utf8.RuneError) {
				t.Errorf("%s %q: want valid text with U+FFFD", name, v)
			}
		}
		if orig, err := base64.StdEncoding.DecodeString(got.PayloadBase64); err != nil || string(orig) != raw {
			t.Errorf("raw payload %q (err %v), want the original bytes", got.PayloadBase64, err)
		}
		// A retry of the same poison event is recognised as the same event.
		again := store.CallbackEvent{EventID: "p1\x00", Type: "MESSAGE", Payload: raw}
		if inserted, err := st.InsertEvent(ctx, &again); err != nil || inserted {
			t.Fatalf("retry: inserted %v, err %v; want an ignored repeat", inserted, err)
		}

		// A clean payload keeps no copy.
		clean := store.CallbackEvent{EventID: "p2", Type: "MESSAGE", Payload: `{"text":"caf\u00e9 \u0000"}`}
		if _, err := st.InsertEvent(ctx, &clean); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.GetEvent(ctx, "p2"); got.PayloadBase64 != "" || got.Payload != clean.Payload {
			t.Errorf("clean payload changed: %+v", got)
		}

		m := store.Message{SessionID: s.ID, Direction: store.DirectionAgent, SenderID: "a\x00b", Text: "hi \xff there\x00", AttachmentURL: "http://x/\x00", EventID: "p1\x00", Status: store.MessageReceived}
		if _, err := st.AddMessage(ctx, &m); err != nil {
			t.Fatalf("AddMessage: %v", err)
		}
		if err := st.UpdateMessageStatus(ctx, m.ID, store.MessageFailed, "no\x00 \xff", ""); err != nil {
			t.Fatalf("UpdateMessageStatus: %v", err)
		}
		stored, err := st.GetMessage(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Text != "hi \ufffd there\ufffd" || stored.SenderID != "a\ufffdb" || stored.AttachmentURL != "http://x/\ufffd" || stored.StatusDetail != "no\ufffd \ufffd" {
			t.Errorf("stored %+v", stored)
		}

		alias, detail := "Jo\x00hn", "gone \xff"
		if err := st.UpdateSession(ctx, s.ID, store.SessionUpdate{AgentAlias: &alias, StateDetail: &detail}); err != nil {
			t.Fatalf("UpdateSession: %v", err)
		}
		if got, _ := st.GetSession(ctx, s.ID); got.AgentAlias != "Jo\ufffdhn" || got.StateDetail != "gone \ufffd" {
			t.Errorf("session %+v", got)
		}
	})
}
