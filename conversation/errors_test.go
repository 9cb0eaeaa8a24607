package conversation_test

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/store/storetest"
)

// TestWrongClientSecretSaysCredentialsWereRefused: a token service that
// refuses the client must not read as "Alvaria could not be reached".
func TestWrongClientSecretSaysCredentialsWereRefused(t *testing.T) {
	keyOnce.Do(func() { key = mustKey() })
	sink := httptest.NewServer(nil)
	t.Cleanup(sink.Close)
	sim, err := simulator.New(simulator.Config{CallbackURL: sink.URL, SigningKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	client, err := alvaria.NewClient(alvaria.Config{
		APIURL: srv.URL, TokenURL: srv.URL + "/tokenservice/oauth2/access_token",
		OrgID: "demo", ClientID: "parley", ClientSecret: "wrong-secret", APIKey: "parley-api-key",
		MaxAttempts: 2, BaseDelay: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := conversation.New(conversation.Config{Store: storetest.SQLite(t), Alvaria: client})
	_, err = svc.StartSession(t.Context(), conversation.StartInput{WorkTypeID: "32", ContactName: "Ada"})
	var aerr *conversation.AlvariaError
	if !errors.As(err, &aerr) {
		t.Fatalf("err = %v (%T), want *AlvariaError", err, err)
	}
	if want := "Alvaria refused Parley's credentials (token service answered 401)"; aerr.Message != want {
		t.Errorf("message %q, want %q", aerr.Message, want)
	}
	if strings.Contains(err.Error(), "could not be reached") {
		t.Errorf("error %q says Alvaria could not be reached", err)
	}
}
