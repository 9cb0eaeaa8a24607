package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"
)

// messageCount is what a transaction's messages add to their session's
// count and last activity, applied once when it commits.
type messageCount struct {
	delta  int
	latest time.Time
}

// countLater adds delta to the session's message count, and moves its last
// activity up to at, when the transaction commits. Only inside one.
func (s *Store) countLater(sessionID string, delta int, at time.Time) {
	c := s.counted[sessionID]
	if c == nil {
		c = &messageCount{}
		s.counted[sessionID] = c
	}
	c.delta += delta
	if at.After(c.latest) {
		c.latest = at
	}
}

// flushCounts writes what countLater gathered, sessions in id order so two
// transactions never take their rows in opposite orders. The rows are
// locked already: counts are only deferred for sessions the transaction
// has updated.
func (s *Store) flushCounts(ctx context.Context) error {
	for _, id := range slices.Sorted(maps.Keys(s.counted)) {
		c := s.counted[id]
		if c.delta == 0 && c.latest.IsZero() {
			continue
		}
		q := "UPDATE sessions SET message_count = message_count + ?"
		args := []any{c.delta}
		if !c.latest.IsZero() {
			q += ", last_activity_at = CASE WHEN last_activity_at < ? THEN ? ELSE last_activity_at END"
			args = append(args, c.latest, c.latest)
		}
		if err := s.with(ctx).Exec(q+" WHERE id = ?", append(args, id)...).Error; err != nil {
			return fmt.Errorf("count messages of session %s: %w", id, err)
		}
	}
	return nil
}
