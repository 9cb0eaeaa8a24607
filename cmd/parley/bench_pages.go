package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/parley-dev/parley/bench"
)

// Words the page benchmark searches for: "message" is in every seeded
// message, the rare word in one message of the oldest session.
const (
	benchCommonWord = "message"
	benchRareWord   = "zanzibar"
)

// runBenchPages requests one page of a running console, signed in, from
// many connections, and reports pages/s and latency.
func runBenchPages(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var base, databaseURL, username, password, page, search, session string
	var concurrency, transcript int
	var duration time.Duration
	s := newSettings("bench pages")
	s.String(&base, "url", "PARLEY_BENCH_URL", "http://127.0.0.1:8080", "the running parley serve")
	s.databaseURL(&databaseURL)
	s.String(&username, "username", "PARLEY_BENCH_USERNAME", "admin", "who signs in to read the pages")
	s.String(&password, "password", "PARLEY_BENCH_PASSWORD", "", "required: their password")
	s.String(&page, "page", "PARLEY_BENCH_PAGE", "list", "list (the sessions list), search (the list searched for --search) or session (a session's page)")
	s.String(&search, "search", "PARLEY_BENCH_SEARCH", benchCommonWord, "what --page search searches for; "+benchRareWord+" is said once, in the oldest session")
	s.String(&session, "session", "PARLEY_BENCH_SESSION", "", "the session --page session reads; empty makes (once) a session of --transcript messages in the database and reads it")
	s.Int(&transcript, "transcript", "PARLEY_BENCH_TRANSCRIPT", 1000, "messages of the session made for --page session")
	s.Int(&concurrency, "concurrency", "PARLEY_BENCH_CONCURRENCY", 8, "requests in flight at once, each on its own connection")
	s.Duration(&duration, "duration", "PARLEY_BENCH_DURATION", 10*time.Second, "how long to request the page")
	check := func() error {
		switch {
		case password == "":
			return errors.New("PARLEY_BENCH_PASSWORD (--password) is required: the page benchmark signs in")
		case page != "list" && page != "search" && page != "session":
			return fmt.Errorf("--page %q: choose list, search or session", page)
		case page == "search" && search == "":
			return errors.New("--search must not be empty for --page search")
		case concurrency < 1 || transcript < 1 || duration <= 0:
			return errors.New("--concurrency and --transcript must be at least 1 and --duration positive")
		}
		return nil
	}
	if _, err := s.start(args, getenv, stdout, stderr, check, &logSettings{Level: "warn", Format: "text"}); err != nil {
		return err
	}
	path := "/"
	switch page {
	case "search":
		path = "/?q=" + url.QueryEscape(search)
	case "session":
		if session == "" {
			db, err := bench.OpenDB(ctx, databaseURL)
			if err != nil {
				return fmt.Errorf("PARLEY_DATABASE_URL: %w", err)
			}
			session, err = db.SeedTranscript(ctx, transcript, benchRareWord)
			db.Close()
			if err != nil {
				return err
			}
		}
		path = "/sessions/" + url.PathEscape(session)
	}
	console, err := bench.SignIn(ctx, base, username, password)
	if err != nil {
		return err
	}
	// One request first, so a page that fails is told apart from a slow one
	// and the first request's costs stay out of the figures.
	code, body, err := console.Get(ctx, path)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	if code != http.StatusOK {
		return fmt.Errorf("GET %s answered %d, not 200", path, code)
	}
	fmt.Fprintf(stdout, "GET %s: %d bytes\n", path, len(body))
	load := console.Pages(ctx, path, concurrency, duration)
	fmt.Fprintln(stdout, load)
	fmt.Fprintf(stdout, "rate: %.0f pages/s at concurrency %d\n", load.Rate(), concurrency)
	fmt.Fprintf(stdout, "latency: %s\n", load.Latency)
	if load.OK == 0 || len(load.Non200) > 0 || load.Errors > 0 {
		return errors.New("bench pages: some requests did not answer 200")
	}
	return nil
}
