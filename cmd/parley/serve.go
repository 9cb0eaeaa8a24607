package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/connections"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/handlers"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/metrics"
	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/store"
)

// serveConfig holds every setting of `parley serve`.
type serveConfig struct {
	Addr        string
	DatabaseURL string
	PublicURL   string
	Log         logSettings
	// OriginPatterns are extra hosts allowed to open the live websocket.
	OriginPatterns string
	TrustedProxies string
	AdminUser      string
	AdminPassword  string
	IdleTimeout    time.Duration
	MaxSignInAge   time.Duration
	RunWorkers     int
	RunsPerPerson  int
	IngestBacklog  int
	// SecretKey and SecretKeyFile give the key that seals connection
	// secrets; see secretBox.
	SecretKey     string
	SecretKeyFile string
	LoadCeiling   int
	// AlertPrivate lets alert webhooks reach private and loopback addresses.
	AlertPrivate bool
	Alvaria      alvariaConfig
	Sim          simConfig
	Observe      observeConfig
}

func serveSettings(cfg *serveConfig) *settings {
	s := newSettings("serve")
	s.String(&cfg.Addr, "addr", "PARLEY_ADDR", ":8080", "address the console listens on")
	s.databaseURL(&cfg.DatabaseURL)
	s.String(&cfg.PublicURL, "public-url", "PARLEY_PUBLIC_URL", "http://localhost:8080", "externally reachable base URL; Alvaria's callbacks go to <public-url>/webhooks/server-messaging")
	cfg.Log.register(s)
	s.String(&cfg.OriginPatterns, "origin-patterns", "PARLEY_ORIGIN_PATTERNS", "", "comma-separated extra hosts allowed to open the live websocket (the public URL's host always is)")
	s.String(&cfg.TrustedProxies, "trusted-proxies", "PARLEY_TRUSTED_PROXIES", "", "comma-separated proxy addresses or CIDRs whose X-Forwarded-For is believed; empty believes none")
	s.String(&cfg.AdminUser, "admin-user", "PARLEY_ADMIN_USER", "admin", "name of the admin created when the database has no users")
	s.String(&cfg.AdminPassword, "admin-password", "PARLEY_ADMIN_PASSWORD", "", "that admin's password; empty generates one and prints it once to the log")
	s.Duration(&cfg.IdleTimeout, "session-idle-timeout", "PARLEY_SESSION_IDLE_TIMEOUT", accounts.DefaultIdleTimeout, "sign a browser out after this long without a request")
	s.Duration(&cfg.MaxSignInAge, "session-max-age", "PARLEY_SESSION_MAX_AGE", accounts.DefaultAbsoluteTimeout, "sign a browser out this long after sign-in, however busy")
	s.Int(&cfg.IngestBacklog, "ingest-backlog", "PARLEY_INGEST_BACKLOG", defaultIngestBacklog, "callbacks this instance may store ahead of applying them when they arrive faster than they apply; past it, answers wait for the applier; 0 applies each callback before answering it")
	s.Int(&cfg.RunWorkers, "run-workers", "PARLEY_RUN_WORKERS", 10, "conversation-test runs this instance plays at once")
	s.Int(&cfg.RunsPerPerson, "runs-per-person", "PARLEY_RUNS_PER_PERSON", runs.DefaultMaxRunningPerPerson, "conversation-test runs of one person played at once, over all instances; the rest wait their turn")
	s.String(&cfg.SecretKey, "secret-key", "PARLEY_SECRET_KEY", "", "32 bytes in base64 that seal connection secrets in the database; empty: the key in PARLEY_SECRET_KEY_FILE")
	s.String(&cfg.SecretKeyFile, "secret-key-file", "PARLEY_SECRET_KEY_FILE", "", "file holding that key, made on first start if missing; empty: "+secretKeyFileName+" beside the SQLite database")
	s.Int(&cfg.LoadCeiling, "load-max-sessions", "PARLEY_LOAD_MAX_SESSIONS", runs.DefaultLoadCeiling, "load-run sessions in flight at once on the Alvaria connection, over all load runs and instances; also how many this instance plays at once")
	s.Bool(&cfg.AlertPrivate, "alert-allow-private", "PARLEY_ALERT_ALLOW_PRIVATE", false, "let scheduled tests' alert webhooks reach loopback, private and link-local addresses (off: refused, so a webhook URL cannot probe Parley's own network)")
	cfg.Alvaria.register(s)
	cfg.Sim.register(s)
	cfg.Observe.register(s)
	return s
}

func (cfg serveConfig) validate() error {
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("PARLEY_PUBLIC_URL %q is not an absolute http or https URL", cfg.PublicURL)
	}
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return fmt.Errorf("PARLEY_ADDR %q is not a listen address like :8080 or 127.0.0.1:8080", cfg.Addr)
	}
	if cfg.AdminPassword != "" && len(cfg.AdminPassword) < accounts.MinPasswordLength {
		return fmt.Errorf("PARLEY_ADMIN_PASSWORD: use at least %d characters", accounts.MinPasswordLength)
	}
	if cfg.RunWorkers < 1 || cfg.RunWorkers > 1000 {
		return fmt.Errorf("PARLEY_RUN_WORKERS %d: use 1 to 1000", cfg.RunWorkers)
	}
	if cfg.IngestBacklog < 0 || cfg.IngestBacklog > maxIngestBacklog {
		return fmt.Errorf("PARLEY_INGEST_BACKLOG %d: use 0 to %d", cfg.IngestBacklog, maxIngestBacklog)
	}
	if cfg.RunsPerPerson < 1 || cfg.RunsPerPerson > 1000 {
		return fmt.Errorf("PARLEY_RUNS_PER_PERSON %d: use 1 to 1000", cfg.RunsPerPerson)
	}
	if cfg.LoadCeiling < 1 || cfg.LoadCeiling > runs.MaxLoadSessions {
		return fmt.Errorf("PARLEY_LOAD_MAX_SESSIONS %d: use 1 to %d", cfg.LoadCeiling, runs.MaxLoadSessions)
	}
	if cfg.IdleTimeout <= 0 || cfg.MaxSignInAge <= 0 {
		return errors.New("PARLEY_SESSION_IDLE_TIMEOUT and PARLEY_SESSION_MAX_AGE must be positive durations")
	}
	if err := cfg.Observe.validate(); err != nil {
		return err
	}
	if err := cfg.Alvaria.validate(); err != nil {
		return err
	}
	if cfg.Alvaria.embedded() {
		return cfg.Sim.validate()
	}
	return nil
}

// runServe starts the console and blocks until ctx is cancelled, then shuts
// down gracefully. onListen, when not nil, is told the bound address (tests
// listen on port 0).
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, onListen func(net.Addr)) error {
	var cfg serveConfig
	log, err := serveSettings(&cfg).start(args, getenv, stdout, stderr, func() error { return cfg.validate() }, &cfg.Log)
	if err != nil {
		return err
	}

	st, err := openStore(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer st.Close()
	release, err := st.ClaimSole()
	if err != nil {
		return fmt.Errorf("PARLEY_DATABASE_URL: %w", err)
	}
	defer release()
	box, err := secretBox(cfg, st, log)
	if err != nil {
		return err
	}

	// Listen first: the embedded simulator is reached on this listener.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("PARLEY_ADDR %q: %w", cfg.Addr, err)
	}
	defer ln.Close()
	obs, err := newObserver(cfg.Observe, log)
	if err != nil {
		return err
	}
	defer obs.close()
	// Load runs count Alvaria's answers on their way to the metrics.
	calls := runs.NewCallTally(obs.metrics)
	conn, err := newConnection(cfg.Alvaria, cfg.Sim, cfg.PublicURL, ln.Addr(), log)
	if err != nil {
		return err
	}
	defer conn.Close()

	hub, closeHub, err := newBroker(ctx, st, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer closeHub()
	people := accounts.New(accounts.Config{Store: st, Log: log, IdleTimeout: cfg.IdleTimeout, AbsoluteTimeout: cfg.MaxSignInAge, Live: hub})
	generated, err := people.Bootstrap(ctx, cfg.AdminUser, cfg.AdminPassword)
	if err != nil {
		return err
	}
	if generated != "" {
		// Straight to stderr, not the log: a log level of error or a log
		// pipeline that drops warnings must not lose the only way in.
		fmt.Fprintf(stderr, "parley: created the first admin %q with password: %s\n"+
			"parley: it is not shown again; change it on your account page once signed in (or run parley admin reset-password --user %s)\n",
			cfg.AdminUser, generated, cfg.AdminUser)
		log.Info("created the first admin; the password was printed to stderr", "username", cfg.AdminUser)
	}

	conns, err := connections.New(ctx, connections.Config{
		Store: st, Box: box, PublicURL: cfg.PublicURL, Builtins: []connections.Builtin{conn.Builtin},
		Observer: calls, Live: hub, Audit: people, Log: log.With("component", "connections"),
	})
	if err != nil {
		return secretKeyProblem(cfg, err)
	}
	watchCtx, stopWatching := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWatching()
	go conns.Watch(watchCtx)
	sessions := conversation.New(conversation.Config{Store: st, Connections: conns, Live: hub, Log: log, Connection: conn.Name, Audit: people, IngestBacklog: cfg.IngestBacklog})
	// A crash between the inbox's store and its apply leaves callbacks
	// stored and unapplied: apply them before anyone looks, then keep
	// sweeping for those another instance stored before it died.
	sessions.ApplyStoredCallbacksAtStart(ctx)
	sweepCtx, stopSweeping := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSweeping()
	go sessions.SweepStoredCallbacks(sweepCtx)
	// A crash or a failed write can leave messages "sending"; settle them
	// before anyone looks, so none invites a second send.
	if n, err := sessions.ReconcileSending(ctx); err != nil {
		log.Error("settle messages left sending", "err", err)
	} else if n > 0 {
		log.Info("settled messages left sending", "count", n)
	}
	// The embedded simulator keeps its sessions in memory: those it ran
	// before this start are over. On SQLite this server is the only one,
	// so every live session on it was this simulator's.
	if sim := conn.Simulator; sim != nil && st.Dialect() == store.DialectSQLite {
		knows := func(id string) bool { _, err := sim.Session(id); return err == nil }
		if n, err := sessions.EndSessionsForgotten(ctx, connections.SimulatorSlug, knows); err != nil {
			log.Error("end sessions the restarted simulator forgot", "err", err)
		} else if n > 0 {
			log.Info("ended sessions the restarted simulator forgot", "count", n)
		}
	}
	tests, stopRuns, err := startRuns(ctx, cfg, st, sessions, hub, people, obs.metrics, log, conn.Name, calls)
	if err != nil {
		return err
	}
	defer stopRuns()
	deps := handlers.Deps{
		Log:            log,
		Health:         st,
		Sessions:       sessions,
		Runs:           tests,
		Callbacks:      sessions,
		Connections:    conns,
		Accounts:       people,
		SecureCookies:  strings.HasPrefix(cfg.PublicURL, "https://"),
		TrustedProxies: splitList(cfg.TrustedProxies),
		Live:           hub,
		Connection:     conn.Name,
		OriginPatterns: originPatterns(cfg.PublicURL, cfg.OriginPatterns),
		Metrics:        obs.metrics,
		MetricsPage:    obs.page,
	}
	if conn.Simulator != nil {
		deps.Simulator = conn.Simulator.Handler()
		deps.Desk = conn.Simulator
		deps.DeskLive = conn.SimulatorLive
		obs.metrics.SimulatorBacklog(conn.Simulator.Backlog)
	}
	srv := newHTTPServer(handlers.NewRouter(deps), log)
	// Websockets are hijacked, so Shutdown does not wait for them; their
	// contexts end with this one, after the ordinary requests are done.
	connCtx, endConns := context.WithCancel(context.WithoutCancel(ctx))
	defer endConns()
	srv.BaseContext = func(net.Listener) context.Context { return handlers.WithLiveLifetime(connCtx) }
	log.Info("parley is serving", "addr", ln.Addr().String(), "url", cfg.PublicURL, "database", st.Dialect(), "alvaria", conn.Name)
	if conn.Simulator != nil {
		if warning := callbackPortWarning(cfg.PublicURL, cfg.Addr, ln.Addr()); warning != "" {
			log.Warn(warning)
		}
		log.Info("embedded Alvaria simulator", "api", cfg.PublicURL+"/sim", "callbacks_to", strings.TrimRight(cfg.PublicURL, "/")+"/webhooks/server-messaging")
	}
	obs.serve(connCtx, log)
	releaseStartupGarbage()
	// Told last, so a test that starts reading the log here sees all of it.
	if onListen != nil {
		onListen(ln.Addr())
	}

	return serveUntilDone(ctx, srv, ln, log, endConns)
}

// releaseStartupGarbage collects what start-up threw away and gives its pages
// back to the OS. Start-up's last collection runs while goose parses the
// migrations (two 4 MB scanner buffers among 13 to 18 MB then live), so it
// sets the next heap goal at 26 to 35 MB; an idle console's periodic work
// (River's polls, its maintenance) would grow the heap to that before anything
// is collected again. Collected here, about 1.5 MB is live and the goal is the
// runtime's 4 MB minimum. See BENCHMARKS.md, Memory.
func releaseStartupGarbage() {
	debug.FreeOSMemory()
}

// serveUntilDone serves on ln until ctx ends, then shuts srv down, giving
// requests in progress ten seconds. requestsDone, when not nil, runs once
// they have finished or the time is up.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, log *slog.Logger, requestsDone func()) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if requestsDone != nil {
		requestsDone()
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// startRuns builds the conversation-test service and starts working its
// River jobs; stop waits a little for runs in progress, then errors them
// (Parley stopped) rather than holding the shutdown.
func startRuns(ctx context.Context, cfg serveConfig, st *store.Store, sessions *conversation.Service, hub live.Broker, people *accounts.Service, m *metrics.Metrics, log *slog.Logger, connection string, calls *runs.CallTally) (*runs.Service, func(), error) {
	svc := runs.New(runs.Config{Store: st, Conversations: sessions, Live: hub, Audit: people, Log: log.With("component", "runs"), Finished: m.RunFinished, MaxRunningPerPerson: cfg.RunsPerPerson,
		Connection: connection, LoadCeiling: cfg.LoadCeiling, Calls: calls,
		PublicURL: cfg.PublicURL, AlertPrivate: cfg.AlertPrivate, TestResult: func(r runs.TestResult) { m.TestRunFinished(r.TestID, r.Name, r.Status, r.Duration, r.At) }})
	jobs, err := runs.NewJobs(ctx, runs.JobsConfig{Store: st, DatabaseURL: cfg.DatabaseURL, Workers: cfg.RunWorkers, LoadWorkers: cfg.LoadCeiling, Log: log.With("component", "jobs")}, svc)
	if err != nil {
		return nil, nil, fmt.Errorf("PARLEY_DATABASE_URL: %w", err)
	}
	svc.SetQueue(jobs)
	jobsCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if err := jobs.Start(jobsCtx); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("start the job queue: %w", err)
	}
	// On SQLite this is the only instance (ClaimSole), so a run still
	// marked running lost its worker when Parley last stopped; on Postgres
	// another instance may be playing it, and the sweep decides.
	if st.Dialect() == store.DialectSQLite {
		if n, err := svc.AbandonRunning(ctx); err != nil {
			log.Error("error runs cut short by the last stop", "err", err)
		} else if n > 0 {
			log.Info("errored runs cut short by the last stop", "count", n)
		}
		if n, err := svc.AbandonRunningLoads(ctx); err != nil {
			log.Error("error load sessions cut short by the last stop", "err", err)
		} else if n > 0 {
			log.Info("errored load sessions cut short by the last stop", "count", n)
		}
	}
	if n, err := svc.RequeueQueued(ctx); err != nil {
		log.Error("queue runs left queued", "err", err)
	} else if n > 0 {
		log.Info("queued runs left queued", "count", n)
	}
	return svc, func() {
		stopCtx, done := context.WithTimeout(context.Background(), 5*time.Second)
		defer done()
		if err := jobs.Stop(stopCtx); err != nil {
			log.Warn("stop the job queue", "err", err)
		}
		cancel()
	}, nil
}

// newBroker picks how live notices travel: within this process on SQLite,
// and between every instance on the same database on Postgres.
func newBroker(ctx context.Context, st *store.Store, databaseURL string, log *slog.Logger) (live.Broker, func(), error) {
	if st.Dialect() != store.DialectPostgres {
		return live.NewHub(), func() {}, nil
	}
	b, err := live.NewPGBroker(ctx, databaseURL, log.With("component", "live"))
	if err != nil {
		return nil, nil, fmt.Errorf("PARLEY_DATABASE_URL: %w", err)
	}
	return b, b.Close, nil
}

// originPatterns allows the public URL's host and any configured extras.
func originPatterns(publicURL, extra string) []string {
	var out []string
	if u, err := url.Parse(publicURL); err == nil && u.Host != "" {
		out = append(out, u.Host)
	}
	return append(out, splitList(extra)...)
}

// splitList reads a comma-separated setting.
func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// newHTTPServer sets timeouts that keep slow or stuck clients from holding
// connections. There is no WriteTimeout: the websocket and long exports set
// their own deadlines.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// openStore opens the database and applies pending migrations, so a fresh
// machine needs no separate step.
func openStore(ctx context.Context, databaseURL string, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, databaseURL, log)
	if err != nil {
		return nil, fmt.Errorf("PARLEY_DATABASE_URL: %w", err)
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("PARLEY_DATABASE_URL: migrate: %w", err)
	}
	return st, nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("PARLEY_LOG_LEVEL %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("PARLEY_LOG_FORMAT %q: use text or json", format)
	}
}
