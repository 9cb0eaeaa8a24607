package conversation_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/simulator/simtest"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// TestCallbacksRacingTheirSessionAreApplied starts many sessions at once
// while the simulator delivers NEW_SESSION as fast as it can, so callbacks
// arrive while their session is being stored. Every one must be applied,
// in time (not by the sweep), with the inbox off and on.
func TestCallbacksRacingTheirSessionAreApplied(t *testing.T) {
	for _, backlog := range []int{0, 1000} {
		t.Run(fmt.Sprintf("backlog %d", backlog), func(t *testing.T) { raceSessions(t, backlog) })
	}
}

func raceSessions(t *testing.T, backlog int) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		var svc atomic.Pointer[conversation.Service]
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if _, err := svc.Load().ReceiveCallback(r.Context(), conversation.CallbackInput{Body: body}); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		}))
		defer receiver.Close()
		sim := simtest.Start(t, simulator.Config{CallbackURL: receiver.URL, AgentDelay: time.Hour, RetryBaseDelay: 10 * time.Millisecond})
		client := sim.Client(t, func(c *alvaria.Config) { c.MaxAttempts, c.BaseDelay = 0, 0 })
		convs := conversation.New(conversation.Config{Store: st, Alvaria: client, IngestBacklog: backlog})
		if backlog > 0 {
			conversation.InboxEveryBatch(convs)
		}
		svc.Store(convs)

		const n = 40
		var wg sync.WaitGroup
		ids := make(chan string, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := svc.Load().StartSession(t.Context(), conversation.StartInput{WorkTypeID: "32", ContactName: "Racer"})
				if err != nil {
					t.Error(err)
					return
				}
				ids <- s.ID
			}()
		}
		wg.Wait()
		close(ids)
		for id := range ids {
			testkit.Eventually(t, 15*time.Second, func() bool {
				s, err := st.GetSession(t.Context(), id)
				return err == nil && s.State == store.SessionActive
			}, "session "+id+" to be active: its NEW_SESSION was lost")
		}
	})
}
