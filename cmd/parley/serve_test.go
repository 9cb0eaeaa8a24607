package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// server is a running `parley serve` for tests.
type server struct {
	URL string
	log *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServe runs `parley serve` with the given environment on a free port
// and stops it when the test ends.
// testSecretKey seals connection secrets in tests on Postgres.
const testSecretKey = "c2VhbHMgdGhlIHRlc3QgY29ubmVjdGlvbiBzZWNyZXQ="

func startServe(t *testing.T, env map[string]string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	logs := &syncBuffer{}
	all := append([]string{"--addr", "127.0.0.1:0"}, args...)
	if _, set := env["PARLEY_ADMIN_PASSWORD"]; !set {
		withAdmin := map[string]string{"PARLEY_ADMIN_PASSWORD": testAdminPassword}
		for k, v := range env {
			withAdmin[k] = v
		}
		env = withAdmin
	}
	// Postgres has no data directory for a generated key.
	if _, set := env["PARLEY_SECRET_KEY"]; !set && strings.HasPrefix(env["PARLEY_DATABASE_URL"], "postgres") && env["PARLEY_SECRET_KEY_FILE"] == "" {
		withKey := map[string]string{"PARLEY_SECRET_KEY": testSecretKey}
		for k, v := range env {
			withKey[k] = v
		}
		env = withKey
	}
	go func() {
		done <- runServe(ctx, all, envMap(env), io.Discard, logs, func(a net.Addr) { addrc <- a })
	}()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case err := <-done:
		cancel()
		t.Fatalf("serve stopped: %v\n%s", err, logs)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("serve did not start\n%s", logs)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return &server{URL: "http://" + addr.String(), log: logs}
}

func TestServeOnSQLiteCreatesTheDatabaseAndServesPages(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	srv := startServe(t, nil)

	if _, err := os.Stat(filepath.Join(dir, "parley.db")); err != nil {
		t.Fatalf("parley.db not created in the working directory: %v", err)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := testkit.Get(t, srv.URL+path); code != http.StatusOK {
			t.Errorf("%s = %d %q", path, code, body)
		}
	}
	admin := srv.admin(t)
	code, body := admin.Get(t, "/")
	if code != http.StatusOK || !strings.Contains(body, "No sessions yet") {
		t.Fatalf("/ = %d, empty state missing:\n%s", code, body)
	}
	if code, body := testkit.Get(t, srv.URL+"/static/parley.css"); code != http.StatusOK || !strings.Contains(body, "--accent") {
		t.Errorf("/static/parley.css = %d", code)
	}
	if code, _ := testkit.Get(t, srv.URL+"/no/such/page"); code != http.StatusNotFound {
		t.Errorf("unknown page = %d, want 404", code)
	}
	if code, _ := admin.Get(t, "/?after=garbage"); code != http.StatusBadRequest {
		t.Errorf("bad cursor = %d, want 400", code)
	}
}

func TestServeOnPostgres(t *testing.T) {
	url := storetest.PostgresURL(t)
	srv := startServe(t, map[string]string{"PARLEY_DATABASE_URL": url})
	if code, body := testkit.Get(t, srv.URL+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz = %d %q", code, body)
	}
	if code, _ := srv.admin(t).Get(t, "/"); code != http.StatusOK {
		t.Fatalf("/ = %d", code)
	}
}

func TestServeStopsOnUnreachableDatabase(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := ln.Addr().String()
	ln.Close()
	err = run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0"},
		envMap(map[string]string{"PARLEY_DATABASE_URL": "postgres://postgres:secret@" + closedPort + "/parley"}), io.Discard, io.Discard)
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "PARLEY_DATABASE_URL") || strings.Contains(msg, "secret") || strings.Contains(msg, "\n") {
		t.Fatalf("want one line naming PARLEY_DATABASE_URL without the password, got %q", msg)
	}
}

func TestMigrateSubcommand(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	dbURL := "sqlite://" + filepath.Join(dir, "m.db")
	for i := 0; i < 2; i++ {
		out.Reset()
		if err := run(t.Context(), []string{"migrate", "--database-url", dbURL}, envMap(nil), &out, io.Discard); err != nil {
			t.Fatalf("migrate run %d: %v", i, err)
		}
		if !strings.Contains(out.String(), "migrations applied") {
			t.Fatalf("output %q", out.String())
		}
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"version"}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "parley ") {
		t.Fatalf("version output %q", out.String())
	}
}

// TestServeSettlesMessagesLeftSending: a message a crash left "sending" is
// settled when serve starts, and the page says its outcome is unknown
// instead of leaving it sending for ever.
func TestServeSettlesMessagesLeftSending(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	st, err := store.Open(t.Context(), "sqlite://"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	then := time.Now().Add(-10 * time.Minute)
	s := store.Session{AlvariaSessionID: "alv-crashed", WorkTypeID: "32", ContactName: "Ada", State: store.SessionActive, CreatedAt: then, LastActivityAt: then}
	if err := st.CreateSession(t.Context(), &s); err != nil {
		t.Fatal(err)
	}
	m := store.Message{SessionID: s.ID, Direction: store.DirectionCustomer, SenderID: "admin", Text: "typed before the crash", Status: store.MessageSending, CreatedAt: then}
	if _, err := st.AddMessage(t.Context(), &m); err != nil {
		t.Fatal(err)
	}
	st.Close()

	srv := startServe(t, map[string]string{"PARLEY_DATABASE_URL": "sqlite://" + path})
	code, body := srv.admin(t).Get(t, "/sessions/"+s.ID)
	if code != http.StatusOK {
		t.Fatalf("session page = %d", code)
	}
	if !strings.Contains(body, `data-status="unknown"`) || !strings.Contains(body, "outcome unknown") {
		t.Errorf("the message left sending is not shown as of unknown outcome:\n%s", body)
	}
	if !strings.Contains(srv.log.String(), "message left sending was settled") {
		t.Errorf("serve did not settle it at start; log:\n%s", srv.log)
	}
}
