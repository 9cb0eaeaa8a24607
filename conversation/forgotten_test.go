package conversation_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/simulator/simtest"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// TestSessionTheSimulatorForgotIsMarkedEnded: after a restart in embedded
// mode the new simulator knows none of the old sessions, and every send
// failed with 404 while the session still looked live. The first 404 marks
// it ended, with a note saying why.
func TestSessionTheSimulatorForgotIsMarkedEnded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		newSim := func() *simtest.Server { return simtest.Start(t, simulator.Config{AgentDelay: time.Hour}) }
		// Parley reaches the simulator at one address; a restart puts a
		// fresh simulator behind it.
		var target atomic.Pointer[url.URL]
		point := func(srv *simtest.Server) { u, _ := url.Parse(srv.URL); target.Store(u) }
		point(newSim())
		front := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target.Load()) }})
		t.Cleanup(front.Close)
		client := simtest.Client(t, front.URL, nil)
		svc := conversation.New(conversation.Config{Store: st, Alvaria: client, Connection: "simulator"})
		s, err := svc.StartSession(t.Context(), conversation.StartInput{WorkTypeID: "32", ContactName: "Ada", By: ada})
		if err != nil {
			t.Fatal(err)
		}

		point(newSim()) // the restart
		m, err := svc.SendMessage(t.Context(), s.ID, conversation.MessageInput{Text: "still there?", By: ada})
		var aerr *conversation.AlvariaError
		if !errors.As(err, &aerr) || aerr.Status != http.StatusNotFound {
			t.Fatalf("send: err = %v, want Alvaria's 404", err)
		}
		if m.Status != store.MessageFailed {
			t.Errorf("message status %q, want failed", m.Status)
		}
		got, err := st.GetSession(t.Context(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != store.SessionEnded || got.EndedAt == nil {
			t.Fatalf("session state %q ended %v, want ended", got.State, got.EndedAt)
		}
		ms, err := st.ListMessages(t.Context(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := ms[len(ms)-1]
		if last.Direction != store.DirectionSystem || !strings.Contains(last.Text, "Alvaria no longer knows this session; it was marked ended.") {
			t.Errorf("last line %+v, want the note", last)
		}
		if _, err := svc.SendMessage(t.Context(), s.ID, conversation.MessageInput{Text: "again", By: ada}); !errors.Is(err, conversation.ErrSessionClosed) {
			t.Errorf("second send: err = %v, want ErrSessionClosed", err)
		}
	})
}
