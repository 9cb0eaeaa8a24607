package simulator

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/parley-dev/parley/alvaria"
)

// signingKeyBits is the size of generated keys; RS256 wants at least 2048.
const signingKeyBits = 2048

// GenerateSigningKey makes a new RSA key for signing callbacks.
func GenerateSigningKey() (*rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, signingKeyBits)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	return key, nil
}

// LoadOrCreateSigningKey reads an RSA private key PEM (PKCS #1 or PKCS #8)
// from path or, when there is no file there, generates one and writes it
// with mode 0600, so that the public key Parley verifies with survives a
// restart.
func LoadOrCreateSigningKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		key, err := ParseSigningKeyPEM(data)
		if err != nil {
			return nil, fmt.Errorf("signing key %s: %w", path, err)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	key, err := GenerateSigningKey()
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode signing key: %w", err)
	}
	// O_EXCL so that a key another process wrote meanwhile is not replaced.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create signing key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return nil, fmt.Errorf("write signing key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write signing key %s: %w", path, err)
	}
	return key, nil
}

// ParseSigningKeyPEM reads the first RSA private key from PEM, in a PKCS #1
// "RSA PRIVATE KEY" or PKCS #8 "PRIVATE KEY" block; other blocks are skipped.
func ParseSigningKeyPEM(data []byte) (*rsa.PrivateKey, error) {
	return alvaria.FirstPEMKey(data, "RSA private key", func(block *pem.Block) (*rsa.PrivateKey, bool, error) {
		switch block.Type {
		case "RSA PRIVATE KEY":
			key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
			if err != nil {
				return nil, true, fmt.Errorf("parse RSA PRIVATE KEY block: %w", err)
			}
			return key, true, nil
		case "PRIVATE KEY":
			key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, true, fmt.Errorf("parse PRIVATE KEY block: %w", err)
			}
			rsaKey, ok := key.(*rsa.PrivateKey)
			if !ok {
				return nil, true, fmt.Errorf("PRIVATE KEY block holds a %T, not an RSA key", key)
			}
			return rsaKey, true, nil
		}
		return nil, false, nil
	})
}

// encodePublicKeyPEM gives the public key as a PKIX "PUBLIC KEY" block, the
// form alvaria.ParsePublicKeyPEM and openssl read.
func encodePublicKeyPEM(key *rsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
