package alvaria

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-dev/parley/internal/testkit"
)

func TestInspectTokenShowsHeaderClaimsAndTheSignatureCheck(t *testing.T) {
	key := testkit.RSAKey(t)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-2 * time.Hour) // expired long ago: still inspected
	token, err := SignCallbackToken(key, CallbackClaims{RegisteredClaims: jwt.RegisteredClaims{Subject: "s-1", IssuedAt: jwt.NewNumericDate(long), ExpiresAt: jwt.NewNumericDate(long.Add(time.Minute))}, EventID: "e-1"})
	if err != nil {
		t.Fatal(err)
	}
	in := InspectToken(token, &key.PublicKey, "[hidden]")
	if !in.SignedOK || !strings.Contains(in.Header, `"alg": "RS256"`) || !strings.Contains(in.Claims, `"eventId": "e-1"`) {
		t.Errorf("a good token: %+v", in)
	}
	if in := InspectToken(token, &other.PublicKey, "[hidden]"); in.SignedOK || !strings.HasPrefix(in.Signature, "invalid") {
		t.Errorf("another key's view: %+v", in)
	}
	redacted := token[:strings.LastIndexByte(token, '.')+1] + "[hidden]"
	if in := InspectToken(redacted, &key.PublicKey, "[hidden]"); in.SignedOK || !strings.HasPrefix(in.Signature, "hidden") || !strings.Contains(in.Claims, "s-1") {
		t.Errorf("a redacted token: %+v", in)
	}
	if in := InspectToken("garbage", &key.PublicKey, "[hidden]"); in.SignedOK || !strings.Contains(in.Signature, "three parts") {
		t.Errorf("garbage: %+v", in)
	}
}
