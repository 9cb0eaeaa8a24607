package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/parley-dev/parley/bench"
)

type benchMemoryConfig struct {
	URL, Username, Password, Path string
	PID, Sockets, Breakdown       int
	Settle                        time.Duration
}

// runBenchMemory measures a console's resident memory idle and with many
// idle websockets open, signed in: it starts a parley serve of its own
// (SQLite in a temporary directory, the embedded simulator) or measures the
// one at --url whose process is --pid.
func runBenchMemory(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c benchMemoryConfig
	s := newSettings("bench memory")
	s.String(&c.URL, "url", "PARLEY_BENCH_URL", "", "a running parley serve to measure (with --pid); empty starts one with SQLite in a temporary directory")
	s.Int(&c.PID, "pid", "PARLEY_BENCH_PID", 0, "with --url: the process id of that parley serve, whose /proc/<pid>/status is read")
	s.String(&c.Username, "username", "PARLEY_BENCH_USERNAME", "admin", "who signs in to open the websockets")
	s.String(&c.Password, "password", "PARLEY_BENCH_PASSWORD", "", "with --url: their password")
	s.String(&c.Path, "path", "PARLEY_BENCH_PATH", "/live/sessions", "the websocket to open: /live/sessions (the sessions list) or /sessions/<id>/live")
	s.Int(&c.Sockets, "sockets", "PARLEY_BENCH_SOCKETS", 1000, "idle websockets to hold open")
	s.Int(&c.Breakdown, "breakdown", "PARLEY_BENCH_BREAKDOWN", 0, "when idle, also print where the executable's resident pages lie: KB per section and for the top this many Go packages (needs a binary with its symbol table)")
	s.Duration(&c.Settle, "settle", "PARLEY_BENCH_SETTLE", 5*time.Second, "wait this long before each reading, for start-up and opening garbage to be collected")
	check := func() error {
		switch {
		case c.URL != "" && (c.PID < 1 || c.Password == ""):
			return errors.New("--url needs the --pid of that server and a --password to sign in with")
		case c.Sockets < 0 || c.Sockets > 20000:
			return errors.New("--sockets must be between 0 and 20,000")
		case c.Breakdown < 0:
			return errors.New("--breakdown must not be negative")
		case c.Settle < 0:
			return errors.New("--settle must not be negative")
		case !strings.HasPrefix(c.Path, "/"):
			return errors.New("--path must start with /")
		}
		return nil
	}
	if _, err := s.start(args, getenv, stdout, stderr, check, &logSettings{Level: "warn", Format: "text"}); err != nil {
		return err
	}
	if c.URL == "" {
		stop, err := startServeForMemory(ctx, &c, stderr)
		if err != nil {
			return err
		}
		defer stop()
	}
	sleep(ctx, c.Settle)
	idle, err := bench.ReadResident(c.PID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "idle: %s\n", idle)
	if c.Breakdown > 0 {
		if err := printBreakdown(stdout, c.PID, c.Breakdown); err != nil {
			return err
		}
	}
	if c.Sockets == 0 {
		return nil
	}
	console, err := bench.SignIn(ctx, c.URL, c.Username, c.Password)
	if err != nil {
		return err
	}
	start := time.Now()
	socks, err := console.OpenSockets(ctx, c.Path, c.Sockets)
	if err != nil {
		return err
	}
	defer socks.Close()
	fmt.Fprintf(stdout, "opened %d websockets to %s in %s\n", socks.Len(), c.Path, time.Since(start).Round(time.Millisecond))
	sleep(ctx, c.Settle)
	held, err := bench.ReadResident(c.PID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "with %d idle websockets: %s; %+.1f KB each over idle\n", socks.Len(), held, float64(held.RSS-idle.RSS)/1024/float64(socks.Len()))
	return nil
}

// printBreakdown prints where pid's resident pages of its executable lie.
func printBreakdown(w io.Writer, pid, top int) error {
	b, err := bench.ReadBreakdown(pid, fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "the executable's resident pages by section:")
	for _, s := range b.Sections {
		fmt.Fprintf(w, "  %8.0f KB  %s\n", s.KB, s.Name)
	}
	fmt.Fprintf(w, "by package (top %d):\n", top)
	for _, s := range b.Packages[:min(top, len(b.Packages))] {
		fmt.Fprintf(w, "  %8.0f KB  %s\n", s.KB, s.Name)
	}
	return nil
}

// startServeForMemory runs this binary's parley serve, as someone would
// start it: SQLite, the embedded simulator, the environment's GOGC and
// GOMEMLIMIT and PARLEY_ settings, on a free loopback port.
func startServeForMemory(ctx context.Context, c *benchMemoryConfig, stderr io.Writer) (func(), error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "parley-memory-")
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	pw := make([]byte, 12)
	_, _ = rand.Read(pw)
	c.Password = hex.EncodeToString(pw)
	c.URL = "http://" + addr
	cmd := exec.Command(exe, "serve")
	cmd.Env = append(os.Environ(),
		"PARLEY_ADDR="+addr,
		"PARLEY_PUBLIC_URL="+c.URL,
		"PARLEY_DATABASE_URL=sqlite://"+filepath.Join(dir, "parley.db"),
		"PARLEY_ADMIN_USER="+c.Username,
		"PARLEY_ADMIN_PASSWORD="+c.Password,
		"PARLEY_SIM_SIGNING_KEY="+filepath.Join(dir, "sim.pem"),
		"PARLEY_LOG_LEVEL=warn",
	)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = io.Discard, stderr
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start parley serve: %w", err)
	}
	c.PID = cmd.Process.Pid
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		os.RemoveAll(dir)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(c.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stop, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			stop()
			return nil, fmt.Errorf("parley serve on %s did not answer /healthz within 30s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
