package alvaria

import (
	"cmp"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultLeeway is the clock skew allowed on exp and nbf.
const DefaultLeeway = 30 * time.Second

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

// VerifierConfig says which callback tokens to accept.
type VerifierConfig struct {
	PublicKey *rsa.PublicKey // Alvaria's callback signing key; required
	Issuer    string         // expected iss; empty means not checked
	Audience  string         // expected in aud; empty means not checked
	Leeway    time.Duration  // allowed clock skew; 0 means DefaultLeeway
	Now       func() time.Time
}

// Verifier checks the JWT in a callback's Authorization header. It is safe
// for concurrent use.
type Verifier struct {
	key    *rsa.PublicKey
	parser *jwt.Parser
}

// NewVerifier checks cfg and builds a Verifier.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if cfg.PublicKey == nil {
		return nil, errors.New("callback verifier: PublicKey is required")
	}
	if cfg.Leeway < 0 {
		return nil, errors.New("callback verifier: Leeway must not be negative")
	}
	opts := []jwt.ParserOption{
		// Pinning the algorithm is what stops "alg: none" and the HS256
		// trick of signing with the public key as an HMAC secret.
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithLeeway(cmp.Or(cfg.Leeway, DefaultLeeway)),
	}
	if cfg.Now != nil {
		opts = append(opts, jwt.WithTimeFunc(cfg.Now))
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	return &Verifier{key: cfg.PublicKey, parser: jwt.NewParser(opts...)}, nil
}

// Verify checks the value of an Authorization header, "Bearer <jwt>" or a
// bare "<jwt>", and returns the token's claims. The error gives the reason
// for a log line: missing header, wrong algorithm, bad signature, expired,
// not yet valid, wrong issuer or audience, or not a JWT at all.
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
	return claims, nil
}
