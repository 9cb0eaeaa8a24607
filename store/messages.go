package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// AddMessage appends a message to its session's transcript and fills in its
// id. A message that names an EventID is added once: a second call with the
// same EventID changes nothing and reports false. Text a column cannot hold
// is cleaned (see CleanText).
func (s *Store) AddMessage(ctx context.Context, m *Message) (bool, error) {
	m.clean()
	inserted := false
	err := s.atomically(ctx, func(tx *Store) error {
		m.CreatedAt = stampOrNow(m.CreatedAt)
		m.UpdatedAt = m.CreatedAt
		// The seq is taken first: it locks the session row, so concurrent
		// writers of one session queue here. The count and the activity
		// ride in the same UPDATE; a repeat, found below, takes the count
		// back.
		counted := m.Direction != DirectionSystem
		seq, deferred := tx.seqs[m.SessionID]
		if !deferred {
			set, args := "", []any(nil)
			if counted {
				set = "message_count = message_count + 1, last_activity_at = CASE WHEN last_activity_at < ? THEN ? ELSE last_activity_at END"
				args = []any{m.CreatedAt, m.CreatedAt}
			}
			var err error
			if seq, err = tx.touchSession(ctx, m.SessionID, set, args...); err != nil {
				return err
			}
		} else if counted {
			tx.countLater(m.SessionID, 1, m.CreatedAt)
		}
		m.Seq = seq
		res := tx.with(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(m)
		if res.Error != nil {
			return res.Error
		}
		inserted = res.RowsAffected == 1
		if inserted {
			return nil
		}
		// The unique event_id says this callback's message is stored.
		// Callbacks never get here (an event is applied once, in the
		// transaction that stores its message); a repeat moves the
		// session's last activity no further back than its own time.
		if counted {
			tx.countLater(m.SessionID, -1, time.Time{})
		}
		return notFound(tx.with(ctx).Where("event_id = ?", m.EventID).Take(m).Error)
	})
	if err != nil {
		return false, fmt.Errorf("add message to session %s: %w", m.SessionID, err)
	}
	return inserted, nil
}

// GetMessage returns one message.
func (s *Store) GetMessage(ctx context.Context, id int64) (Message, error) {
	var m Message
	err := s.with(ctx).Where("id = ?", id).Take(&m).Error
	return m, notFound(err)
}

// UpdateMessageStatus records how a customer message fared. An empty
// alvariaMessageID leaves the recorded one as it is.
func (s *Store) UpdateMessageStatus(ctx context.Context, id int64, status, detail, alvariaMessageID string) error {
	return s.atomically(ctx, func(tx *Store) error {
		m, err := tx.GetMessage(ctx, id)
		if err != nil {
			return fmt.Errorf("update message %d: %w", id, err)
		}
		seq, err := tx.bumpSeq(ctx, m.SessionID)
		if err != nil {
			return err
		}
		set := map[string]any{"status": status, "status_detail": CleanText(detail), "seq": seq, "updated_at": stamp(time.Now())}
		if alvariaMessageID != "" {
			set["alvaria_message_id"] = CleanText(alvariaMessageID)
		}
		return tx.with(ctx).Model(&Message{}).Where("id = ?", id).Updates(set).Error
	})
}

// FailMessageByAlvariaID marks the session's message with Alvaria's
// messageId failed, as a MESSAGE_STATUS callback says. ErrNotFound means no
// message has that messageId yet.
func (s *Store) FailMessageByAlvariaID(ctx context.Context, sessionID, alvariaMessageID, detail string) (Message, error) {
	var m Message
	err := s.atomically(ctx, func(tx *Store) error {
		err := tx.with(ctx).Where("session_id = ? AND alvaria_message_id = ?", sessionID, CleanText(alvariaMessageID)).Take(&m).Error
		if err != nil {
			return notFound(err)
		}
		if err := tx.UpdateMessageStatus(ctx, m.ID, MessageFailed, detail, ""); err != nil {
			return err
		}
		m, err = tx.GetMessage(ctx, m.ID)
		return err
	})
	return m, err
}

// ListSendingMessages returns the customer messages still marked sending, in
// the order they were written: of one session, or of all when sessionID is
// empty.
func (s *Store) ListSendingMessages(ctx context.Context, sessionID string) ([]Message, error) {
	q := s.with(ctx).Where("status = ? AND direction = ?", MessageSending, DirectionCustomer)
	if sessionID != "" {
		q = q.Where("session_id = ?", sessionID)
	}
	var rows []Message
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list sending messages: %w", err)
	}
	return rows, nil
}

// AgentAnsweredAfter reports whether an agent's message was added to the
// session after the message with this id. System notes do not count.
func (s *Store) AgentAnsweredAfter(ctx context.Context, sessionID string, id int64) (bool, error) {
	var n int64
	err := s.with(ctx).Model(&Message{}).Where("session_id = ? AND direction = ? AND id > ?", sessionID, DirectionAgent, id).Limit(1).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("look for an answer after message %d: %w", id, err)
	}
	return n > 0, nil
}

// ResolveSending gives a message that is still sending its final status. It
// reports false, changing nothing, when the message is no longer sending:
// the send finished meanwhile and what it recorded stands.
func (s *Store) ResolveSending(ctx context.Context, id int64, status, detail string) (bool, error) {
	changed := false
	err := s.atomically(ctx, func(tx *Store) error {
		m, err := tx.GetMessage(ctx, id)
		if err != nil {
			return err
		}
		seq, err := tx.bumpSeq(ctx, m.SessionID)
		if err != nil {
			return err
		}
		// The session row is locked now; the status read under it is final.
		res := tx.with(ctx).Model(&Message{}).Where("id = ? AND status = ?", id, MessageSending).
			Updates(map[string]any{"status": status, "status_detail": CleanText(detail), "seq": seq, "updated_at": stamp(time.Now())})
		if res.Error != nil {
			return res.Error
		}
		changed = res.RowsAffected == 1
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("resolve sending message %d: %w", id, err)
	}
	return changed, nil
}

// ListMessages returns a session's whole transcript in the order it was written.
func (s *Store) ListMessages(ctx context.Context, sessionID string) ([]Message, error) {
	return s.ListMessagesSince(ctx, sessionID, 0)
}

// ListMessagesSince returns the session's messages added or changed after
// the session's change counter was afterSeq.
func (s *Store) ListMessagesSince(ctx context.Context, sessionID string, afterSeq int64) ([]Message, error) {
	return listSince[Message](ctx, s, "messages", sessionID, afterSeq)
}
