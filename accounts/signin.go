package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/parley-dev/parley/store"
)

// ThrottledError means too many tries: try again after Wait. Reason says
// of what; empty means failed sign-ins.
type ThrottledError struct {
	Wait   time.Duration
	Reason string
}

func (e *ThrottledError) Error() string {
	reason := e.Reason
	if reason == "" {
		reason = "too many failed sign-ins"
	}
	return fmt.Sprintf("%s; try again in %s", reason, e.Wait.Round(time.Second))
}

// SignedIn is a new browser session: Token goes in the cookie, CSRF in forms.
type SignedIn struct {
	Token     string
	CSRFToken string
	User      Principal
}

// dummyHash makes a sign-in for an unknown user cost as much as a real one,
// so timing does not tell which usernames exist. It is made at the first
// such sign-in rather than when the program starts.
var dummyHash = sync.OnceValues(func() ([]byte, error) {
	return bcrypt.GenerateFromPassword([]byte("parley-dummy-password"), bcrypt.DefaultCost)
})

// unknownUser stands in the audit trail for a username that matches nobody:
// people type passwords into the username field, and those must not be kept.
const unknownUser = "unknown user"

// SignIn checks a username and password and opens a browser session. Every
// attempt is audited and counted before the password is checked; guessing
// is slowed (see throttle).
func (svc *Service) SignIn(ctx context.Context, username, password, addr string) (SignedIn, error) {
	var u store.User
	// A name no user can have is neither looked up nor kept as a throttle
	// key: the field is as long as the form allows.
	if usernamePattern.MatchString(username) {
		var err error
		u, err = svc.store.GetUserByName(ctx, username)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return SignedIn{}, fmt.Errorf("sign in: %w", err)
		}
	} else {
		username = unknownUser
	}
	who, hash := username, []byte(u.PasswordHash)
	if u.ID == 0 {
		var err error
		if hash, err = dummyHash(); err != nil {
			return SignedIn{}, fmt.Errorf("sign in: stand-in password hash: %w", err)
		}
		who = unknownUser
	}
	failed := func(reason string) {
		svc.Record(ctx, Actor{Username: who, Addr: addr}, ActionSignInFailed, who, reason)
	}
	try, wait := svc.throttle.reserve(username, addr)
	if wait > 0 {
		failed("throttled")
		return SignedIn{}, &ThrottledError{Wait: wait}
	}
	match := svc.compare(hash, []byte(password)) == nil
	if u.ID == 0 || !match || u.Disabled {
		reason := "wrong password"
		switch {
		case u.ID == 0:
			reason = unknownUser
		case u.Disabled && match:
			reason = "user disabled"
		}
		failed(reason)
		return SignedIn{}, ErrBadCredentials
	}
	token, csrf := randomToken(), randomToken()
	ws := store.WebSession{TokenHash: hashToken(token), UserID: u.ID, CSRFToken: csrf, ClientAddr: addr, CreatedAt: svc.now()}
	if err := svc.store.CreateWebSession(ctx, &ws); err != nil {
		svc.throttle.released(try)
		return SignedIn{}, fmt.Errorf("sign in %s: %w", username, err)
	}
	svc.throttle.succeeded(try)
	p := principal(u)
	if err := svc.Record(ctx, Actor{Username: u.Username, Addr: addr}, ActionSignIn, u.Username, ""); err != nil {
		return SignedIn{}, err
	}
	return SignedIn{Token: token, CSRFToken: csrf, User: p}, nil
}

// Authenticate returns who holds the cookie token and the session's CSRF
// token. Disabled users, idle sessions and sessions past their absolute
// lifetime are signed out.
func (svc *Service) Authenticate(ctx context.Context, token string) (Principal, string, error) {
	ws, u, err := svc.session(ctx, token)
	if err != nil {
		return Principal{}, "", err
	}
	// Writing on every request would make reads write; a minute is precise
	// enough for an idle timeout measured in hours.
	if now := svc.now(); now.Sub(ws.LastSeenAt) > time.Minute {
		if err := svc.store.TouchWebSession(ctx, ws.TokenHash, now); err != nil {
			svc.log.Warn("touch web session", "err", err)
		}
	}
	return principal(u), ws.CSRFToken, nil
}

// StillSignedIn returns who holds token now, like Authenticate, without
// counting as activity: an open websocket checking its sign-in must not
// keep an idle session alive.
func (svc *Service) StillSignedIn(ctx context.Context, token string) (Principal, error) {
	_, u, err := svc.session(ctx, token)
	if err != nil {
		return Principal{}, err
	}
	return principal(u), nil
}

func (svc *Service) session(ctx context.Context, token string) (store.WebSession, store.User, error) {
	if token == "" {
		return store.WebSession{}, store.User{}, ErrSignedOut
	}
	h := hashToken(token)
	ws, u, err := svc.store.GetWebSession(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return ws, u, ErrSignedOut
	}
	if err != nil {
		return ws, u, fmt.Errorf("authenticate: %w", err)
	}
	now := svc.now()
	if u.Disabled || now.Sub(ws.LastSeenAt) > svc.idle || now.Sub(ws.CreatedAt) > svc.absolute {
		if err := svc.store.DeleteWebSession(ctx, h); err != nil {
			svc.log.Warn("delete expired web session", "err", err)
		}
		return ws, u, ErrSignedOut
	}
	return ws, u, nil
}

// SignOut ends the browser session that holds token, and closes the live
// connections it opened.
func (svc *Service) SignOut(ctx context.Context, token string, a Actor) error {
	h := hashToken(token)
	ws, _, err := svc.store.GetWebSession(ctx, h)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("sign out: %w", err)
	}
	if err := svc.store.DeleteWebSession(ctx, h); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	if ws.UserID != 0 {
		svc.revoke(ctx, ws.UserID)
	}
	return svc.Record(ctx, a, ActionSignOut, a.Username, "")
}

// ValidCSRF compares a submitted token with the session's in constant time.
func ValidCSRF(want, got string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

func principal(u store.User) Principal {
	return Principal{ID: u.ID, Username: u.Username, Role: u.Role}
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
