// Package seal encrypts the secrets Parley keeps in its database (the
// client secrets and API keys of Alvaria connections) with AES-256-GCM, so
// a copy of the database alone does not give them away.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of a key: AES-256.
const KeySize = 32

// prefix marks a sealed value and its format, so a later format can be told
// apart and a plain value is never mistaken for a sealed one.
const prefix = "v1:"

// ErrWrongKey means a sealed value does not open with this key: the key is
// not the one it was sealed with, or the value was altered.
var ErrWrongKey = errors.New("the secret key does not open this sealed value (a different PARLEY_SECRET_KEY, or an altered value)")

// Box seals and opens values under one key. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New builds a Box from a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret key is %d bytes; it must be %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plain. label names where the value belongs (such as
// "connection eu-prod client_secret") and is authenticated with it, so a
// sealed value copied into another row or field does not open there. An
// empty plain seals to "".
func (b *Box) Seal(plain, label string) (string, error) {
	if plain == "" {
		return "", nil
	}
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	out := b.aead.Seal(nonce, nonce, []byte(plain), []byte(label))
	return prefix + base64.RawStdEncoding.EncodeToString(out), nil
}

// Open decrypts a value Seal made with the same label; "" opens to "".
func (b *Box) Open(sealed, label string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	rest, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", errors.New("open: the value is not sealed in a format Parley knows")
	}
	raw, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil || len(raw) < b.aead.NonceSize()+b.aead.Overhead() {
		return "", errors.New("open: the sealed value is damaged")
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(label))
	if err != nil {
		return "", ErrWrongKey
	}
	return string(plain), nil
}

// ParseKey reads a key written as base64 (standard or URL alphabet, with
// or without padding), as PARLEY_SECRET_KEY holds it.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			if len(key) != KeySize {
				return nil, fmt.Errorf("it decodes to %d bytes; it must be %d (make one with: openssl rand -base64 32)", len(key), KeySize)
			}
			return key, nil
		}
	}
	return nil, errors.New("it is not base64 (make one with: openssl rand -base64 32)")
}

// NewKey returns a fresh random key and its base64 form.
func NewKey() ([]byte, string, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, "", fmt.Errorf("new secret key: %w", err)
	}
	return key, base64.StdEncoding.EncodeToString(key), nil
}
