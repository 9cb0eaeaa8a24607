package store

import (
	"context"
	"fmt"
	"slices"
)

// ListMessagesFrom returns a session's messages for its page, oldest first:
// the newest limit of them when fromID is 0, otherwise every message from
// fromID on. Earlier is the fromID that shows limit more, or 0 when the
// first message is shown.
func (s *Store) ListMessagesFrom(ctx context.Context, sessionID string, fromID int64, limit int) (rows []Message, earlier int64, err error) {
	rows, err = listFrom[Message](ctx, s, "messages", sessionID, fromID, limit)
	if err == nil && len(rows) > 0 {
		earlier, err = s.earlierFrom(ctx, "messages", sessionID, rows[0].ID, limit)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("list messages of session %s from %d: %w", sessionID, fromID, err)
	}
	return rows, earlier, nil
}

// ListEventsFrom is ListMessagesFrom for the session's callbacks.
func (s *Store) ListEventsFrom(ctx context.Context, sessionID string, fromID int64, limit int) (rows []CallbackEvent, earlier int64, err error) {
	rows, err = listFrom[CallbackEvent](ctx, s, "callback_events", sessionID, fromID, limit)
	if err == nil && len(rows) > 0 {
		earlier, err = s.earlierFrom(ctx, "callback_events", sessionID, rows[0].ID, limit)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("list events of session %s from %d: %w", sessionID, fromID, err)
	}
	return rows, earlier, nil
}

// listFrom reads the newest limit rows of a session's table, or all from
// fromID on, and returns them oldest first. Keyset on id keeps a page's cost
// to the rows it shows.
func listFrom[T any](ctx context.Context, s *Store, table, sessionID string, fromID int64, limit int) ([]T, error) {
	var rows []T
	q := s.with(ctx).Table(table).Where("session_id = ?", sessionID)
	if fromID > 0 {
		err := q.Where("id >= ?", fromID).Order("id").Find(&rows).Error
		return rows, err
	}
	if err := q.Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	slices.Reverse(rows)
	return rows, nil
}

// earlierFrom returns the id from which a page shows limit more rows than
// one starting at oldestID, or 0 when there are none before it.
func (s *Store) earlierFrom(ctx context.Context, table, sessionID string, oldestID int64, limit int) (int64, error) {
	var from *int64
	err := s.with(ctx).Raw(`SELECT MIN(id) FROM (SELECT id FROM `+table+` WHERE session_id = ? AND id < ? ORDER BY id DESC LIMIT ?) earlier`,
		sessionID, oldestID, limit).Row().Scan(&from)
	if err != nil || from == nil {
		return 0, err
	}
	return *from, nil
}
