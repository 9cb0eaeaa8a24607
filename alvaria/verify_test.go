package alvaria

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestNewVerifierConfig(t *testing.T) {
	key, _ := testKeys()
	if _, err := NewVerifier(VerifierConfig{}); err == nil || !strings.Contains(err.Error(), "PublicKey") {
		t.Errorf("no key: err = %v", err)
	}
	if _, err := NewVerifier(VerifierConfig{PublicKey: &key.PublicKey, Leeway: -time.Second}); err == nil {
		t.Error("negative leeway accepted")
	}
}

func TestVerify(t *testing.T) {
	key, other := testKeys()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *jwt.NumericDate { return jwt.NewNumericDate(now.Add(d)) }
	claims := func(modify func(*CallbackClaims)) CallbackClaims {
		c := CallbackClaims{
			RegisteredClaims: jwt.RegisteredClaims{
				Issuer:    "alvaria",
				Audience:  jwt.ClaimStrings{"parley"},
				IssuedAt:  at(-time.Minute),
				NotBefore: at(-time.Minute),
				ExpiresAt: at(5 * time.Minute),
			},
			EventID: "22D45513-66F7-4A02-9998-EF8E72AB2363",
		}
		if modify != nil {
			modify(&c)
		}
		return c
	}
	rs256 := func(modify func(*CallbackClaims)) string {
		s, err := SignCallbackToken(key, claims(modify))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sign := func(method jwt.SigningMethod, k any) string {
		s, err := jwt.NewWithClaims(method, claims(nil)).SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	valid := rs256(nil)
	parts := strings.Split(valid, ".")
	// tamper swaps in a payload the signature was not made for.
	tamper := func(payload string) string {
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + parts[2]
	}
	flipped := []byte(parts[2])
	// Another base64url character: still decodes, to different bytes.
	if flipped[10] == 'A' {
		flipped[10] = 'B'
	} else {
		flipped[10] = 'A'
	}

	strict := VerifierConfig{PublicKey: &key.PublicKey, Issuer: "alvaria", Audience: "parley", Now: func() time.Time { return now }}
	loose := VerifierConfig{PublicKey: &key.PublicKey, Now: func() time.Time { return now }}

	tests := []struct {
		name   string
		cfg    VerifierConfig
		header string
		is     error  // jwt sentinel the error must wrap, if any
		reason string // substring of the error; empty means accepted
	}{
		{"valid with Bearer", strict, "Bearer " + valid, nil, ""},
		{"valid bare", strict, valid, nil, ""},
		{"valid lower-case bearer", strict, "bearer  " + valid + " ", nil, ""},
		{"valid without iss, aud, iat when not required", loose, rs256(func(c *CallbackClaims) { c.RegisteredClaims = jwt.RegisteredClaims{ExpiresAt: at(5 * time.Minute)} }), nil, ""},
		{"lifetime of exactly the maximum", strict, rs256(func(c *CallbackClaims) { c.IssuedAt, c.ExpiresAt = at(0), at(DefaultMaxTokenLifetime) }), nil, ""},
		{"issued in the future within leeway", strict, rs256(func(c *CallbackClaims) { c.IssuedAt = at(10 * time.Second) }), nil, ""},
		{"expired within leeway", strict, rs256(func(c *CallbackClaims) { c.ExpiresAt = at(-10 * time.Second) }), nil, ""},
		{"not yet valid within leeway", strict, rs256(func(c *CallbackClaims) { c.NotBefore = at(10 * time.Second) }), nil, ""},

		{"missing header", strict, "", nil, "no Authorization header"},
		{"blank header", strict, "   ", nil, "no Authorization header"},
		{"Bearer without token", strict, "Bearer ", nil, "empty bearer token"},
		{"other scheme", strict, "Basic dXNlcjpwYXNz", nil, `unsupported authorization scheme "Basic"`},
		{"garbage", strict, "Bearer not-a-jwt", jwt.ErrTokenMalformed, "token is malformed"},
		{"three garbage parts", strict, "a.b.c", jwt.ErrTokenMalformed, "token is malformed"},
		{"too long", strict, strings.Repeat("a", maxTokenBytes+1), nil, "more than"},
		{"alg none", strict, sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType), jwt.ErrTokenSignatureInvalid, "signing method none is invalid"},
		{"HS256 with a secret", strict, sign(jwt.SigningMethodHS256, []byte("secret")), jwt.ErrTokenSignatureInvalid, "signing method HS256 is invalid"},
		{"HS256 keyed with the public key PEM", strict, sign(jwt.SigningMethodHS256, pkixPEM(t, &key.PublicKey)), jwt.ErrTokenSignatureInvalid, "signing method HS256 is invalid"},
		{"HS256 keyed with the public key DER", strict, sign(jwt.SigningMethodHS256, pubDER), jwt.ErrTokenSignatureInvalid, "signing method HS256 is invalid"},
		{"RS512 with the right key", strict, sign(jwt.SigningMethodRS512, key), jwt.ErrTokenSignatureInvalid, "signing method RS512 is invalid"},
		{"PS256 with the right key", strict, sign(jwt.SigningMethodPS256, key), jwt.ErrTokenSignatureInvalid, "signing method PS256 is invalid"},
		{"signed by another key", strict, sign(jwt.SigningMethodRS256, other), jwt.ErrTokenSignatureInvalid, "verification error"},
		{"tampered payload", strict, tamper(`{"iss":"alvaria","aud":"parley","eventId":"forged"}`), jwt.ErrTokenSignatureInvalid, "verification error"},
		{"tampered signature", strict, parts[0] + "." + parts[1] + "." + string(flipped), jwt.ErrTokenSignatureInvalid, "token signature is invalid"},
		{"signature removed", strict, parts[0] + "." + parts[1] + ".", jwt.ErrTokenSignatureInvalid, "token signature is invalid"},
		{"expired", strict, rs256(func(c *CallbackClaims) { c.ExpiresAt = at(-time.Minute) }), jwt.ErrTokenExpired, "token is expired"},
		{"not yet valid", strict, rs256(func(c *CallbackClaims) { c.NotBefore = at(time.Minute) }), jwt.ErrTokenNotValidYet, "token is not valid yet"},
		{"missing exp", strict, rs256(func(c *CallbackClaims) { c.ExpiresAt = nil }), jwt.ErrTokenRequiredClaimMissing, "exp claim is required"},
		{"missing exp, nothing configured", loose, rs256(func(c *CallbackClaims) { c.RegisteredClaims = jwt.RegisteredClaims{} }), jwt.ErrTokenRequiredClaimMissing, "exp claim is required"},
		{"lifetime over the maximum", strict, rs256(func(c *CallbackClaims) { c.ExpiresAt = at(DefaultMaxTokenLifetime) }), ErrTokenLifetime, "longer than the allowed"},
		{"far exp without iat", loose, rs256(func(c *CallbackClaims) { c.IssuedAt, c.ExpiresAt = nil, at(24*time.Hour) }), ErrTokenLifetime, "longer than the allowed"},
		{"issued in the future", strict, rs256(func(c *CallbackClaims) { c.IssuedAt = at(2 * time.Minute) }), jwt.ErrTokenUsedBeforeIssued, "used before issued"},
		{"wrong issuer", strict, rs256(func(c *CallbackClaims) { c.Issuer = "mallory" }), jwt.ErrTokenInvalidIssuer, "invalid issuer"},
		{"missing issuer", strict, rs256(func(c *CallbackClaims) { c.Issuer = "" }), jwt.ErrTokenRequiredClaimMissing, "iss claim is required"},
		{"wrong audience", strict, rs256(func(c *CallbackClaims) { c.Audience = jwt.ClaimStrings{"someone-else"} }), jwt.ErrTokenInvalidAudience, "invalid audience"},
		{"missing audience", strict, rs256(func(c *CallbackClaims) { c.Audience = nil }), jwt.ErrTokenRequiredClaimMissing, "aud claim is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewVerifier(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := v.Verify(tt.header)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if tt.cfg.Issuer != "" && (got.EventID != "22D45513-66F7-4A02-9998-EF8E72AB2363" || got.Issuer != "alvaria") {
					t.Errorf("claims = %+v", got)
				}
				return
			}
			if err == nil {
				t.Fatalf("Verify accepted it: %+v", got)
			}
			if got != nil {
				t.Error("claims returned with an error")
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q does not give the reason %q", err, tt.reason)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q does not wrap %v", err, tt.is)
			}
		})
	}
}

func TestVerifyUsesRealClockByDefault(t *testing.T) {
	key, _ := testKeys()
	v, err := NewVerifier(VerifierConfig{PublicKey: &key.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	expired, err := SignCallbackToken(key, CallbackClaims{RegisteredClaims: jwt.RegisteredClaims{
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(-DefaultLeeway - time.Minute)),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(expired); !errors.Is(err, jwt.ErrTokenExpired) {
		t.Errorf("err = %v, want expired", err)
	}
}

func TestMaxLifetimeConfigured(t *testing.T) {
	key, _ := testKeys()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	v, err := NewVerifier(VerifierConfig{PublicKey: &key.PublicKey, MaxLifetime: 10 * time.Minute, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := SignCallbackToken(key, CallbackClaims{RegisteredClaims: jwt.RegisteredClaims{
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(11 * time.Minute)),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(tok); !errors.Is(err, ErrTokenLifetime) {
		t.Errorf("err = %v, want ErrTokenLifetime", err)
	}
	if _, err := NewVerifier(VerifierConfig{PublicKey: &key.PublicKey, MaxLifetime: -time.Second}); err == nil {
		t.Error("negative MaxLifetime accepted")
	}
}

// TestCheckBody checks that a token bound to an event and a session accepts
// only a body for that event of that session.
func TestCheckBody(t *testing.T) {
	const sess, event = "38D1FBA0-2079-42FB-93C2-0DE301CF8FF5", "22D45513-66F7-4A02-9998-EF8E72AB2363"
	body := func(sessionID, eventID string) string {
		return `{"sessionId":"` + sessionID + `","event":"AGENT_JOINED","agentAlias":"John","eventId":"` + eventID + `"}`
	}
	bound := &CallbackClaims{RegisteredClaims: jwt.RegisteredClaims{Subject: sess}, EventID: event}
	tests := []struct {
		name   string
		claims *CallbackClaims
		body   string
		ok     bool
	}{
		{"matching body", bound, body(sess, event), true},
		{"other event", bound, body(sess, "other"), false},
		{"other session", bound, body("other", event), false},
		{"session id in another case", bound, body(strings.ToLower(sess), event), false},
		{"not JSON", bound, "not json", false},
		{"JSON but not an object", bound, `["x"]`, false},
		{"eventId not a string", bound, `{"sessionId":"` + sess + `","eventId":7}`, false},
		{"no eventId in body", bound, `{"sessionId":"` + sess + `"}`, false},
		{"duplicate key: last wins, as in ParseCallback", bound, `{"sessionId":"` + sess + `","eventId":"` + event + `","eventId":"other"}`, false},
		{"schema surprise but same ids", bound, `{"sessionId":"` + sess + `","eventId":"` + event + `","event":"NEW_SESSION"}`, true},
		{"only sub bound", &CallbackClaims{RegisteredClaims: jwt.RegisteredClaims{Subject: sess}}, body(sess, "any"), true},
		{"only sub bound, other session", &CallbackClaims{RegisteredClaims: jwt.RegisteredClaims{Subject: sess}}, body("other", "any"), false},
		{"only sub bound, unparseable", &CallbackClaims{RegisteredClaims: jwt.RegisteredClaims{Subject: sess}}, "{", false},
		{"nothing bound, unparseable kept", &CallbackClaims{}, "{", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.claims.CheckBody([]byte(tt.body))
			if tt.ok && err != nil {
				t.Fatalf("CheckBody: %v", err)
			}
			if !tt.ok && !errors.Is(err, ErrTokenBodyMismatch) {
				t.Fatalf("err = %v, want ErrTokenBodyMismatch", err)
			}
		})
	}
}
