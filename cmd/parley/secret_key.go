package main

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/parley-dev/parley/seal"
	"github.com/parley-dev/parley/store"
)

// secretKeyFileName is the key file made beside the SQLite database when
// PARLEY_SECRET_KEY is not set.
const secretKeyFileName = "parley-connections.key"

// secretBox returns the box that seals connection secrets, under
// PARLEY_SECRET_KEY, or the key in PARLEY_SECRET_KEY_FILE, or else a key
// file beside the SQLite database, made on the first start. Postgres has no
// data directory of Parley's, so there one of the two settings is needed.
func secretBox(cfg serveConfig, st *store.Store, log *slog.Logger) (*seal.Box, error) {
	if cfg.SecretKey != "" {
		key, err := seal.ParseKey(cfg.SecretKey)
		if err != nil {
			return nil, fmt.Errorf("PARLEY_SECRET_KEY: %w", err)
		}
		return seal.New(key)
	}
	path := cfg.SecretKeyFile
	if path == "" {
		if st.Path() == "" {
			return nil, errors.New("PARLEY_SECRET_KEY is not set: on Postgres Parley has no data directory to keep a generated key in, " +
				"so set PARLEY_SECRET_KEY to 32 random bytes in base64 (openssl rand -base64 32), or PARLEY_SECRET_KEY_FILE to a file it may create")
		}
		path = filepath.Join(filepath.Dir(st.Path()), secretKeyFileName)
	}
	key, created, err := seal.LoadOrCreateKeyFile(path)
	if err != nil {
		return nil, fmt.Errorf("PARLEY_SECRET_KEY_FILE: %w", err)
	}
	if created {
		log.Warn("generated the key that seals connection secrets; back it up with the database, since without it the stored secrets cannot be read", "file", path)
	}
	return seal.New(key)
}

// secretKeyProblem explains a start refused because the stored secrets do
// not open.
func secretKeyProblem(cfg serveConfig, err error) error {
	if !errors.Is(err, seal.ErrWrongKey) {
		return err
	}
	from := "PARLEY_SECRET_KEY"
	if cfg.SecretKey == "" {
		from = "the secret key file"
	}
	return fmt.Errorf("%s does not open the secrets stored in the database: %w; start with the key they were sealed with", from, err)
}
