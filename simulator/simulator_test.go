package simulator

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/internal/testkit"
)

func TestNewNamesTheBadField(t *testing.T) {
	good := Config{CallbackURL: "http://localhost/webhooks", SigningKey: testkit.RSAKey(t)}
	tests := []struct {
		field  string
		modify func(*Config)
	}{
		{"CallbackURL", func(c *Config) { c.CallbackURL = "" }},
		{"CallbackURL", func(c *Config) { c.CallbackURL = "localhost:8080/webhooks" }},
		{"CallbackURL", func(c *Config) { c.CallbackURL = "ftp://example.com/x" }},
		{"SigningKey", func(c *Config) { c.SigningKey = nil }},
		{"ErrorRate", func(c *Config) { c.ErrorRate = 1.5 }},
		{"DuplicateRate", func(c *Config) { c.DuplicateRate = -0.1 }},
		{"ReorderRate", func(c *Config) { c.ReorderRate = math.NaN() }},
		{"RateLimit", func(c *Config) { c.RateLimit = -1 }},
		{"ErrorStatus", func(c *Config) { c.ErrorStatus = 503 }},
		{"AgentDelay", func(c *Config) { c.AgentDelay = -1 }},
		{"RetryMaxDelay", func(c *Config) { c.RetryBaseDelay = 20 * 60e9 }},
		{"TranscriptCap", func(c *Config) { c.TranscriptCap = -1 }},
		{"BacklogLimit", func(c *Config) { c.BacklogLimit = -1 }},
		{"KeepEnded", func(c *Config) { c.KeepEnded = -60e9 }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			cfg := good
			tt.modify(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("%s: error %v does not name the field", tt.field, err)
			}
		})
	}
	sim, err := New(good)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	if c := sim.cfg; c.OrgID != "demo" || c.ClientID != "parley" || c.ClientSecret != "parley-secret" || c.APIKey != "parley-api-key" ||
		c.AgentDelay != DefaultAgentDelay || c.SessionMaxLife != DefaultSessionMaxLife || c.TokenTTL != DefaultTokenTTL ||
		c.RetryFor != DefaultRetryFor || c.ErrorStatus != 500 ||
		c.TranscriptCap != DefaultTranscriptCap || c.BacklogLimit != DefaultBacklogLimit || c.KeepEnded != DefaultKeepEnded {
		t.Errorf("defaults not applied: %+v", c)
	}
}

func TestLoadOrCreateSigningKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "callback-key.pem")
	created, err := LoadOrCreateSigningKey(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	loaded, err := LoadOrCreateSigningKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !loaded.Equal(created) {
		t.Error("the key read back differs from the one written")
	}

	pkcs1 := filepath.Join(dir, "pkcs1.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(testkit.RSAKey(t))})
	if err := os.WriteFile(pkcs1, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if k, err := LoadOrCreateSigningKey(pkcs1); err != nil || !k.Equal(testkit.RSAKey(t)) {
		t.Errorf("PKCS #1 key: %v", err)
	}

	sim, err := New(Config{CallbackURL: "http://localhost/", SigningKey: testkit.RSAKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	public := filepath.Join(dir, "public.pem")
	if err := os.WriteFile(public, sim.PublicKeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateSigningKey(public); err == nil || !strings.Contains(err.Error(), "PUBLIC KEY") {
		t.Errorf("a public key file: %v, want an error naming what it holds", err)
	}
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateSigningKey(garbage); err == nil {
		t.Error("garbage was accepted as a key")
	}
	if _, err := LoadOrCreateSigningKey(filepath.Join(dir, "missing-dir", "key.pem")); err == nil {
		t.Error("a key in a missing directory was reported created")
	}
}

func TestCloseStopsEveryGoroutine(t *testing.T) {
	h := newHarness(t, quick())
	id, _ := h.start(t)
	h.send(t, id, alvaria.Message{Text: "hello"})
	h.sim.Close()
	h.sim.Close() // twice is fine

	waitFor(t, "the simulator's goroutines to stop", func() bool {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		return !strings.Contains(stacks, "parley/simulator.(*")
	})
	// The API still answers after Close, though nothing more is delivered.
	if _, err := h.client.CreateSession(context.Background(), alvaria.NewSession{WorkTypeID: "32", ContactName: "Late"}); err != nil {
		t.Fatal(err)
	}
}
