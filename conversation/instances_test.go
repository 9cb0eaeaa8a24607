package conversation_test

import (
	"context"
	"testing"

	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// TestACallbackOnOneInstanceReachesPagesOnAnother runs two services on one
// Postgres database, as two Parley instances would: Alvaria's callback lands
// on the first, and a page open on the second hears of it.
func TestACallbackOnOneInstanceReachesPagesOnAnother(t *testing.T) {
	url := storetest.PostgresURL(t)
	st := storetest.Open(t, url)
	brokers := make([]*live.PGBroker, 2)
	for i := range brokers {
		b, err := live.NewPGBroker(context.Background(), url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		brokers[i] = b
	}
	first := conversation.New(conversation.Config{Store: st, Live: brokers[0]})
	s := store.Session{AlvariaSessionID: "alv-1", ContactName: "Ada", State: store.SessionPending}
	if err := st.CreateSession(t.Context(), &s); err != nil {
		t.Fatal(err)
	}
	page := brokers[1].Subscribe(live.SessionTopic(s.ID))
	defer page.Close()

	body := `{"sessionId":"alv-1","event":"NEW_SESSION","status":"SUCCESS","eventId":"e-1"}`
	if _, err := first.ReceiveCallback(t.Context(), conversation.CallbackInput{Body: []byte(body)}); err != nil {
		t.Fatal(err)
	}
	testkit.Receive(t, page.Ready(), testkit.WaitTimeout, "a notice on the other instance's page")
	if keys, _ := page.Take(); len(keys) != 1 || keys[0] != s.ID {
		t.Fatalf("page got %v", keys)
	}
}
