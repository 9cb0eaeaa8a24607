package runs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/parley-dev/parley/store"
)

// runArgs is the job of playing one run.
type runArgs struct {
	RunID int64 `json:"run_id"`
}

func (runArgs) Kind() string { return "parley_run" }

// sweepArgs is the periodic job that errors runs whose process stopped.
type sweepArgs struct{}

func (sweepArgs) Kind() string { return "parley_sweep_stale_runs" }

// tickArgs is the periodic job that starts the runs of scheduled tests.
type tickArgs struct{}

func (tickArgs) Kind() string { return "parley_monitor_tick" }

// InsertOpts keeps the tick off the runs' queue, where hours-long runs
// could hold every worker past its time.
func (tickArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: monitorQueue} }

// alertArgs is the job of sending one alert, tried again with backoff.
type alertArgs struct {
	DeliveryID int64 `json:"delivery_id" river:"unique"`
}

func (alertArgs) Kind() string { return "parley_alert" }

func (alertArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: monitorQueue, MaxAttempts: AlertAttempts}
}

// monitorQueue holds the scheduler's ticks and the alerts.
const monitorQueue = "monitor"

// DefaultScheduleTick is how often due schedules are looked for: a
// schedule's run starts at most this late.
const DefaultScheduleTick = 15 * time.Second

type tickWorker struct {
	river.WorkerDefaults[tickArgs]
	svc *Service
}

func (w *tickWorker) Work(ctx context.Context, _ *river.Job[tickArgs]) error { return w.svc.Tick(ctx) }

type alertWorker struct {
	river.WorkerDefaults[alertArgs]
	svc *Service
}

func (w *alertWorker) Work(ctx context.Context, job *river.Job[alertArgs]) error {
	return w.svc.DeliverAlert(ctx, job.Args.DeliveryID, job.Attempt)
}

// NextRetry waits 10 s, 20 s, 40 s … up to 10 minutes between attempts:
// a webhook that is down for a few minutes still gets the alert, and the
// eighth attempt comes about half an hour after the first.
func (w *alertWorker) NextRetry(job *river.Job[alertArgs]) time.Time {
	wait := min(10*time.Second<<min(job.Attempt-1, 10), 10*time.Minute)
	return time.Now().Add(wait)
}

type runWorker struct {
	river.WorkerDefaults[runArgs]
	svc *Service
}

// Timeout lets a run wait as long as a session lives; River's own default
// (a minute) would cut most scenarios short.
func (w *runWorker) Timeout(*river.Job[runArgs]) time.Duration { return MaxRunTime + time.Minute }

// starterBusyWait is how long a run whose starter has the most runs
// running waits before its job tries again; it spends no attempt.
const starterBusyWait = 5 * time.Second

func (w *runWorker) Work(ctx context.Context, job *river.Job[runArgs]) error {
	err := w.svc.Execute(ctx, job.Args.RunID)
	if errors.Is(err, ErrStarterBusy) {
		return river.JobSnooze(starterBusyWait)
	}
	return err
}

// loadSessionArgs is the job of playing one session of a load run.
type loadSessionArgs struct {
	LoadRunID int64 `json:"load_run_id" river:"unique"`
	Number    int   `json:"number" river:"unique"`
	// NotBefore is when the ramp-up lets it start. The job waits for it
	// itself: River's scheduler looks at scheduled jobs only every few
	// seconds, too coarse for a ramp-up.
	NotBefore time.Time `json:"not_before"`
}

func (loadSessionArgs) Kind() string { return "parley_load_session" }

// loadQueue is the queue of load sessions, apart from the runs' so a load
// run of thousands never keeps a person's run waiting.
const loadQueue = "load"

// InsertOpts puts a load session on its own queue.
func (loadSessionArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: loadQueue} }

type loadSessionWorker struct {
	river.WorkerDefaults[loadSessionArgs]
	svc *Service
}

func (w *loadSessionWorker) Timeout(*river.Job[loadSessionArgs]) time.Duration {
	return MaxRunTime + time.Minute
}

// connectionBusyWait is how long a load session whose connection is at its
// ceiling waits before trying again; it spends no attempt.
const connectionBusyWait = time.Second

func (w *loadSessionWorker) Work(ctx context.Context, job *river.Job[loadSessionArgs]) error {
	if wait := time.Until(job.Args.NotBefore); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
	err := w.svc.ExecuteLoadSession(ctx, job.Args.LoadRunID, job.Args.Number)
	if errors.Is(err, ErrConnectionBusy) {
		return river.JobSnooze(connectionBusyWait)
	}
	return err
}

type sweepWorker struct {
	river.WorkerDefaults[sweepArgs]
	svc *Service
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[sweepArgs]) error {
	return w.svc.SweepStale(ctx)
}

// client is what Parley uses of a River client, whichever its driver.
type client interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
}

// JobsConfig says where the jobs live and how many run at once.
type JobsConfig struct {
	Store       *store.Store
	DatabaseURL string // for River's own pgx pool on Postgres
	Workers     int    // runs played at once by this instance; 0 means 10
	// LoadWorkers is how many load sessions this instance plays at once;
	// 0 means DefaultLoadCeiling.
	LoadWorkers int
	// PollInterval is how often SQLite is asked for new jobs (Postgres is
	// told by LISTEN/NOTIFY); 0 means 500ms.
	PollInterval time.Duration
	// ScheduleTick is how often due schedules are looked for; 0 means
	// DefaultScheduleTick.
	ScheduleTick time.Duration
	Log          *slog.Logger
}

// Jobs is River on Parley's own database: its pgx driver on Postgres and
// its SQLite driver on the embedded default.
type Jobs struct {
	client client
	close  func()
}

// NewJobs applies River's migrations and builds its client with the run
// and sweep workers. Start it with Start; it calls svc.Execute.
func NewJobs(ctx context.Context, cfg JobsConfig, svc *Service) (*Jobs, error) {
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &runWorker{svc: svc}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &sweepWorker{svc: svc}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &loadSessionWorker{svc: svc}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &tickWorker{svc: svc}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &alertWorker{svc: svc}); err != nil {
		return nil, err
	}
	config := &river.Config{
		Queues: map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: cmp.Or(cfg.Workers, 10)},
			loadQueue:          {MaxWorkers: cmp.Or(cfg.LoadWorkers, DefaultLoadCeiling)},
			monitorQueue:       {MaxWorkers: 4},
		},
		Workers:     workers,
		Logger:      cfg.Log,
		MaxAttempts: 3,
		JobTimeout:  MaxRunTime + time.Minute,
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(svc.staleAfter), func() (river.JobArgs, *river.InsertOpts) { return sweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(cmp.Or(cfg.ScheduleTick, DefaultScheduleTick)), func() (river.JobArgs, *river.InsertOpts) { return tickArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
		},
		// A run's job outlives its worker only when the process died; the
		// sweeper errors such a run within a minute, and River's rescue
		// then finds it finished.
		RescueStuckJobsAfter: MaxRunTime + 10*time.Minute,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        cfg.PollInterval / 2,
	}
	if config.FetchPollInterval <= 0 {
		config.FetchPollInterval, config.FetchCooldown = 500*time.Millisecond, 100*time.Millisecond
	}
	if config.Logger == nil {
		config.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Store.Dialect() == store.DialectPostgres {
		pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("job queue: %w", err)
		}
		c, err := newClient(ctx, riverpgxv5.New(pool), config)
		if err != nil {
			pool.Close()
			return nil, err
		}
		return &Jobs{client: c, close: pool.Close}, nil
	}
	db, err := cfg.Store.SQL()
	if err != nil {
		return nil, err
	}
	c, err := newClient(ctx, riversqlite.New(db), config)
	if err != nil {
		return nil, err
	}
	return &Jobs{client: c, close: func() {}}, nil
}

func newClient[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], config *river.Config) (client, error) {
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: config.Logger})
	if err != nil {
		return nil, fmt.Errorf("job queue migrations: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("job queue migrations: %w", err)
	}
	c, err := river.NewClient(driver, config)
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return c, nil
}

// EnqueueRun puts a run on the queue. A run is queued once: inserting it
// again (after a restart that found it queued) changes nothing.
func (j *Jobs) EnqueueRun(ctx context.Context, runID int64) error {
	_, err := j.client.Insert(ctx, runArgs{RunID: runID}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}})
	if err != nil {
		return fmt.Errorf("enqueue run %d: %w", runID, err)
	}
	return nil
}

// EnqueueLoadSessions queues sessions of load runs, each not before its
// time. A session is queued once: queueing it again changes nothing.
func (j *Jobs) EnqueueLoadSessions(ctx context.Context, jobs []LoadJob) error {
	params := make([]river.InsertManyParams, len(jobs))
	for i, lj := range jobs {
		params[i] = river.InsertManyParams{
			Args:       loadSessionArgs{LoadRunID: lj.LoadRunID, Number: lj.Number, NotBefore: lj.At},
			InsertOpts: &river.InsertOpts{Queue: loadQueue, UniqueOpts: river.UniqueOpts{ByArgs: true}},
		}
	}
	if _, err := j.client.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("enqueue %d load sessions: %w", len(jobs), err)
	}
	return nil
}

// EnqueueAlert puts an alert on the queue; one already queued or being
// sent is not doubled.
func (j *Jobs) EnqueueAlert(ctx context.Context, deliveryID int64) error {
	_, err := j.client.Insert(ctx, alertArgs{DeliveryID: deliveryID}, &river.InsertOpts{
		Queue: monitorQueue, MaxAttempts: AlertAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
			rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled,
		}},
	})
	if err != nil {
		return fmt.Errorf("enqueue alert %d: %w", deliveryID, err)
	}
	return nil
}

// Start begins working jobs until ctx ends or Stop is called.
func (j *Jobs) Start(ctx context.Context) error { return j.client.Start(ctx) }

// Stop waits up to the context's deadline for runs in progress, then
// cancels them (they are errored: Parley stopped) and releases the pool.
func (j *Jobs) Stop(ctx context.Context) error {
	defer j.close()
	if err := j.client.Stop(ctx); err != nil {
		return j.client.StopAndCancel(context.WithoutCancel(ctx))
	}
	return nil
}
