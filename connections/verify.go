package connections

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/store"
)

// Why a callback was rejected, as the diagnostics show it.
const (
	ReasonBadSignature = "bad signature"
	ReasonExpired      = "expired"
	ReasonBadClaims    = "wrong issuer or audience"
	ReasonUnknownKey   = "unknown key"
	ReasonWrongPath    = "wrong path"
	ReasonUnparseable  = "unparseable"
	ReasonDisabled     = "connection disabled"
)

// Rejection is a callback refused before it was stored, with the reason
// the diagnostics show and the status to answer.
type Rejection struct {
	Reason string
	Status int
	// Owner is the connection the callback belongs to when it came to a
	// path that is not a connection's: its diagnostics show it.
	Owner string
	Err   error
}

func (r *Rejection) Error() string { return r.Reason + ": " + r.Err.Error() }
func (r *Rejection) Unwrap() error { return r.Err }

func reject(reason string, err error) *Rejection {
	return &Rejection{Reason: reason, Status: http.StatusUnauthorized, Err: err}
}

// VerifyCallback checks the JWT of a callback that came to the path of the
// connection slug ("" for the old path, the default connection's) with that
// connection's keys only; any one of them may have signed it, so Alvaria
// can rotate its key. A refusal is a *Rejection naming why: a token signed
// by another connection's key came to the wrong path, one signed by no key
// Parley knows has an unknown key.
func (svc *Service) VerifyCallback(slug, authorization string) (*alvaria.CallbackClaims, error) {
	if slug == "" {
		slug = svc.defaultSlug()
	}
	e, ok := svc.lookup(slug)
	if !ok {
		r := reject(ReasonWrongPath, fmt.Errorf("no connection has the callback path %s/%s", LegacyCallbackPath, slug))
		r.Status = http.StatusNotFound
		r.Owner = svc.signedBy(authorization, "")
		return nil, r
	}
	if e.conn.Disabled {
		return nil, reject(ReasonDisabled, fmt.Errorf("the connection %q is disabled", e.conn.Name))
	}
	var claimsErr error
	for _, v := range e.verifiers {
		claims, err := v.Verify(authorization)
		if err == nil {
			return claims, nil
		}
		if !errors.Is(err, jwt.ErrTokenSignatureInvalid) && claimsErr == nil {
			// This key signed it, but the claims are wrong.
			claimsErr = err
		}
	}
	// Why it failed is worked out only for a failure, so an accepted
	// callback costs its signature check and no more.
	if err := checkTokenShape(authorization); err != nil {
		return nil, err
	}
	if claimsErr != nil {
		return nil, classify(claimsErr)
	}
	if owner := svc.signedBy(authorization, slug); owner != "" {
		o, _ := svc.lookup(owner)
		return nil, reject(ReasonWrongPath, fmt.Errorf("signed with a key of the connection %q: it belongs on %s", o.conn.Name, o.conn.CallbackPath))
	}
	return nil, reject(ReasonUnknownKey, fmt.Errorf("no callback public key of %q verifies its signature", e.conn.Name))
}

// checkTokenShape refuses what is not an RS256 JWT before any key is
// tried, so those are told apart from a signature no key verifies.
func checkTokenShape(authorization string) error {
	raw := strings.TrimSpace(authorization)
	if scheme, rest, ok := strings.Cut(raw, " "); ok && strings.EqualFold(scheme, "Bearer") {
		raw = strings.TrimSpace(rest)
	}
	if raw == "" {
		return reject(ReasonUnparseable, errors.New("no token in the Authorization header"))
	}
	if len(raw) > 16<<10 {
		return reject(ReasonUnparseable, fmt.Errorf("the token is %d bytes long", len(raw)))
	}
	tok, _, err := jwt.NewParser().ParseUnverified(raw, &alvaria.CallbackClaims{})
	if err != nil {
		return reject(ReasonUnparseable, fmt.Errorf("the Authorization header does not hold a JWT: %w", err))
	}
	if alg, _ := tok.Header["alg"].(string); alg != jwt.SigningMethodRS256.Alg() {
		return reject(ReasonBadSignature, fmt.Errorf("signed with %q; only RS256 is accepted", alg))
	}
	return nil
}

// classify names why a token signed by a known key was refused.
func classify(err error) *Rejection {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired), errors.Is(err, jwt.ErrTokenNotValidYet),
		errors.Is(err, jwt.ErrTokenUsedBeforeIssued), errors.Is(err, alvaria.ErrTokenLifetime),
		errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return reject(ReasonExpired, err)
	case errors.Is(err, jwt.ErrTokenInvalidIssuer), errors.Is(err, jwt.ErrTokenInvalidAudience):
		return reject(ReasonBadClaims, err)
	case errors.Is(err, jwt.ErrTokenMalformed):
		return reject(ReasonUnparseable, err)
	}
	return reject(ReasonBadSignature, err)
}

// signedBy returns the slug of the connection other than except whose key
// made the token's signature, or "".
func (svc *Service) signedBy(authorization, except string) string {
	if checkTokenShape(authorization) != nil {
		return ""
	}
	for _, e := range svc.all() {
		if e.conn.Slug == except {
			continue
		}
		for _, v := range e.verifiers {
			if _, err := v.Verify(authorization); err == nil || !errors.Is(err, jwt.ErrTokenSignatureInvalid) {
				return e.conn.Slug
			}
		}
	}
	return ""
}

// AdmitCallback checks a verified callback's body: it must be the one the
// token was signed for, and when it names a session Parley already has,
// that session must be on this connection, so one tenant cannot speak for
// another's sessions. A session not stored yet (NEW_SESSION can come first)
// is admitted.
func (svc *Service) AdmitCallback(ctx context.Context, slug string, claims *alvaria.CallbackClaims, body []byte) error {
	if err := claims.CheckBody(body); err != nil {
		return reject(ReasonBadSignature, err)
	}
	if slug == "" {
		slug = svc.defaultSlug()
	}
	if len(svc.all()) == 1 {
		return nil // no other connection a session could belong to
	}
	var ids struct {
		SessionID string `json:"sessionId"`
	}
	if json.Unmarshal(body, &ids) != nil || ids.SessionID == "" {
		return nil // stored raw by the conversation service, applied to nothing
	}
	owner, err := svc.cfg.Store.SessionConnection(ctx, ids.SessionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if owner == "" {
		owner = svc.defaultSlug() // sessions from before connections
	}
	if owner != slug {
		name := owner
		if o, ok := svc.lookup(owner); ok {
			name = o.conn.Name
		}
		return reject(ReasonWrongPath, fmt.Errorf("session %s runs on the connection %q, not this one", ids.SessionID, name))
	}
	return nil
}

func publicKeyPEM(k *rsa.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}
