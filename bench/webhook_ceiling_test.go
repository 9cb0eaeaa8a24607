package bench

import (
	"crypto/rand"
	"crypto/rsa"
	"testing"
)

// The ceiling's server verifies what it is sent as Parley's webhook does,
// and every callback the anchor signs passes: it measures acceptances, not
// refusals (a refusal fails the run).
func TestWebhookCeilingVerifiesEveryCallback(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	load, err := WebhookCeiling(t.Context(), key, "alvaria-simulator", 4, 40)
	if err != nil {
		t.Fatal(err)
	}
	if load.Sent != 40 || len(load.OK) != 40 || load.Rate() <= 0 {
		t.Fatalf("sent %d, %d answered 200, rate %.0f; want all 40", load.Sent, len(load.OK), load.Rate())
	}
}
