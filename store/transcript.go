package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// ListMessagesFrom returns a session's messages for its page, oldest first:
// the newest limit of them when fromID is 0, otherwise every message from
// fromID on. Earlier is the fromID that shows limit more, or 0 when the
// first message is shown.
func (s *Store) ListMessagesFrom(ctx context.Context, sessionID string, fromID int64, limit int) (rows []Message, earlier int64, err error) {
	rows, err = listFrom(ctx, s, messageWindow, sessionID, fromID, limit)
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
	rows, err = listFrom(ctx, s, eventWindow, sessionID, fromID, limit)
	if err == nil && len(rows) > 0 {
		earlier, err = s.earlierFrom(ctx, "callback_events", sessionID, rows[0].ID, limit)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("list events of session %s from %d: %w", sessionID, fromID, err)
	}
	return rows, earlier, nil
}

// window is a session's table as its page reads it: the columns, and how
// to scan them by hand, since reflection was a third of the page's cost.
type window[T any] struct {
	table, columns string
	scan           func(*sql.Rows, *T) error
}

var messageWindow = window[Message]{
	table: "messages",
	columns: `id, session_id, direction, sender_id, text, attachment_type, attachment_url, alvaria_message_id, event_id,
		status, status_detail, seq, created_at, updated_at`,
	scan: func(r *sql.Rows, m *Message) error {
		return r.Scan(&m.ID, &m.SessionID, &m.Direction, &m.SenderID, &m.Text, &m.AttachmentType, &m.AttachmentURL, &m.AlvariaMessageID, &m.EventID,
			&m.Status, &m.StatusDetail, &m.Seq, &m.CreatedAt, &m.UpdatedAt)
	},
}

var eventWindow = window[CallbackEvent]{
	table: "callback_events",
	columns: `id, event_id, type, alvaria_session_id, session_id, payload, payload_base64, verified, verify_detail,
		parse_error, seq, received_at, applied_at`,
	scan: func(r *sql.Rows, e *CallbackEvent) error {
		return r.Scan(&e.ID, &e.EventID, &e.Type, &e.AlvariaSessionID, &e.SessionID, &e.Payload, &e.PayloadBase64, &e.Verified, &e.VerifyDetail,
			&e.ParseError, &e.Seq, &e.ReceivedAt, &e.AppliedAt)
	},
}

// listFrom reads the newest limit rows of a session's table, or all from
// fromID on, and returns them oldest first. Keyset on id keeps a page's cost
// to the rows it shows.
func listFrom[T any](ctx context.Context, s *Store, w window[T], sessionID string, fromID int64, limit int) ([]T, error) {
	query := "SELECT " + w.columns + " FROM " + w.table + " WHERE session_id = ?"
	args := []any{sessionID}
	if fromID > 0 {
		query += " AND id >= ? ORDER BY id"
		args = append(args, fromID)
	} else {
		query += " ORDER BY id DESC LIMIT ?"
		args = append(args, limit)
	}
	rows, err := s.with(ctx).Raw(query, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]T, 0, limit)
	for rows.Next() {
		var v T
		if err := w.scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if fromID == 0 {
		slices.Reverse(out)
	}
	return out, nil
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
