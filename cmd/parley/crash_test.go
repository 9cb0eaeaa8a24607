package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-dev/parley/bench"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/store/storetest"
)

// A server killed while callbacks pour in loses and doubles none of them:
// each callback answered 200 before the kill is stored and applied once,
// the others are stored and applied once when Alvaria retries them after
// the restart, and nothing is left stored but not applied.
func TestAKilledServerLosesAndDoublesNoCallback(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testKilledServer(t, "sqlite://"+filepath.Join(t.TempDir(), "parley.db"))
	})
	t.Run("postgres", func(t *testing.T) { testKilledServer(t, storetest.PostgresURL(t)) })
}

func testKilledServer(t *testing.T, dbURL string) {
	ctx := t.Context()
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "sim.pem")
	if err := run(ctx, []string{"migrate", "--database-url", dbURL}, envMap(nil), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	db, err := bench.OpenDB(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const prefix, callbacks = "crash", 1200
	sessions, err := db.CreateSessions(ctx, prefix, 20)
	if err != nil {
		t.Fatal(err)
	}

	srv := startParleyProcess(t, dbURL, keyPath)
	key, err := loadSigningKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := bench.Signer{Key: key, Life: 10 * time.Minute}.SignMessages(prefix, sessions, callbacks)
	if err != nil {
		t.Fatal(err)
	}
	posted := make(chan bench.Load, 1)
	go func() { posted <- bench.Post(context.Background(), srv.webhook(), signed, 16, 0, 0) }()
	testkit.Eventually(t, time.Minute, func() bool {
		stored, err := db.StoredMessages(ctx, prefix)
		return err == nil && len(stored) >= callbacks/5
	}, "a fifth of the callbacks stored before the kill")
	srv.kill(t)
	first := <-posted
	if len(first.OK) == 0 || len(first.OK) == callbacks {
		t.Fatalf("the kill came at the wrong time: %d of %d answered 200", len(first.OK), callbacks)
	}
	// What the inbox had stored and not yet applied is the start sweep's.
	var leftStored int
	if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM callback_events WHERE applied_at IS NULL AND session_id IS NULL").Scan(&leftStored); err != nil {
		t.Fatal(err)
	}

	// Alvaria retries whatever was not answered 200; sending everything
	// again also repeats the ones that were, as a retry after a lost
	// answer would.
	srv = startParleyProcess(t, dbURL, keyPath)
	again := bench.Post(ctx, srv.webhook(), signed, 16, 0, 0)
	if len(again.OK) != callbacks {
		t.Fatalf("after the restart %d of %d callbacks were answered 200: %s", len(again.OK), callbacks, again)
	}
	// A 200 says stored; the applier follows.
	testkit.Eventually(t, time.Minute, func() bool {
		var unapplied int
		err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM callback_events WHERE applied_at IS NULL").Scan(&unapplied)
		return err == nil && unapplied == 0
	}, "every stored callback applied")
	stored, err := db.StoredMessages(ctx, prefix)
	if err != nil {
		t.Fatal(err)
	}
	d := bench.CheckDelivery(again.OK, stored)
	if !d.OK() || d.Stored != callbacks || len(d.Extra) > 0 {
		t.Fatalf("after a kill and retries: %s", d)
	}
	var unapplied, counted int
	if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM callback_events WHERE applied_at IS NULL").Scan(&unapplied); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL().QueryRowContext(ctx, "SELECT coalesce(sum(message_count), 0) FROM sessions").Scan(&counted); err != nil {
		t.Fatal(err)
	}
	if unapplied != 0 || counted != callbacks {
		t.Fatalf("%d callbacks stored but not applied, sessions count %d messages; want 0 and %d", unapplied, counted, callbacks)
	}
	t.Logf("%d of %d answered 200 before the kill, %d of them stored and not yet applied", len(first.OK), callbacks, leftStored)
}

// parleyProcess is `parley serve` in a process of its own.
type parleyProcess struct {
	cmd  *exec.Cmd
	addr string
	done chan struct{}
}

func (p *parleyProcess) webhook() string { return "http://" + p.addr + "/webhooks/server-messaging" }

// kill ends the process at once, as a crash or an out-of-memory kill would.
func (p *parleyProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

// startParleyProcess runs the test binary as parley serve on a free port
// and waits until it is ready.
func startParleyProcess(t *testing.T, dbURL, keyPath string) *parleyProcess {
	t.Helper()
	// The same secret key on every start: it seals the connections' secrets.
	const secretKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], "serve", "--addr", addr, "--log-level", "error")
	cmd.Env = append(os.Environ(),
		envRunAsParley+"=1",
		"PARLEY_DATABASE_URL="+dbURL,
		"PARLEY_SIM_SIGNING_KEY="+keyPath,
		"PARLEY_ADMIN_PASSWORD="+testAdminPassword,
		"PARLEY_SECRET_KEY="+secretKey,
	)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &parleyProcess{cmd: cmd, addr: addr, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	testkit.Eventually(t, time.Minute, func() bool {
		select {
		case <-p.done:
			t.Fatalf("parley serve stopped before it was ready")
		default:
		}
		resp, err := http.Get(fmt.Sprintf("http://%s/readyz", addr))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, "parley serve ready")
	return p
}

// freeAddr finds a loopback port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
