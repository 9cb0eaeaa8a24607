package main

import (
	"context"
	"fmt"
	"io"
)

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg serveConfig
	s := newSettings("migrate")
	s.String(&cfg.DatabaseURL, "database-url", "PARLEY_DATABASE_URL", "", "database: empty for SQLite parley.db in the working directory, sqlite:///path/file.db, or postgres://…")
	if err := s.parse(args, getenv, stdout); err != nil {
		return err
	}
	log, err := newLogger(stderr, "info", "text")
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "migrations applied (%s)\n", st.Dialect())
	return nil
}
