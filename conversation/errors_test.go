package conversation_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/simulator/simtest"
	"github.com/parley-dev/parley/store/storetest"
)

// TestWrongClientSecretSaysCredentialsWereRefused: a token service that
// refuses the client must not read as "Alvaria could not be reached".
func TestWrongClientSecretSaysCredentialsWereRefused(t *testing.T) {
	client := simtest.Start(t, simulator.Config{}).Client(t, func(c *alvaria.Config) { c.ClientSecret = "wrong-secret" })
	svc := conversation.New(conversation.Config{Store: storetest.SQLite(t), Alvaria: client})
	_, err := svc.StartSession(t.Context(), conversation.StartInput{WorkTypeID: "32", ContactName: "Ada"})
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
