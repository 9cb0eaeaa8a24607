package seal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpens(t *testing.T) {
	key, _, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := b.Seal("s3cret-value", "connection a client_secret")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "s3cret") || !strings.HasPrefix(sealed, "v1:") {
		t.Fatalf("sealed value %q shows the secret or lacks its prefix", sealed)
	}
	again, _ := b.Seal("s3cret-value", "connection a client_secret")
	if again == sealed {
		t.Fatal("two seals of one value are equal; the nonce is not random")
	}
	plain, err := b.Open(sealed, "connection a client_secret")
	if err != nil || plain != "s3cret-value" {
		t.Fatalf("Open = %q, %v", plain, err)
	}
	if _, err := b.Open(sealed, "connection b client_secret"); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("opened under another label: %v", err)
	}
	otherKey, _, _ := NewKey()
	other, _ := New(otherKey)
	if _, err := other.Open(sealed, "connection a client_secret"); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("opened with another key: %v", err)
	}
	for _, bad := range []string{"plain", "v1:!!!", "v1:AAAA"} {
		if _, err := b.Open(bad, "x"); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
	if s, err := b.Seal("", "x"); s != "" || err != nil {
		t.Fatalf("Seal(\"\") = %q, %v", s, err)
	}
}

func TestParseKey(t *testing.T) {
	_, text, _ := NewKey()
	if _, err := ParseKey(text); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"c2hvcnQ=":           "decodes to 5 bytes",
		"not base64 at all!": "not base64",
	} {
		if _, err := ParseKey(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseKey(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	key, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created || len(key) != KeySize {
		t.Fatalf("first load: %v created=%v len=%d", err, created, len(key))
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", info.Mode(), err)
	}
	again, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created || string(again) != string(key) {
		t.Fatalf("second load: %v created=%v same=%v", err, created, string(again) == string(key))
	}
	os.WriteFile(path, []byte("c2hvcnQ="), 0o600)
	if _, _, err := LoadOrCreateKeyFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("bad key file: %v", err)
	}
}
