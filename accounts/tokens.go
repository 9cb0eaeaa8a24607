package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/store"
)

// TokenPrefix starts every personal API token, so a leaked one is easy to
// recognise in a log or a repository.
const TokenPrefix = "parley_"

// MaxTokenNameLen bounds a token's label.
const MaxTokenNameLen = 100

// ErrBadToken is an API request whose bearer token is missing, unknown,
// revoked, or belongs to a disabled user.
var ErrBadToken = errors.New("the API token is missing, unknown or revoked")

// ErrTokenNotFound is a revocation of a token the person does not hold.
var ErrTokenNotFound = errors.New("there is no such API token")

// APIToken is a personal API token as its owner sees it: never the secret.
type APIToken struct {
	ID         int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// NewToken is a token just created: Token is shown once and never again.
type NewToken struct {
	APIToken
	Token string
}

// tokenTarget names a token in the audit trail without its secret.
func tokenTarget(name string, id int64) string { return fmt.Sprintf("%s (token %d)", name, id) }

// CreateToken gives the user named username a new API token labelled name.
func (svc *Service) CreateToken(ctx context.Context, by Actor, username, name string) (NewToken, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxTokenNameLen {
		return NewToken{}, input.Invalid("name", fmt.Sprintf("give the token a label of 1 to %d characters", MaxTokenNameLen))
	}
	// The label is shown on pages, in the audit trail and its CSV, and by
	// parley token create on a terminal: plain text on one line only.
	if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return NewToken{}, input.Invalid("name", "write the token's label as plain text on one line")
	}
	u, err := svc.store.GetUserByName(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		return NewToken{}, ErrNotFound
	}
	if err != nil {
		return NewToken{}, fmt.Errorf("create token for %s: %w", username, err)
	}
	secret := TokenPrefix + randomToken()
	row := store.APIToken{UserID: u.ID, Name: name, TokenHash: hashToken(secret), CreatedAt: svc.now()}
	if err := svc.store.CreateAPIToken(ctx, &row); err != nil {
		return NewToken{}, fmt.Errorf("create token for %s: %w", username, err)
	}
	if err := svc.Record(ctx, by, ActionTokenCreate, tokenTarget(name, row.ID), "for "+username); err != nil {
		return NewToken{}, err
	}
	return NewToken{APIToken: presentToken(row), Token: secret}, nil
}

// ListTokens returns the user's tokens, newest first, revoked ones too.
func (svc *Service) ListTokens(ctx context.Context, username string) ([]APIToken, error) {
	u, err := svc.store.GetUserByName(ctx, username)
	if err != nil {
		return nil, fmt.Errorf("list tokens of %s: %w", username, err)
	}
	rows, err := svc.store.ListAPITokens(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	out := make([]APIToken, len(rows))
	for i, r := range rows {
		out[i] = presentToken(r)
	}
	return out, nil
}

// RevokeToken revokes one of by's own tokens; it is refused from the next
// request on.
func (svc *Service) RevokeToken(ctx context.Context, by Actor, id int64) error {
	u, err := svc.store.GetUserByName(ctx, by.Username)
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	tok, err := svc.store.RevokeAPIToken(ctx, u.ID, id, svc.now())
	if errors.Is(err, store.ErrNotFound) {
		return ErrTokenNotFound
	}
	if err != nil {
		return err
	}
	return svc.Record(ctx, by, ActionTokenRevoke, tokenTarget(tok.Name, tok.ID), "")
}

// AuthenticateToken returns whose token it is, with their role now. Every
// use of a known token is audited, refused ones too; what names what was
// asked (e.g. "POST /api/v1/runs").
func (svc *Service) AuthenticateToken(ctx context.Context, token, addr, what string) (Principal, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return Principal{}, ErrBadToken
	}
	hash := hashToken(token)
	// Before the lookup and the audit entry, so a flood costs neither.
	if wait := svc.tokens.use(hash, svc.now()); wait > 0 {
		return Principal{}, &ThrottledError{Wait: wait, Reason: "this API token was used too often"}
	}
	tok, u, err := svc.store.GetAPIToken(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrBadToken
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate token: %w", err)
	}
	what = shortened(what, maxTokenUseDetail)
	refusal := ""
	switch {
	case tok.RevokedAt != nil:
		refusal = "revoked"
	case u.Disabled:
		refusal = "user disabled"
	}
	detail := what
	if refusal != "" {
		detail = "refused (" + refusal + "): " + what
	}
	if err := svc.Record(ctx, Actor{Username: u.Username, Addr: addr}, ActionTokenUse, tokenTarget(tok.Name, tok.ID), detail); err != nil {
		return Principal{}, err
	}
	if refusal != "" {
		return Principal{}, fmt.Errorf("token %d %s: %w", tok.ID, refusal, ErrBadToken)
	}
	// As for browser sessions, a minute is precise enough for "last used".
	if now := svc.now(); tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) > time.Minute {
		if err := svc.store.TouchAPIToken(ctx, tok.ID, now); err != nil {
			svc.log.Warn("touch api token", "token_id", tok.ID, "err", err)
		}
	}
	return principal(u), nil
}

// maxTokenUseDetail bounds what a token use records of the request: a
// path can be as long as a request line, and each use is an audit entry.
const maxTokenUseDetail = 200

// shortened cuts s to at most max characters, marking the cut.
func shortened(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-1]) + "…"
}

func presentToken(t store.APIToken) APIToken {
	return APIToken{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
}
