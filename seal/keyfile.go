package seal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// LoadOrCreateKeyFile reads the base64 key in path, or, when the file does
// not exist, writes a new one there (readable by this user only) and
// reports that it did, so the caller can say so once.
func LoadOrCreateKeyFile(path string) (key []byte, created bool, err error) {
	data, err := os.ReadFile(path)
	if err == nil {
		key, err := ParseKey(string(data))
		if err != nil {
			return nil, false, fmt.Errorf("secret key file %s: %w", path, err)
		}
		return key, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("secret key file: %w", err)
	}
	key, text, err := NewKey()
	if err != nil {
		return nil, false, err
	}
	// O_EXCL: two processes starting at once must not each write a key and
	// seal with different ones; the loser reads the winner's.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateKeyFile(path)
	}
	if err != nil {
		return nil, false, fmt.Errorf("create secret key file: %w", err)
	}
	if _, err := f.WriteString(text + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return nil, false, fmt.Errorf("write secret key file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, false, fmt.Errorf("write secret key file %s: %w", path, err)
	}
	return key, true, nil
}
