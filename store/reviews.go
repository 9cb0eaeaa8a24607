package store

import (
	"context"
	"fmt"
)

// SetReview records QA's verdict and notes on a session, and keeps the
// change in the session's review history.
func (s *Store) SetReview(ctx context.Context, c *ReviewChange) error {
	c.At = stampOrNow(c.At)
	return s.Transaction(ctx, func(tx *Store) error {
		seq, err := tx.bumpSeq(ctx, c.SessionID)
		if err != nil {
			return err
		}
		err = tx.with(ctx).Model(&Session{}).Where("id = ?", c.SessionID).Updates(map[string]any{
			"verdict": c.Verdict, "review_notes": c.Notes, "reviewed_by": c.Author, "reviewed_at": c.At, "seq": seq,
		}).Error
		if err != nil {
			return fmt.Errorf("review session %s: %w", c.SessionID, err)
		}
		if err := tx.with(ctx).Create(c).Error; err != nil {
			return fmt.Errorf("record review of session %s: %w", c.SessionID, err)
		}
		return nil
	})
}

// ListReviewChanges returns a session's review history, oldest first.
func (s *Store) ListReviewChanges(ctx context.Context, sessionID string) ([]ReviewChange, error) {
	var rows []ReviewChange
	if err := s.with(ctx).Where("session_id = ?", sessionID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list reviews of session %s: %w", sessionID, err)
	}
	return rows, nil
}
