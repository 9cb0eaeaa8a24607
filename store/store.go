// Package store keeps Parley's sessions, transcripts, callback events and
// audit trail. The same code runs on SQLite (the embedded default) and
// Postgres; every query takes a context.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ErrNotFound means the row asked for does not exist.
var ErrNotFound = errors.New("not found")

// ErrLastAdmin means a change would leave no active admin.
var ErrLastAdmin = errors.New("the last active admin cannot be demoted or disabled")

// Dialects a Store runs on.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// Store is the database. A Store handed to a Transaction callback runs its
// queries inside that transaction.
type Store struct {
	db      *gorm.DB
	dialect string
	log     *slog.Logger
	path    string // the SQLite file; empty on Postgres
	// seqs holds, inside a transaction, the change number each session
	// was given in it; nil outside one.
	seqs map[string]int64
	// counted holds, inside a transaction, the messages added to a session
	// after its row was first updated in it: one UPDATE at commit adds
	// them, instead of one per message.
	counted map[string]*messageCount
	// searchWalks overrides, when set, how many sessions a search reads
	// one at a time before it asks the indexes (tests make them small).
	searchWalks []int
}

// Dialect names the database engine: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	db, err := s.db.DB()
	if err != nil {
		return err
	}
	return db.PingContext(ctx)
}

// Close releases the database connections.
func (s *Store) Close() error {
	db, err := s.db.DB()
	if err != nil {
		return err
	}
	return db.Close()
}

// SQL exposes the connection pool for migrations and test fixtures.
func (s *Store) SQL() (*sql.DB, error) { return s.db.DB() }

// Transaction runs fn in one transaction: all of its writes land, or none.
// Transactions nest as savepoints.
func (s *Store) Transaction(ctx context.Context, fn func(tx *Store) error) error {
	return s.db.WithContext(ctx).Transaction(func(gtx *gorm.DB) error {
		tx := &Store{db: gtx, dialect: s.dialect, log: s.log, path: s.path, seqs: map[string]int64{}, counted: map[string]*messageCount{}}
		if err := fn(tx); err != nil {
			return err
		}
		return tx.flushCounts(ctx)
	})
}

// atomically runs fn in a transaction, or in the caller's when s is one
// already. The callback path calls several writers in one transaction, and
// a savepoint for each would cost two statements and buy nothing: an error
// ends the whole transaction anyway.
func (s *Store) atomically(ctx context.Context, fn func(tx *Store) error) error {
	if s.seqs != nil {
		return fn(s)
	}
	return s.Transaction(ctx, fn)
}

// Notify sends payloads on a Postgres NOTIFY channel in one statement.
// Inside a transaction they are delivered when it commits, and dropped if
// it rolls back. SQLite has no NOTIFY; there it does nothing.
func (s *Store) Notify(ctx context.Context, channel string, payloads ...string) error {
	if s.dialect != DialectPostgres || len(payloads) == 0 {
		return nil
	}
	calls := make([]string, len(payloads))
	args := make([]any, 0, 2*len(payloads))
	for i, p := range payloads {
		calls[i] = "pg_notify(?, ?)"
		args = append(args, channel, p)
	}
	if err := s.with(ctx).Exec("SELECT "+strings.Join(calls, ", "), args...).Error; err != nil {
		return fmt.Errorf("notify %s: %w", channel, err)
	}
	return nil
}

func (s *Store) with(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// stamp is the one form times take in the database: UTC to the microsecond,
// which both engines keep exactly, so cursors compare equal after a round trip.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// listSince returns a session's rows of type T (messages, events) added or
// changed after the session's change counter was afterSeq, oldest first.
func listSince[T any](ctx context.Context, s *Store, what, sessionID string, afterSeq int64) ([]T, error) {
	var rows []T
	err := s.with(ctx).Where("session_id = ? AND seq > ?", sessionID, afterSeq).Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list %s of session %s: %w", what, sessionID, err)
	}
	return rows, nil
}

// stampOrNow is stamp, with the zero time read as now: rows the caller did
// not date are dated when stored.
func stampOrNow(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return stamp(t)
}

func stampPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := stamp(*t)
	return &v
}

// notFound turns GORM's miss into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

// bumpSeq advances a session's change counter and returns the new value.
// Every row that changes what a session shows is stamped with it, so a page
// can ask for everything after the number it has. The UPDATE locks the
// session row until the transaction ends, so numbers are handed out in
// commit order per session. Call it inside a Transaction.
func (s *Store) bumpSeq(ctx context.Context, sessionID string) (int64, error) {
	return s.touchSession(ctx, sessionID, "")
}

// touchSession is bumpSeq that also makes the assignments in set (with
// their args) in the same UPDATE. The counter moves once per transaction:
// every row a transaction changes shares its number, which is safe because
// the row stays locked until they all commit together, and it spares a
// callback an UPDATE of the session for each row it writes.
func (s *Store) touchSession(ctx context.Context, sessionID, set string, args ...any) (int64, error) {
	if seq, ok := s.seqs[sessionID]; ok {
		if set == "" {
			return seq, nil
		}
		res := s.with(ctx).Exec("UPDATE sessions SET "+set+" WHERE id = ?", append(args, sessionID)...)
		if res.Error != nil {
			return 0, fmt.Errorf("update session %s: %w", sessionID, res.Error)
		}
		return seq, nil
	}
	q := "UPDATE sessions SET seq = seq + 1"
	if set != "" {
		q += ", " + set
	}
	var seq int64
	res := s.with(ctx).Raw(q+" WHERE id = ? RETURNING seq", append(args, sessionID)...).Scan(&seq)
	if res.Error != nil {
		return 0, fmt.Errorf("advance seq of session %s: %w", sessionID, res.Error)
	}
	if res.RowsAffected == 0 {
		return 0, fmt.Errorf("advance seq of session %s: %w", sessionID, ErrNotFound)
	}
	if s.seqs != nil {
		s.seqs[sessionID] = seq
	}
	return seq, nil
}

// Path is the SQLite database file; empty on Postgres.
func (s *Store) Path() string { return s.path }

// CommitWithoutWaiting lets the transaction it runs in commit without
// waiting for its WAL to reach the disk (Postgres' synchronous_commit off,
// for this transaction only; SQLite already commits so in WAL mode). Only
// for work that can be redone from what is durable: a crash may undo the
// transaction, never tear it, and a later durable commit makes it durable
// too.
func (s *Store) CommitWithoutWaiting(ctx context.Context) error {
	if s.dialect != DialectPostgres || s.seqs == nil {
		return nil
	}
	if err := s.with(ctx).Exec("SET LOCAL synchronous_commit = off").Error; err != nil {
		return fmt.Errorf("commit without waiting: %w", err)
	}
	return nil
}
