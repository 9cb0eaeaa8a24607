// Package runs is conversation tests at work: saved tests, and runs that
// play a scenario as one real session through the same client, webhook,
// store and live path as a person's, checking each expectation as its
// callback arrives. Runs are durable River jobs, so they survive a restart
// (as errored, with the reason) and are shared by every instance on one
// Postgres.
package runs

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/store"
)

// Conversations is what a run needs of the conversation service: the same
// calls a person's clicks make.
type Conversations interface {
	StartSession(ctx context.Context, in conversation.StartInput) (conversation.Session, error)
	SendMessage(ctx context.Context, sessionID string, in conversation.MessageInput) (conversation.Message, error)
	EndSession(ctx context.Context, sessionID string, by accounts.Actor) error
	Session(ctx context.Context, id string) (conversation.Session, error)
}

// Auditor appends to the audit trail.
type Auditor interface {
	Record(ctx context.Context, a accounts.Actor, action, target, detail string) error
}

// Queue puts work on the durable job queue; *Jobs is the one Parley uses.
type Queue interface {
	EnqueueRun(ctx context.Context, runID int64) error
	EnqueueLoadSessions(ctx context.Context, jobs []LoadJob) error
}

// Config holds the service's dependencies.
type Config struct {
	Store         *store.Store
	Conversations Conversations
	Live          live.Broker
	Audit         Auditor // nil records nothing
	Log           *slog.Logger
	Now           func() time.Time
	// Heartbeat is how often a running run says it is alive; a run not
	// heard from for StaleAfter is errored. Zero means 15s and 1m.
	Heartbeat  time.Duration
	StaleAfter time.Duration
	// Finished, when set, is told the status each run ends with (metrics).
	Finished func(status string)
	// MaxActiveRuns bounds the runs one person may have queued or running
	// at once; zero means DefaultMaxActiveRuns.
	MaxActiveRuns int
	// MaxRunningPerPerson bounds the runs of one person played at once, on
	// all instances together, so one person's long runs cannot hold every
	// worker for hours; zero means DefaultMaxRunningPerPerson.
	MaxRunningPerPerson int
	// Connection names the Alvaria connection sessions are opened on;
	// load runs on any but SimulatorConnection ask for confirmation.
	Connection string
	// LoadCeiling bounds the load sessions in flight on the connection at
	// once, over every load run and instance; zero means DefaultLoadCeiling.
	LoadCeiling int
	// Calls counts Alvaria's answers for load runs; nil counts none. It
	// must be the Observer of the client the conversations use.
	Calls *CallTally
	// PublicURL is the console's address, for the links in alerts.
	PublicURL string
	// AlertPrivate lets alert webhooks reach loopback and private
	// addresses; off, they are refused (a webhook URL must not become a way
	// into the network Parley sits in).
	AlertPrivate bool
	// TestResult, when set, is told each finished run of a saved test
	// (metrics).
	TestResult func(TestResult)
}

// TestResult is a finished run of a saved test, as metrics count it.
type TestResult struct {
	TestID   string
	Name     string
	Status   string
	Duration time.Duration
	At       time.Time // when it finished
}

// Service saves tests and runs them.
type Service struct {
	store      *store.Store
	convs      Conversations
	live       live.Broker
	audit      Auditor
	log        *slog.Logger
	now        func() time.Time
	queue      Queue
	heartbeat  time.Duration
	staleAfter time.Duration
	finished   func(status string)
	maxActive  int
	maxRunning int

	connection  string
	loadCeiling int
	calls       *CallTally

	publicURL    string
	alertPrivate bool
	alertClient  *http.Client
	testResult   func(TestResult)
}

// New builds the service. SetQueue must be called before runs are started:
// the queue's workers call back into the service, so the two are built in
// turn.
func New(cfg Config) *Service {
	svc := &Service{
		store: cfg.Store, convs: cfg.Conversations, live: cfg.Live, audit: cfg.Audit,
		log: cfg.Log, now: cfg.Now, heartbeat: cfg.Heartbeat, staleAfter: cfg.StaleAfter,
		finished:  cfg.Finished,
		maxActive: cfg.MaxActiveRuns, maxRunning: cfg.MaxRunningPerPerson,
		connection: cmp.Or(cfg.Connection, SimulatorConnection), loadCeiling: cmp.Or(cfg.LoadCeiling, DefaultLoadCeiling), calls: cfg.Calls,
		publicURL: cfg.PublicURL, alertPrivate: cfg.AlertPrivate, alertClient: newAlertClient(cfg.AlertPrivate), testResult: cfg.TestResult,
	}
	if svc.maxRunning <= 0 {
		svc.maxRunning = DefaultMaxRunningPerPerson
	}
	if svc.maxActive <= 0 {
		svc.maxActive = DefaultMaxActiveRuns
	}
	if svc.log == nil {
		svc.log = slog.New(slog.DiscardHandler)
	}
	if svc.now == nil {
		svc.now = time.Now
	}
	if svc.heartbeat <= 0 {
		svc.heartbeat = 15 * time.Second
	}
	if svc.staleAfter <= 0 {
		svc.staleAfter = time.Minute
	}
	return svc
}

// SetQueue gives the service the job queue runs are put on.
func (svc *Service) SetQueue(q Queue) { svc.queue = q }

func (svc *Service) record(ctx context.Context, a accounts.Actor, action, target, detail string) {
	if svc.audit != nil {
		svc.audit.Record(context.WithoutCancel(ctx), a, action, target, detail)
	}
}

// changed tells the run's page and the tests list; a lost notice loses no
// data, pages catch up from the store.
func (svc *Service) changed(ctx context.Context, r store.Run) {
	ctx = context.WithoutCancel(ctx)
	for _, topic := range []string{live.RunTopic(r.ID), live.TopicRuns} {
		if err := svc.live.Publish(ctx, topic, r.TestID); err != nil {
			svc.log.Warn("notify run pages", "run", r.ID, "err", err)
		}
	}
}
