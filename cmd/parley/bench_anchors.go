package main

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/parley-dev/parley/bench"
	"github.com/parley-dev/parley/simulator"
)

// runBenchAnchors measures what Parley's figures are compared with on this
// machine: the RS256 ceiling and a SQLite one-row insert loop.
func runBenchAnchors(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var keyPath, sqlitePath string
	var duration time.Duration
	var concurrency int
	var only string
	var count int
	s := newSettings("bench anchors")
	s.String(&keyPath, "signing-key", "PARLEY_SIM_SIGNING_KEY", "", "RSA private key PEM to sign with; empty makes a new key of the simulator's size")
	s.String(&sqlitePath, "sqlite-file", "PARLEY_BENCH_SQLITE_FILE", "", "SQLite file for the insert loop; empty uses a new file in a temporary directory (put it on the disk parley.db is on)")
	s.Duration(&duration, "duration", "PARLEY_BENCH_DURATION", 5*time.Second, "how long each anchor runs")
	s.Int(&concurrency, "concurrency", "PARLEY_BENCH_CONCURRENCY", 1, "goroutines sharing the one SQLite connection in the insert loop")
	s.String(&only, "only", "PARLEY_BENCH_ONLY", "", "run one anchor: rs256, sqlite or webhook; empty runs all three")
	s.Int(&count, "count", "PARLEY_BENCH_COUNT", 20000, "callbacks the webhook anchor signs ahead of time and posts")
	check := func() error {
		if duration <= 0 || concurrency < 1 || count < 1 {
			return errors.New("--duration must be positive, --concurrency and --count at least 1")
		}
		if only != "" && only != "rs256" && only != "sqlite" && only != "webhook" {
			return fmt.Errorf("--only %q: use rs256, sqlite or webhook", only)
		}
		return nil
	}
	if _, err := s.start(args, getenv, stdout, stderr, check, &logSettings{Level: "warn", Format: "text"}); err != nil {
		return err
	}
	if only == "" || only == "rs256" {
		key, err := anchorKey(keyPath)
		if err != nil {
			return err
		}
		sign, verify, err := bench.RS256(key, duration)
		if err != nil {
			return fmt.Errorf("rs256: %w", err)
		}
		fmt.Fprintf(stdout, "rs256 sign (%d-bit key, all CPUs): %s\n", key.N.BitLen(), sign)
		fmt.Fprintf(stdout, "rs256 verify (%d-bit key, all CPUs): %s\n", key.N.BitLen(), verify)
	}
	if only == "" || only == "webhook" {
		key, err := anchorKey(keyPath)
		if err != nil {
			return err
		}
		load, err := bench.WebhookCeiling(ctx, key, simulator.Issuer, concurrency, count)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "webhook verify-and-answer ceiling (no database, concurrency %d): %.0f callbacks/s, latency %s\n", concurrency, load.Rate(), load.Latency)
	}
	if only == "" || only == "sqlite" {
		path := sqlitePath
		if path == "" {
			dir, err := os.MkdirTemp("", "parley-bench-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			path = filepath.Join(dir, "anchor.db")
		}
		rate, err := bench.SQLiteInserts(ctx, path, concurrency, duration)
		if err != nil {
			return fmt.Errorf("sqlite insert loop: %w", err)
		}
		fmt.Fprintf(stdout, "sqlite one-row inserts (%d goroutines, one connection): %s\n", concurrency, rate)
	}
	return nil
}

// anchorKey is the key at path, or a new one of the simulator's size.
func anchorKey(path string) (*rsa.PrivateKey, error) {
	key, err := simulator.GenerateSigningKey()
	if path != "" {
		key, err = loadSigningKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	return key, nil
}
