package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// InsertEvent stores a callback once per EventID. It reports false, and
// stores nothing, when that event is already stored: Alvaria retries, and a
// retry must change nothing. Text a column cannot hold is cleaned (see
// CleanText), keeping the original body in PayloadBase64.
func (s *Store) InsertEvent(ctx context.Context, ev *CallbackEvent) (bool, error) {
	ev.cleanPayload()
	ev.ReceivedAt, ev.AppliedAt = stampOrNow(ev.ReceivedAt), stampPtr(ev.AppliedAt)
	res := s.with(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "event_id"}}, DoNothing: true}).Create(ev)
	if res.Error != nil {
		return false, fmt.Errorf("insert event %s: %w", ev.EventID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// GetEvent returns the stored callback with Alvaria's eventId.
func (s *Store) GetEvent(ctx context.Context, eventID string) (CallbackEvent, error) {
	var ev CallbackEvent
	err := s.with(ctx).Where("event_id = ?", CleanText(eventID)).Take(&ev).Error
	return ev, notFound(err)
}

// ListUnappliedEvents returns the callbacks for an Alvaria sessionId that
// have not been applied to a session yet, in the order they arrived.
func (s *Store) ListUnappliedEvents(ctx context.Context, alvariaSessionID string) ([]CallbackEvent, error) {
	var rows []CallbackEvent
	err := s.with(ctx).Where("alvaria_session_id = ? AND applied_at IS NULL", CleanText(alvariaSessionID)).Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list unapplied events of %s: %w", alvariaSessionID, err)
	}
	return rows, nil
}

// LinkEvents attaches a session's stored callbacks to it, in one UPDATE for
// those applied (marked so they are never applied again) and one for those
// still waiting. Inside the transaction that applied them, they share the
// change number of what they changed.
func (s *Store) LinkEvents(ctx context.Context, sessionID string, applied, waiting []int64) error {
	return s.atomically(ctx, func(tx *Store) error {
		seq, err := tx.bumpSeq(ctx, sessionID)
		if err != nil {
			return err
		}
		now := stamp(time.Now())
		for _, group := range []struct {
			ids     []int64
			applied bool
		}{{applied, true}, {waiting, false}} {
			ids := group.ids
			if len(ids) == 0 {
				continue
			}
			set := map[string]any{"session_id": sessionID, "seq": seq}
			if group.applied {
				set["applied_at"] = now
			}
			res := tx.with(ctx).Model(&CallbackEvent{}).Where("id IN ?", ids).Updates(set)
			if res.Error != nil {
				return fmt.Errorf("link %d events to session %s: %w", len(ids), sessionID, res.Error)
			}
			if res.RowsAffected != int64(len(ids)) {
				return fmt.Errorf("link events %v: %w", ids, ErrNotFound)
			}
		}
		return nil
	})
}

// ListEventsSince returns the session's callbacks linked or changed after
// the session's change counter was afterSeq, in the order they arrived.
func (s *Store) ListEventsSince(ctx context.Context, sessionID string, afterSeq int64) ([]CallbackEvent, error) {
	return listSince[CallbackEvent](ctx, s, "events", sessionID, afterSeq)
}

// CountEvents returns how many callbacks are stored in all.
func (s *Store) CountEvents(ctx context.Context) (int64, error) {
	var n int64
	err := s.with(ctx).Model(&CallbackEvent{}).Count(&n).Error
	return n, err
}

// LockAlvariaSession serialises, until the transaction ends, everything that
// links callbacks to the session Alvaria knows by this id. Without it, on
// Postgres, a callback and the 202 of its Create Session could each commit
// without seeing the other, and the callback would never be applied. SQLite
// runs one writer at a time, so there it does nothing. Call it inside a
// Transaction.
func (s *Store) LockAlvariaSession(ctx context.Context, alvariaSessionID string) error {
	if s.dialect != DialectPostgres || alvariaSessionID == "" {
		return nil
	}
	alvariaSessionID = CleanText(alvariaSessionID) // as InsertEvent stores it
	if err := s.with(ctx).Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "alvaria-session:"+alvariaSessionID).Error; err != nil {
		return fmt.Errorf("lock alvaria session %s: %w", alvariaSessionID, err)
	}
	return nil
}
