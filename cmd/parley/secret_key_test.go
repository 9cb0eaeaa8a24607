package main

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-dev/parley/seal"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

func TestServeRefusesAKeyThatDoesNotOpenTheSecrets(t *testing.T) {
	dir := t.TempDir()
	dbURL := "sqlite://" + filepath.Join(dir, "parley.db")
	// Seal a connection's secrets under one key...
	st, err := store.Open(t.Context(), dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	key, text, _ := seal.NewKey()
	box, _ := seal.New(key)
	sealed, _ := box.Seal("tenant-client-secret", "connection eu client_secret")
	sealedKey, _ := box.Seal("tenant-api-key", "connection eu api_key")
	row := store.Connection{Slug: "eu", Name: "EU", APIURL: "https://eu.example", TokenURL: "https://id.example/t", OrgID: "o", ClientID: "c",
		ClientSecretSealed: sealed, APIKeySealed: sealedKey}
	if err := st.CreateConnection(t.Context(), &row); err != nil {
		t.Fatal(err)
	}
	st.Close()

	_, other, _ := seal.NewKey()
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"another key", map[string]string{"PARLEY_SECRET_KEY": other}, "PARLEY_SECRET_KEY does not open the secrets stored in the database"},
		{"not base64", map[string]string{"PARLEY_SECRET_KEY": "not a key!"}, "PARLEY_SECRET_KEY: it is not base64"},
		{"too short", map[string]string{"PARLEY_SECRET_KEY": "c2hvcnQ="}, "PARLEY_SECRET_KEY: it decodes to 5 bytes; it must be 32"},
		{"no key: a new key file is made, which cannot open them", map[string]string{}, "the secret key file does not open the secrets stored in the database"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["PARLEY_DATABASE_URL"] = dbURL
			err := runOnce(t, tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("serve = %v, want one line with %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "tenant-client-secret") {
				t.Fatal("the error shows the secret")
			}
		})
	}
	// With the right key it starts.
	srv := startServe(t, map[string]string{"PARLEY_DATABASE_URL": dbURL, "PARLEY_SECRET_KEY": text})
	if code, _ := srv.admin(t).Get(t, "/"); code != 200 {
		t.Fatalf("/ = %d", code)
	}
}

func TestServeMakesAKeyFileBesideSQLiteAndSaysSo(t *testing.T) {
	dir := t.TempDir()
	srv := startServe(t, map[string]string{"PARLEY_DATABASE_URL": "sqlite://" + filepath.Join(dir, "parley.db")})
	path := filepath.Join(dir, secretKeyFileName)
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", info, err)
	}
	if n := strings.Count(srv.log.String(), "generated the key that seals connection secrets"); n != 1 {
		t.Fatalf("the log says it %d times:\n%s", n, srv.log)
	}
}

func TestServeOnPostgresNeedsAKey(t *testing.T) {
	err := runOnce(t, map[string]string{"PARLEY_DATABASE_URL": storetest.PostgresURL(t), "PARLEY_SECRET_KEY_FILE": ""})
	if err == nil || !strings.HasPrefix(err.Error(), "PARLEY_SECRET_KEY is not set: on Postgres") {
		t.Fatalf("serve = %v", err)
	}
}

// runOnce starts serve and returns its error, or stops it at once if it
// starts.
func runOnce(t *testing.T, env map[string]string) error {
	t.Helper()
	env["PARLEY_ADMIN_PASSWORD"] = testAdminPassword
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	return runServe(ctx, []string{"--addr", "127.0.0.1:0"}, envMap(env), io.Discard, io.Discard, func(net.Addr) { cancel() })
}
