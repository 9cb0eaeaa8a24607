package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrConflict means a unique name or slug is taken.
var ErrConflict = errors.New("already taken")

// ListConnections returns every stored connection, by name.
func (s *Store) ListConnections(ctx context.Context) ([]Connection, error) {
	var rows []Connection
	if err := s.with(ctx).Order("lower(name), id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	return rows, nil
}

// GetConnection returns the connection with this slug.
func (s *Store) GetConnection(ctx context.Context, slug string) (Connection, error) {
	var c Connection
	err := s.with(ctx).Where("slug = ?", slug).Take(&c).Error
	if err = notFound(err); err != nil {
		return c, fmt.Errorf("connection %q: %w", slug, err)
	}
	return c, nil
}

// CreateConnection stores a new connection; a name or slug in use is
// ErrConflict.
func (s *Store) CreateConnection(ctx context.Context, c *Connection) error {
	c.CreatedAt = stampOrNow(c.CreatedAt)
	c.UpdatedAt = c.CreatedAt
	if err := s.with(ctx).Create(c).Error; err != nil {
		return fmt.Errorf("create connection %q: %w", c.Name, conflict(err))
	}
	return nil
}

// UpdateConnection saves every field of c but its slug and creation time.
func (s *Store) UpdateConnection(ctx context.Context, c *Connection) error {
	c.UpdatedAt = stampOrNow(c.UpdatedAt)
	res := s.with(ctx).Model(&Connection{}).Where("slug = ?", c.Slug).Updates(map[string]any{
		"name": c.Name, "region": c.Region, "api_url": c.APIURL, "token_url": c.TokenURL, "org_id": c.OrgID,
		"client_id": c.ClientID, "client_secret_sealed": c.ClientSecretSealed, "api_key_sealed": c.APIKeySealed,
		"callback_keys": c.CallbackKeys, "default_work_type": c.DefaultWorkType, "disabled": c.Disabled, "updated_at": c.UpdatedAt,
	})
	if res.Error != nil {
		return fmt.Errorf("update connection %q: %w", c.Slug, conflict(res.Error))
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("update connection %q: %w", c.Slug, ErrNotFound)
	}
	return nil
}

// SessionConnection returns the slug of the connection of the session
// Alvaria knows by alvariaID, or ErrNotFound when no session has that id
// (yet: a callback may come before its session is stored).
func (s *Store) SessionConnection(ctx context.Context, alvariaID string) (string, error) {
	var slugs []string
	if alvariaID == "" {
		return "", ErrNotFound
	}
	err := s.with(ctx).Model(&Session{}).Where("alvaria_session_id = ?", CleanText(alvariaID)).Limit(1).Pluck("connection_slug", &slugs).Error
	if err != nil {
		return "", fmt.Errorf("connection of session %s: %w", alvariaID, err)
	}
	if len(slugs) == 0 {
		return "", ErrNotFound
	}
	return slugs[0], nil
}

// conflict turns a unique-key violation of either engine into ErrConflict.
func conflict(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "duplicate key value") || strings.Contains(msg, "SQLSTATE 23505") {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}
