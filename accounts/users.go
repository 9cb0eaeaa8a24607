package accounts

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/store"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

var usernamePattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._@-]{1,63}$`)

// Bootstrap creates the first admin when there are no users. With an empty
// password it generates a strong one and returns it, to be shown once.
func (svc *Service) Bootstrap(ctx context.Context, username, password string) (generated string, err error) {
	n, err := svc.store.CountUsers(ctx)
	if err != nil {
		return "", fmt.Errorf("count users: %w", err)
	}
	if n > 0 {
		return "", nil
	}
	if password == "" {
		password = generatePassword()
		generated = password
	}
	if err := svc.createUser(ctx, Actor{Username: "parley"}, username, password, RoleAdmin); err != nil {
		return "", fmt.Errorf("create first admin: %w", err)
	}
	return generated, nil
}

// ListUsers returns every user.
func (svc *Service) ListUsers(ctx context.Context) ([]User, error) {
	us, err := svc.store.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]User, len(us))
	for i, u := range us {
		out[i] = presentUser(u)
	}
	return out, nil
}

// CreateUser adds a person with a role.
func (svc *Service) CreateUser(ctx context.Context, a Actor, username, password, role string) error {
	return svc.createUser(ctx, a, strings.TrimSpace(username), password, role)
}

func (svc *Service) createUser(ctx context.Context, a Actor, username, password, role string) error {
	var problems input.Error
	if !usernamePattern.MatchString(username) {
		problems.Add("username", "use 2 to 64 letters, digits, dots, dashes, underscores or @")
	}
	if len(password) < MinPasswordLength {
		problems.Add("password", fmt.Sprintf("use at least %d characters", MinPasswordLength))
	}
	if !slices.Contains(Roles, role) {
		problems.Add("role", fmt.Sprintf("%q is not a role; use operator, qa or admin", role))
	}
	if err := problems.Err(); err != nil {
		return err
	}
	if _, err := svc.store.GetUserByName(ctx, username); err == nil {
		return input.Invalid("username", fmt.Sprintf("%q is taken", username))
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	u := store.User{Username: username, PasswordHash: string(hash), Role: role}
	if err := svc.store.CreateUser(ctx, &u); err != nil {
		return err
	}
	return svc.Record(ctx, a, ActionUserCreate, username, "role "+role)
}

// SetRole changes a user's role.
func (svc *Service) SetRole(ctx context.Context, a Actor, id int64, role string) error {
	if !slices.Contains(Roles, role) {
		return input.Invalid("role", fmt.Sprintf("%q is not a role; use operator, qa or admin", role))
	}
	u, err := svc.user(ctx, id)
	if err != nil {
		return err
	}
	if u.Username == a.Username && role != RoleAdmin {
		return input.Invalid("role", "you can't take the admin role from your own account")
	}
	if err := svc.store.UpdateUser(ctx, id, store.UserUpdate{Role: &role}); errors.Is(err, store.ErrLastAdmin) {
		return input.Invalid("role", fmt.Sprintf("%s is the last active admin; make someone else admin first", u.Username))
	} else if err != nil {
		return err
	}
	// Open pages were rendered for the old role.
	svc.revoke(ctx, id)
	return svc.Record(ctx, a, ActionUserRole, u.Username, u.Role+" → "+role)
}

// SetDisabled disables a user, signing out their browsers, or enables them.
func (svc *Service) SetDisabled(ctx context.Context, a Actor, id int64, disabled bool) error {
	u, err := svc.user(ctx, id)
	if err != nil {
		return err
	}
	if u.Username == a.Username && disabled {
		return input.Invalid("disabled", "you can't disable your own account")
	}
	if err := svc.store.UpdateUser(ctx, id, store.UserUpdate{Disabled: &disabled}); errors.Is(err, store.ErrLastAdmin) {
		return input.Invalid("disabled", fmt.Sprintf("%s is the last active admin; make someone else admin first", u.Username))
	} else if err != nil {
		return err
	}
	action := ActionUserEnable
	if disabled {
		action = ActionUserDisable
		if err := svc.store.DeleteUserWebSessions(ctx, id); err != nil {
			return fmt.Errorf("sign out %s: %w", u.Username, err)
		}
		svc.revoke(ctx, id)
	}
	return svc.Record(ctx, a, action, u.Username, "")
}

// ResetPassword sets a new password and signs the user's browsers out.
func (svc *Service) ResetPassword(ctx context.Context, a Actor, id int64, password string) error {
	if len(password) < MinPasswordLength {
		return input.Invalid("password", fmt.Sprintf("use at least %d characters", MinPasswordLength))
	}
	u, err := svc.user(ctx, id)
	if err != nil {
		return err
	}
	return svc.setPassword(ctx, a, u, password, "")
}

// ResetPasswordByName gives the user a new generated password, signs their
// browsers out, and returns the password and whether the user is disabled
// (a reset does not enable them). It is how an operator of the server gets
// back in when no admin can sign in.
func (svc *Service) ResetPasswordByName(ctx context.Context, a Actor, username string) (password string, disabled bool, err error) {
	u, err := svc.store.GetUserByName(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		return "", false, ErrNotFound
	}
	if err != nil {
		return "", false, fmt.Errorf("reset password of %s: %w", username, err)
	}
	password = generatePassword()
	if err := svc.setPassword(ctx, a, u, password, "reset with parley admin reset-password"); err != nil {
		return "", false, err
	}
	return password, u.Disabled, nil
}

func (svc *Service) setPassword(ctx context.Context, a Actor, u store.User, password, detail string) error {
	if err := svc.storePassword(ctx, u.ID, password); err != nil {
		return err
	}
	if err := svc.store.DeleteUserWebSessions(ctx, u.ID); err != nil {
		return fmt.Errorf("sign out %s: %w", u.Username, err)
	}
	svc.revoke(ctx, u.ID)
	return svc.Record(ctx, a, ActionUserPassword, u.Username, detail)
}

// storePassword keeps the hash of a user's new password.
func (svc *Service) storePassword(ctx context.Context, id int64, password string) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	h := string(hash)
	return svc.store.UpdateUser(ctx, id, store.UserUpdate{PasswordHash: &h})
}

func (svc *Service) user(ctx context.Context, id int64) (store.User, error) {
	u, err := svc.store.GetUser(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return u, ErrNotFound
	}
	return u, err
}

// generatePassword returns 26 base32 characters: 130 random bits.
func generatePassword() string { return rand.Text() }

// ChangeOwnPassword lets a signed-in person replace their password. The
// current one is asked for, so a browser left open is not enough; their
// other browsers are signed out, this one stays in.
func (svc *Service) ChangeOwnPassword(ctx context.Context, a Actor, token, current, next string) error {
	ws, u, err := svc.store.GetWebSession(ctx, hashToken(token))
	if err != nil {
		return ErrSignedOut
	}
	if len(next) < MinPasswordLength {
		return input.Invalid("password", fmt.Sprintf("use at least %d characters", MinPasswordLength))
	}
	// The current password is a guess like a sign-in: a stolen session must
	// not become a fast, unaudited way to find it.
	try, wait := svc.throttle.reserve(u.Username, a.Addr)
	if wait > 0 {
		svc.Record(ctx, a, ActionPasswordChangeFailed, u.Username, "throttled")
		return &ThrottledError{Wait: wait}
	}
	if svc.compare([]byte(u.PasswordHash), []byte(current)) != nil {
		svc.Record(ctx, a, ActionPasswordChangeFailed, u.Username, "wrong current password")
		return input.Invalid("current", "this is not your current password")
	}
	svc.throttle.succeeded(try)
	if err := svc.storePassword(ctx, u.ID, next); err != nil {
		return err
	}
	if err := svc.store.DeleteOtherWebSessions(ctx, u.ID, ws.TokenHash); err != nil {
		return fmt.Errorf("sign out other browsers of %s: %w", u.Username, err)
	}
	svc.revoke(ctx, u.ID)
	return svc.Record(ctx, a, ActionUserPassword, u.Username, "changed their own password")
}
