package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/parley-dev/parley/bench"
	"github.com/parley-dev/parley/simulator"
)

// runBenchLive times callback → websocket frame on a session page.
func runBenchLive(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var base, webhookBase, keyPath, databaseURL, username, password string
	var count int
	var wait time.Duration
	s := newSettings("bench live")
	s.String(&base, "url", "PARLEY_BENCH_URL", "http://127.0.0.1:8080", "the running parley serve")
	s.String(&keyPath, "signing-key", "PARLEY_SIM_SIGNING_KEY", "", "required: the RSA private key PEM the console trusts for callbacks")
	s.databaseURL(&databaseURL)
	s.String(&username, "username", "PARLEY_BENCH_USERNAME", "admin", "who signs in to watch the session page")
	s.String(&password, "password", "PARLEY_BENCH_PASSWORD", "", "required: their password")
	s.String(&webhookBase, "webhook-url", "PARLEY_BENCH_WEBHOOK_URL", "", "the parley serve the callbacks go to; empty: --url. Another instance on the same database times the way across instances")
	s.Int(&count, "count", "PARLEY_BENCH_COUNT", 200, "callbacks posted one after another, each waited for on the page")
	s.Duration(&wait, "wait", "PARLEY_BENCH_WAIT", 5*time.Second, "longest wait for a frame before the run fails")
	check := func() error {
		switch {
		case keyPath == "" || password == "":
			return errors.New("PARLEY_SIM_SIGNING_KEY (--signing-key) and PARLEY_BENCH_PASSWORD (--password) are required")
		case count < 1 || wait <= 0:
			return errors.New("--count must be at least 1 and --wait positive")
		}
		return nil
	}
	if _, err := s.start(args, getenv, stdout, stderr, check, &logSettings{Level: "warn", Format: "text"}); err != nil {
		return err
	}
	key, err := loadSigningKey(keyPath)
	if err != nil {
		return fmt.Errorf("PARLEY_SIM_SIGNING_KEY: %w", err)
	}
	db, err := bench.OpenDB(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("PARLEY_DATABASE_URL: %w", err)
	}
	defer db.Close()
	prefix := "live-" + time.Now().UTC().Format("150405") + "-" + shortRandom()
	sessions, err := db.CreateSessions(ctx, prefix, 1)
	if err != nil {
		return err
	}
	signer := bench.Signer{Key: key, Issuer: simulator.Issuer, Life: min(max(5*time.Minute, time.Duration(count)*wait), 55*time.Minute)}
	callbacks := make([]bench.Callback, count)
	texts := make([]string, count)
	for i := range count {
		eventID := fmt.Sprintf("%s-%d", prefix, i)
		texts[i] = "live " + eventID + " end"
		if callbacks[i], err = signer.Message(sessions[0], eventID, texts[i]); err != nil {
			return err
		}
	}
	console, err := bench.SignIn(ctx, base, username, password)
	if err != nil {
		return err
	}
	webhook := strings.TrimRight(cmp.Or(webhookBase, base), "/") + "/webhooks/server-messaging"
	times, err := console.LiveTimes(ctx, webhook, bench.SessionRowID(prefix, 0), callbacks, texts, wait)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "callback → frame on the session page, %d callbacks one at a time: %s\n", len(times), bench.Summarize(times))
	return nil
}
