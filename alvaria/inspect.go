package alvaria

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// TokenInspection is a callback token taken apart for people debugging an
// integration: its header and claims pretty-printed, and whether its
// signature verifies with the key.
type TokenInspection struct {
	Header, Claims string
	// Signature says how the signature checked: "valid", "hidden" when a
	// reader may not see it, or why it failed.
	Signature string
	SignedOK  bool
}

// InspectToken decodes token and checks its RS256 signature with key. The
// claims' times are not checked: an old attempt's token has expired by the
// time someone reads it, and that says nothing about how it was signed.
// hidden is the text that stands in for a signature the reader may not see.
func InspectToken(token string, key *rsa.PublicKey, hidden string) TokenInspection {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return TokenInspection{Signature: "not a JWT (it does not have three parts)"}
	}
	in := TokenInspection{Header: prettyPart(parts[0]), Claims: prettyPart(parts[1])}
	switch {
	case hidden != "" && parts[2] == hidden:
		in.Signature = "hidden: only operators and admins see tokens whole"
	case key == nil:
		in.Signature = "not checked: no key to check it with"
	default:
		_, err := jwt.Parse(token, func(*jwt.Token) (any, error) { return key, nil },
			jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}), jwt.WithoutClaimsValidation())
		if err != nil {
			in.Signature = "invalid: " + err.Error()
		} else {
			in.Signature, in.SignedOK = "valid (RS256, the simulator's key)", true
		}
	}
	return in
}

// prettyPart decodes one base64url part of a JWT and indents its JSON.
func prettyPart(part string) string {
	raw, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return "(not base64url: " + err.Error() + ")"
	}
	var out bytes.Buffer
	if json.Indent(&out, raw, "", "  ") != nil {
		return string(raw)
	}
	return out.String()
}
