package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/parley-dev/parley/bench"
	"github.com/parley-dev/parley/simulator"
)

type benchSimConfig struct {
	URL, OrgID, ClientID, ClientSecret, APIKey string
	SkipAuth, Deliver, Verify                  bool
	Concurrency, Count, Sessions, Events       int
	Workers                                    int
	Duration, Timeout                          time.Duration
	CPUProfile                                 string
}

// runBenchSim measures the Alvaria simulator: Create Session requests a
// second against it (or, with --url, against any server of the same API,
// such as the Prism mock that is its anchor), or with --deliver the
// callbacks it delivers a second.
func runBenchSim(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c benchSimConfig
	s := newSettings("bench sim")
	s.String(&c.URL, "url", "PARLEY_BENCH_URL", "", "base URL of an Alvaria API to drive (a parley simulate, or the Prism mock); empty starts a simulator in this process")
	s.String(&c.OrgID, "org-id", "PARLEY_BENCH_ORG_ID", simulator.DefaultOrgID, "organization in the API paths")
	s.String(&c.ClientID, "client-id", "PARLEY_BENCH_CLIENT_ID", simulator.DefaultClientID, "OAuth2 client id for the token, fetched once")
	s.String(&c.ClientSecret, "client-secret", "PARLEY_BENCH_CLIENT_SECRET", simulator.DefaultClientSecret, "OAuth2 client secret")
	s.String(&c.APIKey, "api-key", "PARLEY_BENCH_API_KEY", simulator.DefaultAPIKey, "x-api-key sent with each call")
	s.Bool(&c.SkipAuth, "skip-auth", "PARLEY_BENCH_SKIP_AUTH", false, "send a fixed bearer token instead of fetching one (for a mock without a token endpoint)")
	s.Int(&c.Concurrency, "concurrency", "PARLEY_BENCH_CONCURRENCY", 32, "Create Session requests in flight at once")
	s.Int(&c.Count, "count", "PARLEY_BENCH_COUNT", 0, "stop after this many requests; 0 runs for --duration")
	s.Duration(&c.Duration, "duration", "PARLEY_BENCH_DURATION", 5*time.Second, "how long to post Create Session")
	s.Bool(&c.Deliver, "deliver", "PARLEY_BENCH_DELIVER", false, "measure callbacks delivered a second instead: queue --events callbacks with delivery paused, resume, time until a receiver in this process has them all")
	s.Int(&c.Sessions, "sessions", "PARLEY_BENCH_SESSIONS", 200, "with --deliver: sessions the callbacks are spread over")
	s.Int(&c.Events, "events", "PARLEY_BENCH_EVENTS", 0, "with --deliver: callbacks to deliver; 0 is what the signing ceiling signs in --duration")
	s.Bool(&c.Verify, "verify", "PARLEY_BENCH_VERIFY", false, "with --deliver: the receiver verifies each token (RS256) instead of only counting")
	s.Int(&c.Workers, "workers", "PARLEY_BENCH_WORKERS", simulator.DefaultDeliveryWorkers, "the in-process simulator's delivery workers")
	s.Duration(&c.Timeout, "timeout", "PARLEY_BENCH_TIMEOUT", 2*time.Minute, "with --deliver: give up after this long")
	s.String(&c.CPUProfile, "cpuprofile", "PARLEY_BENCH_CPUPROFILE", "", "write a CPU profile of this process (the in-process simulator and the load) to this file")
	check := func() error {
		switch {
		case c.Concurrency < 1 || c.Count < 0 || c.Duration < 0:
			return errors.New("--concurrency must be at least 1, --count and --duration not negative")
		case c.Count == 0 && c.Duration == 0:
			return errors.New("give --count or --duration, or the run never ends")
		case c.Deliver && c.URL != "":
			return errors.New("--deliver drives a simulator in this process; leave --url empty")
		case c.Deliver && (c.Sessions < 1 || c.Sessions > 100_000 || c.Events < 0 || c.Events > 1_000_000):
			return errors.New("--deliver needs --sessions between 1 and 100,000 and --events between 0 and 1,000,000")
		case c.Workers < 1 || c.Workers > 1024:
			return errors.New("--workers must be between 1 and 1024")
		}
		return nil
	}
	if _, err := s.start(args, getenv, stdout, stderr, check, &logSettings{Level: "warn", Format: "text"}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "GOMAXPROCS %d\n", runtime.GOMAXPROCS(0))
	if c.CPUProfile != "" {
		stop, err := startCPUProfile(c.CPUProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if c.URL != "" {
		t := bench.SimTarget{BaseURL: c.URL, OrgID: c.OrgID, ClientID: c.ClientID, ClientSecret: c.ClientSecret, APIKey: c.APIKey, SkipAuth: c.SkipAuth}
		return reportCreates(ctx, stdout, t, c)
	}

	key, err := simulator.GenerateSigningKey()
	if err != nil {
		return err
	}
	var verifyWith = &key.PublicKey
	if !c.Verify {
		verifyWith = nil
	}
	rcv, err := bench.StartReceiver(verifyWith)
	if err != nil {
		return err
	}
	defer rcv.Close()
	cfg := simulator.Config{
		CallbackURL:     rcv.URL,
		SigningKey:      key,
		AgentDelay:      time.Hour, // the bench decides what happens, not the agents
		DeliveryWorkers: c.Workers,
		// Everything the run queues is let in; the limit is for clients
		// that outrun their webhook, which the bench does on purpose.
		BacklogLimit: max(simulator.DefaultBacklogLimit, c.Events+c.Sessions, 2_000_000),
	}
	srv, err := bench.StartSimulator(cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	if c.Deliver {
		// The anchor right before, with the same key in the same process:
		// the ratio is of two figures measured back to back.
		ceiling, err := bench.RS256Sign(key, max(c.Duration, time.Second))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "anchor: rs256 sign (%d-bit key, all CPUs): %s\n", key.N.BitLen(), ceiling)
		events := c.Events
		if events == 0 {
			events = int(ceiling.PerSecond() * max(c.Duration, time.Second).Seconds())
		}
		events = max(events, 2*c.Sessions)
		d, err := bench.Deliver(ctx, srv, rcv, c.Sessions, events, c.Timeout)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, d)
		fmt.Fprintf(stdout, "rate: %.0f callbacks delivered/s with %d workers over %d sessions: %.2f × the signing ceiling\n",
			d.Rate(), c.Workers, c.Sessions, d.Rate()/ceiling.PerSecond())
		if d.Doubled > 0 || d.Refused > 0 {
			return fmt.Errorf("%d callbacks doubled, %d refused", d.Doubled, d.Refused)
		}
		return nil
	}
	// Delivery waits, so that the figure is the API's: what it costs to
	// sign the NEW_SESSION callbacks is --deliver's figure.
	srv.Sim.PauseDelivery()
	return reportCreates(ctx, stdout, srv.Target, c)
}

func reportCreates(ctx context.Context, stdout io.Writer, t bench.SimTarget, c benchSimConfig) error {
	load, err := bench.CreateSessions(ctx, t, c.Concurrency, c.Count, c.Duration)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, load)
	fmt.Fprintf(stdout, "rate: %.0f sessions created/s at concurrency %d\n", load.Rate(), c.Concurrency)
	fmt.Fprintf(stdout, "latency: %s\n", load.Latency)
	if load.Accepted < load.Sent {
		return fmt.Errorf("%d of %d Create Session requests were not answered 202", load.Sent-load.Accepted, load.Sent)
	}
	return nil
}

// startCPUProfile profiles this process until the returned stop.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
