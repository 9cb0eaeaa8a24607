package conversation_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// TestCallbacksRacingTheirSessionAreApplied starts many sessions at once
// while the simulator delivers NEW_SESSION as fast as it can, so callbacks
// arrive while their session is being stored. Every one must be applied.
func TestCallbacksRacingTheirSessionAreApplied(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		keyOnce.Do(func() { key = mustKey() })
		var svc atomic.Pointer[conversation.Service]
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if err := svc.Load().ReceiveCallback(r.Context(), conversation.CallbackInput{Body: body}); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		}))
		defer receiver.Close()
		sim, err := simulator.New(simulator.Config{CallbackURL: receiver.URL, SigningKey: key, AgentDelay: time.Hour, RetryBaseDelay: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer sim.Close()
		srv := httptest.NewServer(sim.Handler())
		defer srv.Close()
		client, _ := alvaria.NewClient(alvaria.Config{
			APIURL: srv.URL, TokenURL: srv.URL + "/tokenservice/oauth2/access_token",
			OrgID: "demo", ClientID: "parley", ClientSecret: "parley-secret", APIKey: "parley-api-key",
		})
		svc.Store(conversation.New(conversation.Config{Store: st, Alvaria: client}))

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
		deadline := time.Now().Add(15 * time.Second)
		for id := range ids {
			for {
				s, err := st.GetSession(t.Context(), id)
				if err == nil && s.State == store.SessionActive {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("session %s stayed %s: its NEW_SESSION was lost", id, s.State)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	})
}
