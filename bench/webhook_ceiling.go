package bench

import (
	"context"
	"crypto/rsa"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/parley-dev/parley/alvaria"
)

// WebhookCeiling is what a callback costs on this machine without any
// database: a loopback HTTP server that verifies each callback's RS256 token
// and checks it against the body, as Parley's webhook does, then answers 200
// without storing anything, posted to by the same client as `bench
// callbacks`. No ingest can go faster than this on the same machine, so it
// bounds the ratios measured against the database anchors: on two cores the
// client, the server and the database share the same CPUs.
func WebhookCeiling(ctx context.Context, key *rsa.PrivateKey, issuer string, concurrency, count int) (Load, error) {
	verifier, err := alvaria.NewVerifier(alvaria.VerifierConfig{PublicKey: &key.PublicKey, Issuer: issuer})
	if err != nil {
		return Load{}, err
	}
	sessions := make([]string, 100)
	for i := range sessions {
		sessions[i] = "ceiling-session-" + randomID()
	}
	callbacks, err := Signer{Key: key, Issuer: issuer, Life: 10 * time.Minute}.SignMessages("ceiling-"+randomID(), sessions, count)
	if err != nil {
		return Load{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Load{}, fmt.Errorf("webhook ceiling: %w", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, err := verifier.Verify(r.Header.Get("Authorization"))
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil || claims.CheckBody(body) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	load := Post(ctx, "http://"+ln.Addr().String()+"/webhooks/server-messaging", callbacks, concurrency, 0, 0)
	if len(load.OK) < load.Sent {
		return load, fmt.Errorf("webhook ceiling: %d of %d callbacks not answered 200 (first error: %v)", load.Sent-len(load.OK), load.Sent, load.FirstErr)
	}
	return load, nil
}
