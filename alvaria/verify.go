package alvaria

import (
	"bytes"
	"cmp"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultLeeway is the clock skew allowed on exp, nbf and iat.
const DefaultLeeway = 30 * time.Second

// DefaultMaxTokenLifetime bounds how long a callback token may be valid.
// Alvaria signs a fresh token for each delivery attempt, so a long-lived one
// is either misconfigured or made to be replayed.
const DefaultMaxTokenLifetime = time.Hour

// ErrTokenLifetime means the token is valid for longer than allowed.
var ErrTokenLifetime = errors.New("token is valid for longer than the allowed lifetime")

// ErrTokenBodyMismatch means the token was signed for another callback than
// the body carries: a leaked token sent with a forged body.
var ErrTokenBodyMismatch = errors.New("the token was not signed for this body")

// maxTokenBytes bounds the header a caller can make us parse; Alvaria's
// tokens are well under 2 KB.
const maxTokenBytes = 16 << 10

// CallbackClaims are the claims of the JWT that signs a callback.
type CallbackClaims struct {
	jwt.RegisteredClaims
	// EventID, when the token carries it, must match the body's eventId, so
	// a token cannot be replayed with another body.
	EventID string `json:"eventId,omitempty"`
}

// CheckBody tells whether body is the callback the token was signed for:
// the body's eventId must equal the token's eventId claim and its sessionId
// the token's sub, for each of the two the token carries. A body whose ids
// cannot be read is refused when the token binds either, since it cannot be
// shown to match. A token that binds neither accepts any body.
func (c *CallbackClaims) CheckBody(body []byte) error {
	if c.EventID == "" && c.Subject == "" {
		return nil
	}
	// Decoded with the same rules as ParseCallback (case-insensitive names,
	// last duplicate wins), so the ids compared are the ids applied.
	var ids struct {
		EventID   string `json:"eventId"`
		SessionID string `json:"sessionId"`
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return fmt.Errorf("%w: the body is not a JSON object", ErrTokenBodyMismatch)
	}
	if err := json.Unmarshal(trimmed, &ids); err != nil {
		return fmt.Errorf("%w: the body's ids cannot be read: %w", ErrTokenBodyMismatch, describeJSONError(err))
	}
	if c.EventID != "" && ids.EventID != c.EventID {
		return fmt.Errorf("%w: token eventId %q, body eventId %q", ErrTokenBodyMismatch, c.EventID, ids.EventID)
	}
	if c.Subject != "" && ids.SessionID != c.Subject {
		return fmt.Errorf("%w: token sub %q, body sessionId %q", ErrTokenBodyMismatch, c.Subject, ids.SessionID)
	}
	return nil
}

// VerifierConfig says which callback tokens to accept.
type VerifierConfig struct {
	PublicKey *rsa.PublicKey // Alvaria's callback signing key; required
	Issuer    string         // expected iss; empty means not checked
	Audience  string         // expected in aud; empty means not checked
	Leeway    time.Duration  // allowed clock skew; 0 means DefaultLeeway
	// MaxLifetime bounds exp - iat, or exp - now when the token has no iat;
	// 0 means DefaultMaxTokenLifetime.
	MaxLifetime time.Duration
	Now         func() time.Time
}

// Verifier checks the JWT in a callback's Authorization header. It is safe
// for concurrent use.
type Verifier struct {
	key         *rsa.PublicKey
	parser      *jwt.Parser
	leeway      time.Duration
	maxLifetime time.Duration
	now         func() time.Time
}

// NewVerifier checks cfg and builds a Verifier.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if cfg.PublicKey == nil {
		return nil, errors.New("callback verifier: PublicKey is required")
	}
	if cfg.Leeway < 0 {
		return nil, errors.New("callback verifier: Leeway must not be negative")
	}
	if cfg.MaxLifetime < 0 {
		return nil, errors.New("callback verifier: MaxLifetime must not be negative")
	}
	v := &Verifier{
		key:         cfg.PublicKey,
		leeway:      cmp.Or(cfg.Leeway, DefaultLeeway),
		maxLifetime: cmp.Or(cfg.MaxLifetime, DefaultMaxTokenLifetime),
		now:         cfg.Now,
	}
	if v.now == nil {
		v.now = time.Now
	}
	opts := []jwt.ParserOption{
		// Pinning the algorithm is what stops "alg: none" and the HS256
		// trick of signing with the public key as an HMAC secret.
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithLeeway(v.leeway),
		// A token without exp would be a key to this webhook forever.
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	}
	opts = append(opts, jwt.WithTimeFunc(v.now))
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	v.parser = jwt.NewParser(opts...)
	return v, nil
}

// Verify checks the value of an Authorization header, "Bearer <jwt>" or a
// bare "<jwt>", and returns the token's claims. The error gives the reason
// for a log line: missing header, wrong algorithm, bad signature, no exp,
// expired, valid for too long, issued in the future, not yet valid, wrong
// issuer or audience, or not a JWT at all. The caller checks the body
// against the claims with CheckBody.
func (v *Verifier) Verify(authorization string) (*CallbackClaims, error) {
	raw := strings.TrimSpace(authorization)
	if raw == "" {
		return nil, errors.New("verify callback token: no Authorization header")
	}
	if scheme, rest, ok := strings.Cut(raw, " "); ok {
		if !strings.EqualFold(scheme, "Bearer") {
			return nil, fmt.Errorf("verify callback token: unsupported authorization scheme %q", scheme)
		}
		raw = strings.TrimSpace(rest)
	}
	if raw == "" || strings.EqualFold(raw, "Bearer") {
		return nil, errors.New("verify callback token: empty bearer token")
	}
	if len(raw) > maxTokenBytes {
		return nil, fmt.Errorf("verify callback token: token is %d bytes, more than %d", len(raw), maxTokenBytes)
	}
	claims := &CallbackClaims{}
	_, err := v.parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		// WithValidMethods already checked alg; this guards the key type
		// should that option ever be dropped.
		if _, ok := t.Method.(*jwt.SigningMethodRSA); !ok {
			return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
		}
		return v.key, nil
	})
	if err != nil {
		return nil, fmt.Errorf("verify callback token: %w", err)
	}
	if err := v.checkLifetime(claims); err != nil {
		return nil, fmt.Errorf("verify callback token: %w", err)
	}
	return claims, nil
}

// checkLifetime refuses a token valid for longer than maxLifetime, counted
// from iat, or from now when the token has no iat (so a missing iat cannot
// lift the bound). The parser has already required exp.
func (v *Verifier) checkLifetime(c *CallbackClaims) error {
	exp := c.ExpiresAt.Time
	if c.IssuedAt != nil {
		if life := exp.Sub(c.IssuedAt.Time); life > v.maxLifetime {
			return fmt.Errorf("%w: %s from iat to exp, more than %s", ErrTokenLifetime, life, v.maxLifetime)
		}
	}
	// With iat in the past this holds already; it bounds tokens without iat.
	if left := exp.Sub(v.now()); left > v.maxLifetime+v.leeway {
		return fmt.Errorf("%w: expires in %s, more than %s", ErrTokenLifetime, left.Round(time.Second), v.maxLifetime)
	}
	return nil
}
