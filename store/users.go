package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm/clause"
)

// CreateUser stores a new user and fills in its id.
func (s *Store) CreateUser(ctx context.Context, u *User) error {
	now := stamp(time.Now())
	u.CreatedAt, u.UpdatedAt = now, now
	if err := s.with(ctx).Create(u).Error; err != nil {
		return fmt.Errorf("create user %s: %w", u.Username, err)
	}
	return nil
}

// GetUser returns the user with the id.
func (s *Store) GetUser(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.with(ctx).Where("id = ?", id).Take(&u).Error
	return u, notFound(err)
}

// GetUserByName returns the user with the username.
func (s *Store) GetUserByName(ctx context.Context, username string) (User, error) {
	var u User
	err := s.with(ctx).Where("username = ?", username).Take(&u).Error
	return u, notFound(err)
}

// ListUsers returns every user by name.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	var rows []User
	if err := s.with(ctx).Order("username").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return rows, nil
}

// CountUsers returns how many users exist.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.with(ctx).Model(&User{}).Count(&n).Error
	return n, err
}

// UserUpdate changes a user; nil fields stay as they are.
type UserUpdate struct {
	Role         *string
	Disabled     *bool
	PasswordHash *string
}

// takesAdmin reports whether the update can leave a user without an active
// admin role.
func (u UserUpdate) takesAdmin() bool {
	return (u.Role != nil && *u.Role != adminRole) || (u.Disabled != nil && *u.Disabled)
}

// UpdateUser applies u to the user with the id. A change that would leave
// no active admin fails with ErrLastAdmin.
func (s *Store) UpdateUser(ctx context.Context, id int64, u UserUpdate) error {
	if !u.takesAdmin() {
		return s.updateUser(ctx, id, u)
	}
	return s.Transaction(ctx, func(tx *Store) error {
		// Two admins demoting each other at once must not both see the
		// other still active. On Postgres the active admins' rows are
		// locked in id order, so the second change waits for the first and
		// then re-reads; SQLite has a single connection, so transactions
		// already run one at a time.
		q := tx.with(ctx).Model(&User{}).Where("role = ? AND disabled = ?", adminRole, false).Order("id")
		if s.dialect == DialectPostgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var admins []int64
		if err := q.Pluck("id", &admins).Error; err != nil {
			return fmt.Errorf("update user %d: count active admins: %w", id, err)
		}
		if len(admins) == 1 && admins[0] == id {
			return fmt.Errorf("update user %d: %w", id, ErrLastAdmin)
		}
		return tx.updateUser(ctx, id, u)
	})
}

func (s *Store) updateUser(ctx context.Context, id int64, u UserUpdate) error {
	set := map[string]any{"updated_at": stamp(time.Now())}
	if u.Role != nil {
		set["role"] = *u.Role
	}
	if u.Disabled != nil {
		set["disabled"] = *u.Disabled
	}
	if u.PasswordHash != nil {
		set["password_hash"] = *u.PasswordHash
	}
	res := s.with(ctx).Model(&User{}).Where("id = ?", id).Updates(set)
	if res.Error != nil {
		return fmt.Errorf("update user %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("update user %d: %w", id, ErrNotFound)
	}
	return nil
}

// CreateWebSession records a signed-in browser.
func (s *Store) CreateWebSession(ctx context.Context, ws *WebSession) error {
	if ws.CreatedAt.IsZero() {
		ws.CreatedAt = time.Now()
	}
	ws.CreatedAt = stamp(ws.CreatedAt)
	ws.LastSeenAt = ws.CreatedAt
	if err := s.with(ctx).Create(ws).Error; err != nil {
		return fmt.Errorf("create web session: %w", err)
	}
	return nil
}

// GetWebSession returns the signed-in browser with the token hash and its
// user. Every page asks it, so it is one query scanned by hand, through
// pgx itself on Postgres (see queryPgx).
func (s *Store) GetWebSession(ctx context.Context, tokenHash string) (WebSession, User, error) {
	var ws WebSession
	var u User
	const query = `SELECT w.token_hash, w.user_id, w.csrf_token, w.client_addr, w.created_at, w.last_seen_at,
		u.id, u.username, u.password_hash, u.role, u.disabled, u.created_at, u.updated_at
		FROM web_sessions w JOIN users u ON u.id = w.user_id WHERE w.token_hash = ?`
	fields := []any{&ws.TokenHash, &ws.UserID, &ws.CSRFToken, &ws.ClientAddr, &ws.CreatedAt, &ws.LastSeenAt,
		&u.ID, &u.Username, &u.PasswordHash, &u.Role, &u.Disabled, &u.CreatedAt, &u.UpdatedAt}
	found := false
	err := s.queryPgx(ctx, query, []any{tokenHash}, func(rows pgx.Rows) error {
		if !rows.Next() {
			return nil
		}
		found = true
		return rows.Scan(fields...)
	})
	if errors.Is(err, errNoPgx) {
		err = s.with(ctx).Raw(query, tokenHash).Row().Scan(fields...)
		found = !errors.Is(err, sql.ErrNoRows)
		if !found {
			err = nil
		}
	}
	if err != nil {
		return WebSession{}, User{}, fmt.Errorf("get web session: %w", err)
	}
	if !found {
		return WebSession{}, User{}, ErrNotFound
	}
	return ws, u, nil
}

// TouchWebSession records that the browser was seen at t.
func (s *Store) TouchWebSession(ctx context.Context, tokenHash string, t time.Time) error {
	return s.with(ctx).Model(&WebSession{}).Where("token_hash = ?", tokenHash).Update("last_seen_at", stamp(t)).Error
}

// DeleteWebSession signs a browser out.
func (s *Store) DeleteWebSession(ctx context.Context, tokenHash string) error {
	return s.with(ctx).Where("token_hash = ?", tokenHash).Delete(&WebSession{}).Error
}

// DeleteUserWebSessions signs all of a user's browsers out.
func (s *Store) DeleteUserWebSessions(ctx context.Context, userID int64) error {
	return s.with(ctx).Where("user_id = ?", userID).Delete(&WebSession{}).Error
}

// DeleteOtherWebSessions signs out all of a user's browsers but the one
// holding keepTokenHash.
func (s *Store) DeleteOtherWebSessions(ctx context.Context, userID int64, keepTokenHash string) error {
	return s.with(ctx).Where("user_id = ? AND token_hash <> ?", userID, keepTokenHash).Delete(&WebSession{}).Error
}
