package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/parley-dev/parley/bench"
	"github.com/parley-dev/parley/simulator"
)

type benchCallbacksConfig struct {
	URL, SigningKey, DatabaseURL, Issuer string
	Sessions, Concurrency, Count         int
	Duration                             time.Duration
	Rate                                 float64
}

// runBenchCallbacks posts signed MESSAGE callbacks to a running console and
// checks in its database that each one answered 200 was stored once.
func runBenchCallbacks(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c benchCallbacksConfig
	s := newSettings("bench callbacks")
	s.String(&c.URL, "url", "PARLEY_BENCH_URL", "http://127.0.0.1:8080", "the running parley serve; callbacks go to its /webhooks/server-messaging")
	s.String(&c.SigningKey, "signing-key", "PARLEY_SIM_SIGNING_KEY", "", "required: the RSA private key PEM the console trusts for callbacks (the simulator's PARLEY_SIM_SIGNING_KEY file)")
	s.databaseURL(&c.DatabaseURL)
	s.String(&c.Issuer, "issuer", "PARLEY_BENCH_ISSUER", simulator.Issuer, "iss of the signed tokens")
	s.Int(&c.Sessions, "sessions", "PARLEY_BENCH_SESSIONS", 100, "connected sessions created in the database for the run; callbacks go round-robin to them")
	s.Int(&c.Concurrency, "concurrency", "PARLEY_BENCH_CONCURRENCY", 8, "callbacks in flight at once")
	s.Int(&c.Count, "count", "PARLEY_BENCH_COUNT", 10000, "callbacks signed ahead of time and posted (at most)")
	s.Duration(&c.Duration, "duration", "PARLEY_BENCH_DURATION", 0, "stop posting after this long; 0 posts all of --count")
	s.Float(&c.Rate, "rate", "PARLEY_BENCH_RATE", 0, "callbacks per second to send at (paced); 0 sends as fast as they are answered")
	check := func() error {
		switch {
		case c.SigningKey == "":
			return errors.New("PARLEY_SIM_SIGNING_KEY (--signing-key) is required: the key the console verifies callbacks with")
		case c.Sessions < 1 || c.Concurrency < 1 || c.Count < 1:
			return errors.New("--sessions, --concurrency and --count must be at least 1")
		case c.Duration < 0 || c.Rate < 0:
			return errors.New("--duration and --rate must not be negative")
		}
		return nil
	}
	if _, err := s.start(args, getenv, stdout, stderr, check, &logSettings{Level: "warn", Format: "text"}); err != nil {
		return err
	}
	key, err := loadSigningKey(c.SigningKey)
	if err != nil {
		return fmt.Errorf("PARLEY_SIM_SIGNING_KEY: %w", err)
	}
	db, err := bench.OpenDB(ctx, c.DatabaseURL)
	if err != nil {
		return fmt.Errorf("PARLEY_DATABASE_URL: %w", err)
	}
	defer db.Close()

	prefix := "bench-" + time.Now().UTC().Format("150405") + "-" + shortRandom()
	sessions, err := db.CreateSessions(ctx, prefix, c.Sessions)
	if err != nil {
		return err
	}
	// Tokens are signed before the clock starts, so they must outlive the
	// run; the console refuses tokens valid for over an hour by default.
	life := min(max(5*time.Minute, c.Duration+2*time.Minute), 55*time.Minute)
	signStart := time.Now()
	callbacks, err := bench.Signer{Key: key, Issuer: c.Issuer, Life: life}.SignMessages(prefix, sessions, c.Count)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "signed %d MESSAGE callbacks to %d sessions in %s\n", len(callbacks), len(sessions), time.Since(signStart).Round(time.Millisecond))

	load := bench.Post(ctx, strings.TrimRight(c.URL, "/")+"/webhooks/server-messaging", callbacks, c.Concurrency, c.Duration, c.Rate)
	fmt.Fprintln(stdout, load)
	fmt.Fprintf(stdout, "rate: %.0f callbacks/s stored at concurrency %d\n", load.Rate(), c.Concurrency)
	fmt.Fprintf(stdout, "latency: %s\n", load.Latency)

	// A 200 means stored; with the inbox, applied a little later.
	events, err := db.StoredEvents(ctx, prefix)
	if err != nil {
		return err
	}
	delivery := bench.CheckDelivery(load.OK, events)
	fmt.Fprintf(stdout, "stored: %s\n", delivery)
	if !delivery.OK() {
		return fmt.Errorf("callbacks lost or doubled: %d lost, %d doubled", len(delivery.Lost), len(delivery.Doubled))
	}
	messages, appliedIn, err := waitApplied(ctx, db, prefix, len(load.OK))
	if err != nil {
		return err
	}
	applied := bench.CheckDelivery(load.OK, messages)
	all := load.Elapsed + appliedIn
	fmt.Fprintf(stdout, "applied: %s; the last %s after the last answer, %.0f callbacks/s from the first post to the last applied\n",
		applied, appliedIn.Round(time.Millisecond), float64(len(load.OK))/all.Seconds())
	if !applied.OK() {
		return fmt.Errorf("callbacks not applied once: %d missing, %d doubled", len(applied.Lost), len(applied.Doubled))
	}
	if len(load.OK) < load.Sent {
		return fmt.Errorf("%d of %d callbacks were not answered 200", load.Sent-len(load.OK), load.Sent)
	}
	return nil
}

// waitApplied waits until want of the run's callbacks are in transcripts,
// or a minute passes, and says how long after the call that took.
func waitApplied(ctx context.Context, db *bench.DB, prefix string, want int) (map[string]int, time.Duration, error) {
	start := time.Now()
	for {
		messages, err := db.StoredMessages(ctx, prefix)
		if err != nil {
			return nil, 0, err
		}
		if len(messages) >= want || time.Since(start) > time.Minute {
			return messages, time.Since(start), nil
		}
		select {
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
