// Package simtest runs a real Alvaria simulator over HTTP for other
// packages' tests, with an Alvaria client pointed at it.
package simtest

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/simulator"
)

// Server is a simulator served by httptest, closed when the test ends.
type Server struct {
	*simulator.Simulator
	URL string
}

// Start runs a simulator for the test. Unset, the callbacks go to a
// receiver that accepts and drops them, the signing key is testkit.RSAKey,
// and the random source has a fixed seed so injected faults repeat.
func Start(t testing.TB, cfg simulator.Config) *Server {
	t.Helper()
	if cfg.CallbackURL == "" {
		sink := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		t.Cleanup(sink.Close)
		cfg.CallbackURL = sink.URL
	}
	if cfg.SigningKey == nil {
		cfg.SigningKey = testkit.RSAKey(t)
	}
	if cfg.Rand == nil {
		cfg.Rand = Rand()
	}
	sim, err := simulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return &Server{Simulator: sim, URL: srv.URL}
}

// Rand returns a random source with a fixed seed, for simulator.Config.Rand.
func Rand() *rand.Rand { return rand.New(rand.NewPCG(12, 34)) }

// Client returns an Alvaria client for the server with the simulator's
// default credentials and quick retries; change, when not nil, adjusts the
// configuration first.
func (s *Server) Client(t testing.TB, change func(*alvaria.Config)) *alvaria.Client {
	t.Helper()
	return Client(t, s.URL, change)
}

// Client returns an Alvaria client for a simulator at base, as
// Server.Client does.
func Client(t testing.TB, base string, change func(*alvaria.Config)) *alvaria.Client {
	t.Helper()
	cfg := alvaria.Config{
		APIURL: base, TokenURL: base + simulator.TokenPath,
		OrgID: simulator.DefaultOrgID, ClientID: simulator.DefaultClientID,
		ClientSecret: simulator.DefaultClientSecret, APIKey: simulator.DefaultAPIKey,
		MaxAttempts: 2, BaseDelay: time.Millisecond,
	}
	if change != nil {
		change(&cfg)
	}
	c, err := alvaria.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
