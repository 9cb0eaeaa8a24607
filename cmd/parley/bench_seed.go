package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/parley-dev/parley/bench"
)

// runBenchSeed fills a database for the page benchmarks.
func runBenchSeed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var databaseURL, prefix string
	var sessions, messages, batch int
	s := newSettings("bench seed")
	s.databaseURL(&databaseURL)
	s.Int(&sessions, "sessions", "PARLEY_BENCH_SESSIONS", 100_000, "sessions to add")
	s.Int(&messages, "messages", "PARLEY_BENCH_MESSAGES", 1_000_000, "messages to add, spread evenly over the sessions")
	s.Int(&batch, "batch", "PARLEY_BENCH_BATCH", 500, "sessions per transaction (their messages go in the same one)")
	s.String(&prefix, "prefix", "PARLEY_BENCH_PREFIX", "seed", "start of the seeded session ids; use another to seed the same database twice")
	check := func() error {
		if sessions < 1 || messages < 0 || batch < 1 {
			return errors.New("--sessions and --batch must be at least 1, --messages not negative")
		}
		return nil
	}
	if _, err := s.start(args, getenv, stdout, stderr, check, &logSettings{Level: "warn", Format: "text"}); err != nil {
		return err
	}
	db, err := bench.OpenDB(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("PARLEY_DATABASE_URL: %w", err)
	}
	defer db.Close()
	seed, err := db.Seed(ctx, prefix, sessions, messages, batch)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d sessions and %d messages in %s\n", seed.Sessions, seed.Messages, seed.Elapsed.Round(1e6))
	return nil
}
