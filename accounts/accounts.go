// Package accounts is who may use the console: users and their roles,
// sign-in with server-side sessions, and the audit trail of who did what.
package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/store"
)

// Errors a person can be told about.
var (
	ErrBadCredentials = errors.New("the username or password is not right")
	ErrSignedOut      = errors.New("you are signed out; sign in again")
	ErrNotFound       = errors.New("there is no such user")
)

// Config carries the service's dependencies and policies.
type Config struct {
	Store *store.Store
	Log   *slog.Logger
	Now   func() time.Time
	// IdleTimeout signs a browser out after this long without a request.
	IdleTimeout time.Duration
	// AbsoluteTimeout signs a browser out this long after sign-in, however busy.
	AbsoluteTimeout time.Duration
	// ComparePassword checks a password against its bcrypt hash; nil uses
	// bcrypt. Tests count the checks through it.
	ComparePassword func(hash, password []byte) error
	// Live carries revocations to every instance's open websockets; nil
	// tells nobody (the sockets notice at their next check).
	Live live.Broker
}

// Defaults for Config.
const (
	DefaultIdleTimeout     = 8 * time.Hour
	DefaultAbsoluteTimeout = 7 * 24 * time.Hour
)

// Service manages users, sign-in and the audit trail.
type Service struct {
	store    *store.Store
	log      *slog.Logger
	now      func() time.Time
	idle     time.Duration
	absolute time.Duration
	throttle *throttle
	tokens   *tokenLimiter
	compare  func(hash, password []byte) error
	live     live.Broker
}

// New returns the accounts service.
func New(cfg Config) *Service {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.AbsoluteTimeout <= 0 {
		cfg.AbsoluteTimeout = DefaultAbsoluteTimeout
	}
	if cfg.ComparePassword == nil {
		cfg.ComparePassword = bcrypt.CompareHashAndPassword
	}
	return &Service{
		store:    cfg.Store,
		log:      cfg.Log,
		now:      cfg.Now,
		idle:     cfg.IdleTimeout,
		absolute: cfg.AbsoluteTimeout,
		throttle: newThrottle(cfg.Now),
		tokens:   newTokenLimiter(),
		compare:  cfg.ComparePassword,
		live:     cfg.Live,
	}
}

// Actor is who does something, and from where, for the audit trail.
type Actor struct {
	Username string
	Addr     string
}

// Record appends an entry to the audit trail. A failure is logged and
// returned: an action that cannot be audited should not pass silently.
func (svc *Service) Record(ctx context.Context, a Actor, action, target, detail string) error {
	e := store.AuditEntry{At: svc.now(), Actor: a.Username, ClientAddr: a.Addr, Action: action, Target: target, Detail: detail}
	if err := svc.store.AddAudit(ctx, &e); err != nil {
		svc.log.Error("audit entry lost", "action", action, "actor", a.Username, "target", target, "err", err)
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// revoke tells every instance's open websockets of the user to check their
// sign-in again. A lost notice only delays the close to the socket's next
// periodic check, so it is logged, not returned.
func (svc *Service) revoke(ctx context.Context, userID int64) {
	if svc.live == nil {
		return
	}
	if err := svc.live.Publish(ctx, live.TopicSignIns, strconv.FormatInt(userID, 10)); err != nil {
		svc.log.Warn("tell open pages that a sign-in ended", "user_id", userID, "err", err)
	}
}
