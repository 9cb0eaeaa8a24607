package accounts

import (
	"time"

	"github.com/parley-dev/parley/store"
)

// User is a person who signs in, as the admin pages show them: never their
// password hash.
type User struct {
	ID        int64
	Username  string
	Role      string // one of Roles
	Disabled  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

func presentUser(u store.User) User {
	return User{ID: u.ID, Username: u.Username, Role: u.Role, Disabled: u.Disabled, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

// AuditEntry records who did what.
type AuditEntry struct {
	ID         int64
	At         time.Time
	Actor      string
	Action     string
	Target     string
	Detail     string
	ClientAddr string
}
