package conversation_test

import (
	"testing"
	"time"

	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/simulator/simtest"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// TestSessionThatCannotBeStoredIsEndedAtAlvaria: when Alvaria opened a
// session but Parley could not store it, the session was left open at
// Alvaria, unseen, for up to four hours. It is ended there at once.
func TestSessionThatCannotBeStoredIsEndedAtAlvaria(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sim := simtest.Start(t, simulator.Config{AgentDelay: time.Hour})
		client := sim.Client(t, nil)
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
