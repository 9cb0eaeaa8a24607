package main

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/connections"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/seal"
	"github.com/parley-dev/parley/store/storetest"
)

// The issuer, audience and lifetime settings reach the verifier of a real
// Alvaria connection.
func TestRealConnectionChecksConfiguredClaims(t *testing.T) {
	key := testkit.RSAKey(t)
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemPath := filepath.Join(t.TempDir(), "alvaria.pem")
	if err := os.WriteFile(pemPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	conn, err := realConnection(alvariaConfig{
		APIURL: "https://demo.via.example", TokenURL: "https://id.example/token", OrgID: "demo",
		ClientID: "c", ClientSecret: "s", APIKey: "k", CallbackKeyPath: pemPath,
		CallbackIssuer: "alvaria", CallbackAudience: "parley", CallbackMaxLifetime: 10 * time.Minute, ConnectionName: "default",
	})
	if err != nil {
		t.Fatal(err)
	}
	// The webhook verifies through the connections service, on the old
	// path (the default connection's) and on the connection's own.
	box, err := seal.New(make([]byte, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	conns, err := connections.New(t.Context(), connections.Config{Store: storetest.SQLite(t), Box: box, Builtins: []connections.Builtin{conn.Builtin}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	sign := func(iss, aud string, life time.Duration) string {
		tok, err := alvaria.SignCallbackToken(key, alvaria.CallbackClaims{RegisteredClaims: jwt.RegisteredClaims{
			Issuer: iss, Audience: jwt.ClaimStrings{aud}, IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(life)),
		}})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tests := []struct {
		name      string
		token     string
		wantValid bool
	}{
		{"as configured", sign("alvaria", "parley", 5*time.Minute), true},
		{"another issuer", sign("someone", "parley", 5*time.Minute), false},
		{"another audience", sign("alvaria", "other", 5*time.Minute), false},
		{"longer than the configured lifetime", sign("alvaria", "parley", 30*time.Minute), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"", "default"} {
				_, err := conns.VerifyCallback(path, "Bearer "+tt.token)
				if (err == nil) != tt.wantValid {
					t.Fatalf("VerifyCallback(%q) = %v, want valid %v", path, err, tt.wantValid)
				}
			}
		})
	}
}
