package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AddMessages is AddMessage for a run of one session's messages that came
// with callbacks, in one INSERT: how an applier adds what a batch of
// callbacks brought. Each message stored gets its ID and the session's
// seq; one whose EventID is stored already keeps ID 0 and is not counted.
// Every message must have an EventID, which is what tells a repeat.
func (s *Store) AddMessages(ctx context.Context, ms []*Message) error {
	if len(ms) == 0 {
		return nil
	}
	sessionID := ms[0].SessionID
	for _, m := range ms {
		if m.SessionID != sessionID || m.EventID == "" {
			return fmt.Errorf("add %d messages: each must belong to session %s and have an event id", len(ms), sessionID)
		}
	}
	err := s.atomically(ctx, func(tx *Store) error {
		// As in AddMessage: the count and the activity ride in the UPDATE
		// that takes the seq, and repeats found below take theirs back.
		counted := 0
		var latest time.Time
		for _, m := range ms {
			m.CreatedAt = stampOrNow(m.CreatedAt)
			if m.Direction != DirectionSystem {
				counted++
				if m.CreatedAt.After(latest) {
					latest = m.CreatedAt
				}
			}
		}
		seq, deferred := tx.seqs[sessionID]
		if !deferred {
			set, args := "", []any(nil)
			if counted > 0 {
				set = "message_count = message_count + ?, last_activity_at = CASE WHEN last_activity_at < ? THEN ? ELSE last_activity_at END"
				args = []any{counted, latest, latest}
			}
			var err error
			if seq, err = tx.touchSession(ctx, sessionID, set, args...); err != nil {
				return err
			}
		} else if counted > 0 {
			tx.countLater(sessionID, counted, latest)
		}
		const cols = 13
		var q strings.Builder
		q.WriteString("INSERT INTO messages (session_id, direction, sender_id, text, attachment_type, attachment_url, alvaria_message_id, event_id, status, status_detail, seq, created_at, updated_at) VALUES ")
		args := make([]any, 0, cols*len(ms))
		byEvent := make(map[string]*Message, len(ms))
		for i, m := range ms {
			m.clean()
			m.UpdatedAt, m.Seq = m.CreatedAt, seq
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, m.SessionID, m.Direction, m.SenderID, m.Text, m.AttachmentType, m.AttachmentURL, m.AlvariaMessageID, m.EventID, m.Status, m.StatusDetail, m.Seq, m.CreatedAt, m.UpdatedAt)
			byEvent[m.EventID] = m
		}
		q.WriteString(" ON CONFLICT DO NOTHING RETURNING id, event_id")
		rows, err := tx.with(ctx).Raw(q.String(), args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var eventID string
			if err := rows.Scan(&id, &eventID); err != nil {
				return err
			}
			m := byEvent[eventID]
			if m == nil || m.ID != 0 {
				continue // not one of ours, or named twice in ms
			}
			m.ID = id
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, m := range ms {
			if m.ID == 0 && m.Direction != DirectionSystem {
				tx.countLater(sessionID, -1, time.Time{}) // a repeat
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add %d messages to session %s: %w", len(ms), sessionID, err)
	}
	return nil
}
