package alvaria

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// ParsePublicKeyPEM reads an RSA public key from PEM: a PKIX "PUBLIC KEY", a
// PKCS #1 "RSA PUBLIC KEY" or a "CERTIFICATE". Other blocks are skipped; the
// first key found is returned.
func ParsePublicKeyPEM(data []byte) (*rsa.PublicKey, error) {
	key, err := FirstPEMKey(data, "public key", func(block *pem.Block) (*rsa.PublicKey, bool, error) {
		var (
			key any
			err error
		)
		switch block.Type {
		case "PUBLIC KEY":
			key, err = x509.ParsePKIXPublicKey(block.Bytes)
		case "RSA PUBLIC KEY":
			key, err = x509.ParsePKCS1PublicKey(block.Bytes)
		case "CERTIFICATE":
			var cert *x509.Certificate
			cert, err = x509.ParseCertificate(block.Bytes)
			if err == nil {
				key = cert.PublicKey
			}
		case "PRIVATE KEY", "RSA PRIVATE KEY":
			// Refused so that a private key is not left where the public
			// one belongs.
			return nil, true, fmt.Errorf("PEM holds a %s; give the public key", block.Type)
		default:
			return nil, false, nil
		}
		if err != nil {
			return nil, true, fmt.Errorf("%s block: %w", block.Type, err)
		}
		rsaKey, ok := key.(*rsa.PublicKey)
		if !ok {
			return nil, true, fmt.Errorf("%s block holds a %T, not an RSA key", block.Type, key)
		}
		return rsaKey, true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	return key, nil
}

// FirstPEMKey returns what parse makes of the first PEM block in data that
// it takes (ok); it skips the others. With none taken, the error names the
// blocks seen and what (such as "public key") was looked for.
func FirstPEMKey[K any](data []byte, what string, parse func(*pem.Block) (key K, ok bool, err error)) (K, error) {
	var seen []string
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		seen = append(seen, block.Type)
		if key, ok, err := parse(block); ok || err != nil {
			return key, err
		}
	}
	var zero K
	if len(seen) == 0 {
		return zero, errors.New("no PEM block found")
	}
	return zero, fmt.Errorf("no %s among PEM blocks %s", what, strings.Join(seen, ", "))
}

// LoadPublicKeyPEM reads an RSA public key from a PEM file (see
// ParsePublicKeyPEM).
func LoadPublicKeyPEM(path string) (*rsa.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load callback public key: %w", err)
	}
	key, err := ParsePublicKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("load callback public key %s: %w", path, err)
	}
	return key, nil
}

// SignCallbackToken signs claims with RS256 as Alvaria does; the simulator
// and tests use it.
func SignCallbackToken(key *rsa.PrivateKey, claims CallbackClaims) (string, error) {
	if key == nil {
		return "", errors.New("sign callback token: no private key")
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	if err != nil {
		return "", fmt.Errorf("sign callback token: %w", err)
	}
	return s, nil
}
