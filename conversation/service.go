// Package conversation holds Parley's rules for Server Messaging sessions:
// starting them, writing as the customer, ending them, and applying what
// Alvaria reports back. Handlers call it; it calls the store and Alvaria, and
// tells open browsers through live.
package conversation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/store"
)

// MaxLife is how long Alvaria keeps a session before disconnecting it.
const MaxLife = 4 * time.Hour

// Alvaria is the part of the Server Messaging API the service calls.
type Alvaria interface {
	CreateSession(ctx context.Context, s alvaria.NewSession) (string, error)
	SendMessage(ctx context.Context, sessionID string, m alvaria.Message) (string, error)
	DeleteSession(ctx context.Context, sessionID string) error
}

// Route is the connection a session runs on, with its client.
type Route struct {
	Slug, Name      string
	DefaultWorkType string // used when a start names none
	Client          Alvaria
}

// Connections finds the connection of a start or a session by its slug;
// "" is the default connection.
type Connections interface {
	Route(ctx context.Context, slug string) (Route, error)
}

// ErrUnknownConnection means no connection has the slug asked for.
var ErrUnknownConnection = errors.New("there is no such connection")

// ConnectionDisabledError means the connection of a start or a session is
// disabled, so Parley does not call Alvaria on it.
type ConnectionDisabledError struct{ Name string }

func (e *ConnectionDisabledError) Error() string {
	return fmt.Sprintf("the connection %q is disabled; an admin can enable it under Connections", e.Name)
}

// Config carries the service's dependencies.
type Config struct {
	Store *store.Store
	// Connections routes each session to its connection's client; nil
	// sends every session to Alvaria, named Connection.
	Connections Connections
	Alvaria     Alvaria
	Live        live.Broker
	Log         *slog.Logger
	// Now is the clock; nil means time.Now. Expiry depends on it, so tests
	// inject their own.
	Now func() time.Time
	// Connection names the Alvaria connection new sessions are opened on
	// ("simulator" in embedded mode).
	Connection string
	// Audit records who did what; nil records nothing.
	Audit Auditor
	// IngestBacklog is how many callbacks may be stored ahead of being
	// applied when they arrive faster than they apply (the inbox; see
	// ingest.go). 0 applies each callback in the transaction that stores
	// it, so that a 200 always means applied too.
	IngestBacklog int
}

// Auditor appends to the audit trail.
type Auditor interface {
	Record(ctx context.Context, a accounts.Actor, action, target, detail string) error
}

// Service is the conversation service.
type Service struct {
	store      *store.Store
	alvaria    Alvaria
	live       live.Broker
	log        *slog.Logger
	now        func() time.Time
	connection string
	routes     Connections
	audit      Auditor
	ingest     *ingest
}

// New builds a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Live == nil {
		cfg.Live = live.NewHub()
	}
	svc := &Service{store: cfg.Store, alvaria: cfg.Alvaria, live: cfg.Live, log: cfg.Log, now: cfg.Now, connection: cfg.Connection, routes: cfg.Connections, audit: cfg.Audit}
	if cfg.Store != nil {
		svc.ingest = newIngest(cfg.Store.Dialect(), cfg.IngestBacklog, ingestWork{
			commit: svc.commitCallbacks,
			store:  svc.storeCallbacks,
			apply:  svc.applyBacklog,
		})
	}
	return svc
}

// record appends to the audit trail. The action has happened by now, so a
// failure to record it is logged by the auditor, not undone.
func (svc *Service) record(ctx context.Context, a accounts.Actor, action, target, detail string) {
	if svc.audit != nil {
		svc.audit.Record(context.WithoutCancel(ctx), a, action, target, detail)
	}
}

// changed tells browsers watching the session and the list. A failure to
// notify loses no data: pages catch up from the store on their next event.
func (svc *Service) changed(ctx context.Context, sessionID string) {
	if err := svc.live.Publish(ctx, live.SessionTopic(sessionID), sessionID); err != nil {
		svc.log.Warn("notify session page", "session", sessionID, "err", err)
	}
	if err := svc.live.Publish(ctx, live.TopicSessions, sessionID); err != nil {
		svc.log.Warn("notify session list", "session", sessionID, "err", err)
	}
}

// sessionNotices are what changed publishes, in its order.
func sessionNotices(sessionID string) []live.Notice {
	return []live.Notice{{Topic: live.SessionTopic(sessionID), Key: sessionID}, {Topic: live.TopicSessions, Key: sessionID}}
}

// announce sends the notices of a change to the sessions inside tx, when
// the broker and the database allow it (LISTEN/NOTIFY on Postgres): they
// reach other instances at commit, and never if tx rolls back. It reports
// whether it did; if so, call announced after the commit, or else changed.
func (svc *Service) announce(ctx context.Context, tx *store.Store, sessionIDs ...string) (bool, error) {
	b, ok := svc.live.(live.TxBroker)
	if !ok || tx.Dialect() != store.DialectPostgres {
		return false, nil
	}
	if len(sessionIDs) == 0 {
		return true, nil
	}
	var notices []live.Notice
	for _, id := range sessionIDs {
		notices = append(notices, sessionNotices(id)...)
	}
	channel, payloads := b.NotifyPayloads(notices...)
	return true, tx.Notify(ctx, channel, payloads...)
}

// announced tells this instance's pages of a change whose notices the
// committed transaction sent to the others.
func (svc *Service) announced(ctx context.Context, sessionID string) {
	svc.live.(live.TxBroker).PublishLocal(ctx, sessionNotices(sessionID)...)
}

// route returns the connection with this slug, or the one fixed Alvaria
// when the service was built without Connections.
func (svc *Service) route(ctx context.Context, slug string) (Route, error) {
	if svc.routes == nil {
		return Route{Name: svc.connection, Client: svc.alvaria}, nil
	}
	return svc.routes.Route(ctx, slug)
}
