package conversation_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// TestReconcileSending: a crash between storing a message and recording the
// send's outcome, or a failed write after a successful send, left messages
// "sending" for ever, inviting a second send. An agent's answer after one
// shows it arrived; otherwise after a minute its outcome is unknown.
func TestReconcileSending(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc, clk := newService(t, st, simulator.Config{AgentDelay: time.Hour})
		s, err := svc.StartSession(ctx, conversation.StartInput{WorkTypeID: "32", ContactName: "Ada", By: ada})
		if err != nil {
			t.Fatal(err)
		}
		// What a crash leaves behind, written as SendMessage writes it.
		add := func(dir, status string, age time.Duration) store.Message {
			m := store.Message{SessionID: s.ID, Direction: dir, SenderID: "ada", Text: dir, Status: status, CreatedAt: clk.Now().Add(-age)}
			if _, err := st.AddMessage(ctx, &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		answered := add(store.DirectionCustomer, store.MessageSending, 3*time.Minute)
		add(store.DirectionAgent, store.MessageReceived, 3*time.Minute)
		lost := add(store.DirectionCustomer, store.MessageSending, 2*time.Minute)
		recent := add(store.DirectionCustomer, store.MessageSending, 10*time.Second)
		status := func(m store.Message) store.Message {
			t.Helper()
			got, err := st.GetMessage(ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		// While nothing has been reconciled, the page already shows a
		// message sending for over a minute as of unknown outcome.
		d, err := svc.SessionDetail(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		shown := map[int64]string{}
		for _, m := range d.Messages {
			shown[m.ID] = m.Status
		}
		if shown[lost.ID] != store.MessageUnknown || shown[recent.ID] != store.MessageSending {
			t.Errorf("shown %v, want lost unknown and recent sending", shown)
		}

		n, err := svc.ReconcileSending(ctx)
		if err != nil || n != 2 {
			t.Fatalf("ReconcileSending = %d, %v; want 2 resolved", n, err)
		}
		if got := status(lost); got.Status != store.MessageUnknown || got.StatusDetail == "" {
			t.Errorf("lost = %q %q, want unknown with a reason", got.Status, got.StatusDetail)
		}
		if got := status(answered); got.Status != store.MessageSent {
			t.Errorf("answered = %q, want sent", got.Status)
		}
		if got := status(recent); got.Status != store.MessageSending {
			t.Errorf("recent = %q, want still sending: its send may be under way", got.Status)
		}

		clk.Advance(time.Minute)
		if n, err := svc.ReconcileSending(ctx); err != nil || n != 1 {
			t.Fatalf("second ReconcileSending = %d, %v; want 1", n, err)
		}
		if got := status(recent); got.Status != store.MessageUnknown {
			t.Errorf("recent after a minute = %q, want unknown", got.Status)
		}

		// A callback reconciles its own session: the agent's answer shows
		// that the message before it arrived.
		pending := add(store.DirectionCustomer, store.MessageSending, 0)
		body, _ := json.Marshal(alvaria.MessageCallback{SessionID: s.AlvariaSessionID, SenderID: "John", EventID: "answer-1", Message: alvaria.Message{Text: "Hi Ada"}})
		if _, err := svc.ReceiveCallback(ctx, conversation.CallbackInput{Body: body}); err != nil {
			t.Fatal(err)
		}
		if got := status(pending); got.Status != store.MessageSent {
			t.Errorf("after the agent's answer = %q, want sent", got.Status)
		}
	})
}

// TestSendWithUnknownOutcomeIsShownAsSuch: a send that may have reached
// Alvaria (here a 500, which is not retried for sends) is recorded as of
// unknown outcome, not failed, so nobody is invited to send it twice.
func TestSendWithUnknownOutcomeIsShownAsSuch(t *testing.T) {
	st := storetest.SQLite(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/token" {
			w.Write([]byte(`{"access_token":"t","token_type":"Bearer","expires_in":3600}`))
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"code":500,"message":"internal error"}`))
	}))
	t.Cleanup(srv.Close)
	client, err := alvaria.NewClient(alvaria.Config{APIURL: srv.URL, TokenURL: srv.URL + "/token", OrgID: "o", ClientID: "c", ClientSecret: "s", APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	svc := conversation.New(conversation.Config{Store: st, Alvaria: client})
	s := store.Session{AlvariaSessionID: "alv-500", WorkTypeID: "32", ContactName: "Ada", State: store.SessionActive, CreatedAt: time.Now(), LastActivityAt: time.Now()}
	if err := st.CreateSession(t.Context(), &s); err != nil {
		t.Fatal(err)
	}
	m, err := svc.SendMessage(t.Context(), s.ID, conversation.MessageInput{Text: "hello", By: ada})
	var aerr *conversation.AlvariaError
	if !errors.As(err, &aerr) || !errors.Is(err, alvaria.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want an AlvariaError with an unknown outcome", err)
	}
	if m.Status != store.MessageUnknown {
		t.Errorf("status %q, want unknown", m.Status)
	}
}
