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
	_, st, err := s.startOnDatabase(ctx, args, getenv, stdout, stderr, nil, "info", &databaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "migrations applied (%s)\n", st.Dialect())
	return nil
}
