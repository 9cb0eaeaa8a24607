package main

import (
	"context"
	"fmt"
	"io"
)

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var databaseURL string
	s := newSettings("migrate")
	s.databaseURL(&databaseURL)
	log, err := s.start(args, getenv, stdout, stderr, nil, &logSettings{Level: "info", Format: "text"})
	if err != nil {
		return err
	}
	st, err := openStore(ctx, databaseURL, log)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "migrations applied (%s)\n", st.Dialect())
	return nil
}
