package bench

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"testing"
	"time"

	"github.com/parley-dev/parley/alvaria"
)

func TestSignedCallbacksPassTheVerifier(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	signer := Signer{Key: key, Issuer: "alvaria-simulator", Life: 10 * time.Minute, Now: func() time.Time { return now }}
	verifier, err := alvaria.NewVerifier(alvaria.VerifierConfig{PublicKey: &key.PublicKey, Issuer: "alvaria-simulator"})
	if err != nil {
		t.Fatal(err)
	}
	sessions := []string{"s-a", "s-b", "s-c"}
	cbs, err := signer.SignMessages("run", sessions, 7)
	if err != nil {
		t.Fatal(err)
	}
	jtis := map[string]bool{}
	for i, cb := range cbs {
		wantEvent, wantSession := fmt.Sprintf("run-%d", i), sessions[i%3]
		if cb.EventID != wantEvent || cb.SessionID != wantSession {
			t.Errorf("callback %d = event %q session %q, want %q %q", i, cb.EventID, cb.SessionID, wantEvent, wantSession)
		}
		claims, err := verifier.Verify(cb.Authorization)
		if err != nil {
			t.Fatalf("callback %d: Verify: %v", i, err)
		}
		if err := claims.CheckBody(cb.Body); err != nil {
			t.Errorf("callback %d: CheckBody: %v", i, err)
		}
		if claims.Subject != wantSession || claims.EventID != wantEvent {
			t.Errorf("callback %d claims sub %q eventId %q, want %q %q", i, claims.Subject, claims.EventID, wantSession, wantEvent)
		}
		if !claims.IssuedAt.Equal(now) || !claims.ExpiresAt.Equal(now.Add(10*time.Minute)) {
			t.Errorf("callback %d iat %v exp %v, want %v and ten minutes later", i, claims.IssuedAt, claims.ExpiresAt, now)
		}
		if claims.ID == "" || jtis[claims.ID] {
			t.Errorf("callback %d jti %q is empty or repeated", i, claims.ID)
		}
		jtis[claims.ID] = true
		cb2, err := alvaria.ParseCallback(cb.Body)
		if err != nil || cb2.CallbackEvent() != alvaria.EventMessage {
			t.Errorf("callback %d body parses as %v, %v; want a MESSAGE", i, cb2, err)
		}
	}
}
