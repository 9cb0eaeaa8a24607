package store

import (
	"context"
	"fmt"
	"time"
)

// APIToken is a personal API token. Only a hash of the token is stored.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	TokenHash  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// CreateAPIToken stores a new token and fills in its id.
func (s *Store) CreateAPIToken(ctx context.Context, t *APIToken) error {
	t.CreatedAt = stampOrNow(t.CreatedAt)
	if err := s.with(ctx).Create(t).Error; err != nil {
		return fmt.Errorf("create api token %q: %w", t.Name, err)
	}
	return nil
}

// ListAPITokens returns a user's tokens, newest first, revoked ones too.
func (s *Store) ListAPITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	var rows []APIToken
	if err := s.with(ctx).Where("user_id = ?", userID).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list api tokens of user %d: %w", userID, err)
	}
	return rows, nil
}

// GetAPIToken returns the token with the hash and its user.
func (s *Store) GetAPIToken(ctx context.Context, tokenHash string) (APIToken, User, error) {
	var t APIToken
	if err := s.with(ctx).Where("token_hash = ?", tokenHash).Take(&t).Error; err != nil {
		return t, User{}, notFound(err)
	}
	u, err := s.GetUser(ctx, t.UserID)
	return t, u, err
}

// RevokeAPIToken revokes the user's token with the id at t and returns it.
// A token of someone else, or one already revoked, is ErrNotFound.
func (s *Store) RevokeAPIToken(ctx context.Context, userID, id int64, at time.Time) (APIToken, error) {
	var tok APIToken
	err := s.Transaction(ctx, func(tx *Store) error {
		if err := tx.with(ctx).Where("id = ? AND user_id = ? AND revoked_at IS NULL", id, userID).Take(&tok).Error; err != nil {
			return notFound(err)
		}
		at := stamp(at)
		tok.RevokedAt = &at
		return tx.with(ctx).Model(&APIToken{}).Where("id = ?", id).Update("revoked_at", at).Error
	})
	if err != nil {
		return tok, fmt.Errorf("revoke api token %d: %w", id, err)
	}
	return tok, nil
}

// TouchAPIToken records that the token was used at t, unless it was already
// recorded within the minute before: instances using one token at once write
// at most once a minute between them.
func (s *Store) TouchAPIToken(ctx context.Context, id int64, t time.Time) error {
	t = stamp(t)
	err := s.with(ctx).Model(&APIToken{}).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, t.Add(-time.Minute)).
		Update("last_used_at", t).Error
	if err != nil {
		return fmt.Errorf("touch api token %d: %w", id, err)
	}
	return nil
}
