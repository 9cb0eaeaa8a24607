package alvaria

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testKeys are generated once per test binary: Alvaria's signing key and an
// unrelated one.
var testKeys = sync.OnceValues(func() (alvariaKey, otherKey *rsa.PrivateKey) {
	gen := func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return k
	}
	return gen(), gen()
})

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func pkixPEM(t *testing.T, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pemBlock("PUBLIC KEY", der)
}

func TestParsePublicKeyPEM(t *testing.T) {
	key, _ := testKeys()
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "alvaria callbacks"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	certDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		pem  []byte
		want string // error substring; empty when the key must be found
	}{
		{"PKIX", pkixPEM(t, &key.PublicKey), ""},
		{"PKCS1", pemBlock("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&key.PublicKey)), ""},
		{"certificate", pemBlock("CERTIFICATE", certDER), ""},
		{"after an unrelated block", append(pemBlock("COMMENT", []byte("x")), pkixPEM(t, &key.PublicKey)...), ""},
		{"with text around", []byte("Alvaria key:\n" + string(pkixPEM(t, &key.PublicKey)) + "\nend\n"), ""},
		{"EC key", pkixPEM(t, &ecKey.PublicKey), "not an RSA key"},
		{"private key", pemBlock("PRIVATE KEY", pkcs8), "give the public key"},
		{"PKCS1 private key", pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key)), "give the public key"},
		{"no PEM", []byte("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"), "no PEM block"},
		{"empty", nil, "no PEM block"},
		{"only unrelated blocks", pemBlock("COMMENT", []byte("x")), "no public key among PEM blocks COMMENT"},
		{"corrupt key", pemBlock("PUBLIC KEY", []byte("garbage")), "PUBLIC KEY block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePublicKeyPEM(tt.pem)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want it to say %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePublicKeyPEM: %v", err)
			}
			if !got.Equal(&key.PublicKey) {
				t.Error("parsed a different key")
			}
		})
	}
}

func TestLoadPublicKeyPEM(t *testing.T) {
	key, _ := testKeys()
	path := filepath.Join(t.TempDir(), "alvaria.pub.pem")
	if err := os.WriteFile(path, pkixPEM(t, &key.PublicKey), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := LoadPublicKeyPEM(path)
	if err != nil || !got.Equal(&key.PublicKey) {
		t.Fatalf("LoadPublicKeyPEM = %v, %v", got, err)
	}
	missing := filepath.Join(t.TempDir(), "missing.pem")
	if _, err := LoadPublicKeyPEM(missing); err == nil || !strings.Contains(err.Error(), "missing.pem") {
		t.Errorf("missing file: err = %v, want it to name the file", err)
	}
}

func TestSignCallbackTokenNeedsKey(t *testing.T) {
	if _, err := SignCallbackToken(nil, CallbackClaims{}); err == nil {
		t.Error("signed without a key")
	}
}
