package store

import (
	"context"
	"errors"
	"fmt"
)

// errRollback ends a transaction that must leave nothing behind.
var errRollback = errors.New("rollback")

// CheckWritable reports whether the database accepts writes. A read-only
// Postgres (a standby, default_transaction_read_only) or SQLite file still
// answers pings, yet would refuse every callback. The probe is an UPDATE
// that matches no row, rolled back: both engines check write access when
// the statement starts, so it costs no row lock and changes nothing.
func (s *Store) CheckWritable(ctx context.Context) error {
	err := s.Transaction(ctx, func(tx *Store) error {
		if err := tx.with(ctx).Exec("UPDATE users SET id = id WHERE 1 = 0").Error; err != nil {
			return err
		}
		return errRollback
	})
	if err != nil && !errors.Is(err, errRollback) {
		return fmt.Errorf("database refuses writes: %w", err)
	}
	return nil
}
