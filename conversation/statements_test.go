package conversation_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// TestMessageCallbackStatementCount pins how many statements a MESSAGE
// callback to an existing session sends: callbacks/s × statements is what
// the database does per second, so this number must not silently grow.
func TestMessageCallbackStatementCount(t *testing.T) {
	cases := []struct {
		name string
		want int
		open func(t *testing.T) (*store.Store, live.Broker)
	}{
		{"sqlite", 7, func(t *testing.T) (*store.Store, live.Broker) { return storetest.SQLite(t), live.NewHub() }},
		{"postgres", 9, func(t *testing.T) (*store.Store, live.Broker) {
			url := storetest.PostgresURL(t)
			b, err := live.NewPGBroker(t.Context(), url, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(b.Close)
			return storetest.Open(t, url), b
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, broker := c.open(t)
			svc := conversation.New(conversation.Config{Store: st, Live: broker})
			s := store.Session{AlvariaSessionID: "alv-count", WorkTypeID: "32", ContactName: "Ada", State: store.SessionActive}
			if err := st.CreateSession(t.Context(), &s); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var sent []string
			st.TraceStatements(func(sql string) {
				mu.Lock()
				sent = append(sent, sql)
				mu.Unlock()
			})
			body := `{"eventId":"count-1","event":"MESSAGE","sessionId":"alv-count","senderId":"Lucia","message":{"text":"hello"}}`
			if _, err := svc.ReceiveCallback(t.Context(), conversation.CallbackInput{Body: []byte(body)}); err != nil {
				t.Fatal(err)
			}
			st.TraceStatements(func(string) {})
			if len(sent) != c.want {
				t.Errorf("a MESSAGE callback sent %d statements, want %d:\n%s", len(sent), c.want, strings.Join(sent, "\n"))
			}
			ms, err := st.ListMessages(t.Context(), s.ID)
			if err != nil || len(ms) != 1 || ms[0].Text != "hello" {
				t.Fatalf("messages = %v, %v", ms, err)
			}
		})
	}
}
