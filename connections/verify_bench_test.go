package connections_test

import (
	"testing"
	"time"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/simulator/simtest"
	"github.com/parley-dev/parley/store/storetest"
)

// BenchmarkVerifyCallback compares a connection's check of a callback
// token with the bare verifier it wraps (the anchor): what the path, the
// token's shape and the key list add to each callback.
func BenchmarkVerifyCallback(b *testing.B) {
	k := keys()
	sim := simtest.Start(b, simulator.Config{SigningKey: k[0]})
	svc := newService(b, storetest.SQLite(b), newBox(b), &auditLog{})
	c, err := svc.Create(b.Context(), simInput(sim, "Bench", pemOf(b, k[1]), pemOf(b, k[0])))
	if err != nil {
		b.Fatal(err)
	}
	first, err := svc.Create(b.Context(), simInput(sim, "Bench first", pemOf(b, k[0]), pemOf(b, k[1])))
	if err != nil {
		b.Fatal(err)
	}
	auth := sign(b, k[0], time.Hour-2*time.Minute)
	anchor, err := alvaria.NewVerifier(alvaria.VerifierConfig{PublicKey: &k[0].PublicKey})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("verifier", func(b *testing.B) {
		for b.Loop() {
			if _, err := anchor.Verify(auth); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("connection-first-key", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.VerifyCallback(first.Slug, auth); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Mid-rotation, signed by the key listed second: one failed try first.
	b.Run("connection-second-key", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.VerifyCallback(c.Slug, auth); err != nil {
				b.Fatal(err)
			}
		}
	})
}
