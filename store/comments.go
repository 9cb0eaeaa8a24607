package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// MessageComment is QA's comment on one message of a transcript.
type MessageComment struct {
	ID        int64
	SessionID string
	MessageID int64
	Author    string
	Text      string
	CreatedAt time.Time
}

// SessionTag is a free label on a session, for finding it again.
type SessionTag struct {
	SessionID string `gorm:"primaryKey"`
	Tag       string `gorm:"primaryKey"`
	AddedBy   string
	AddedAt   time.Time
}

// AddComment stores a comment on a message of the session; the message
// must belong to it (ErrNotFound otherwise).
func (s *Store) AddComment(ctx context.Context, c *MessageComment) error {
	c.CreatedAt = stampOrNow(c.CreatedAt)
	cleanAll(&c.Author, &c.Text)
	return s.Transaction(ctx, func(tx *Store) error {
		var n int64
		if err := tx.with(ctx).Model(&Message{}).Where("id = ? AND session_id = ?", c.MessageID, c.SessionID).Count(&n).Error; err != nil {
			return fmt.Errorf("find message %d: %w", c.MessageID, err)
		}
		if n == 0 {
			return fmt.Errorf("message %d of session %s: %w", c.MessageID, c.SessionID, ErrNotFound)
		}
		if _, err := tx.bumpSeq(ctx, c.SessionID); err != nil {
			return err
		}
		if err := tx.with(ctx).Create(c).Error; err != nil {
			return fmt.Errorf("comment on message %d: %w", c.MessageID, err)
		}
		return nil
	})
}

// ListComments returns the session's comments, oldest first.
func (s *Store) ListComments(ctx context.Context, sessionID string) ([]MessageComment, error) {
	var rows []MessageComment
	if err := s.with(ctx).Where("session_id = ?", sessionID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list comments of session %s: %w", sessionID, err)
	}
	return rows, nil
}

// AddTag labels a session; a tag it has already is kept as it was.
func (s *Store) AddTag(ctx context.Context, t *SessionTag) error {
	t.AddedAt = stampOrNow(t.AddedAt)
	cleanAll(&t.Tag, &t.AddedBy)
	return s.Transaction(ctx, func(tx *Store) error {
		if _, err := tx.bumpSeq(ctx, t.SessionID); err != nil {
			return err
		}
		if err := tx.with(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(t).Error; err != nil {
			return fmt.Errorf("tag session %s: %w", t.SessionID, err)
		}
		return nil
	})
}

// RemoveTag takes a label off a session; one it does not have is no error.
func (s *Store) RemoveTag(ctx context.Context, sessionID, tag string) error {
	return s.Transaction(ctx, func(tx *Store) error {
		if _, err := tx.bumpSeq(ctx, sessionID); err != nil {
			return err
		}
		if err := tx.with(ctx).Where("session_id = ? AND tag = ?", sessionID, CleanText(tag)).Delete(&SessionTag{}).Error; err != nil {
			return fmt.Errorf("untag session %s: %w", sessionID, err)
		}
		return nil
	})
}

// ListTags returns the session's tags in alphabetical order.
func (s *Store) ListTags(ctx context.Context, sessionID string) ([]string, error) {
	var tags []string
	if err := s.with(ctx).Model(&SessionTag{}).Where("session_id = ?", sessionID).Order("tag").Pluck("tag", &tags).Error; err != nil {
		return nil, fmt.Errorf("list tags of session %s: %w", sessionID, err)
	}
	return tags, nil
}
