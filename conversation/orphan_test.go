package conversation_test

import (
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

// TestSessionThatCannotBeStoredIsEndedAtAlvaria: when Alvaria opened a
// session but Parley could not store it, the session was left open at
// Alvaria, unseen, for up to four hours. It is ended there at once.
func TestSessionThatCannotBeStoredIsEndedAtAlvaria(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		keyOnce.Do(func() { key = mustKey() })
		sink := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		t.Cleanup(sink.Close)
		sim, err := simulator.New(simulator.Config{CallbackURL: sink.URL, SigningKey: key, AgentDelay: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sim.Close() })
		srv := httptest.NewServer(sim.Handler())
		t.Cleanup(srv.Close)
		client, err := alvaria.NewClient(alvaria.Config{
			APIURL: srv.URL, TokenURL: srv.URL + "/tokenservice/oauth2/access_token",
			OrgID: "demo", ClientID: "parley", ClientSecret: "parley-secret", APIKey: "parley-api-key",
			MaxAttempts: 2, BaseDelay: time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		svc := conversation.New(conversation.Config{Store: st, Alvaria: client})

		storetest.Exec(t, st, "ALTER TABLE sessions RENAME TO sessions_away")
		if _, err := svc.StartSession(t.Context(), conversation.StartInput{WorkTypeID: "32", ContactName: "Ada", By: ada}); err == nil {
			t.Fatal("StartSession succeeded without a sessions table")
		}
		storetest.Exec(t, st, "ALTER TABLE sessions_away RENAME TO sessions")

		opened := sim.Sessions()
		if len(opened) != 1 {
			t.Fatalf("simulator has %d sessions, want 1", len(opened))
		}
		if opened[0].State != simulator.SessionEnded {
			t.Errorf("session at Alvaria is %s, want ended", opened[0].State)
		}
	})
}
