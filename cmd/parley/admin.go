package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/parley-dev/parley/accounts"
)

const adminHelp = `Usage: parley admin <command> [flags]

Commands:
  reset-password   give a user a new generated password and sign them out

Run 'parley admin <command> --help' for the command's settings.
`

// runAdmin runs maintenance on the database directly, for whoever runs the
// server: it needs no sign-in, only the database URL.
func runAdmin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("parley admin needs a command\n%s", adminHelp)
	}
	switch args[0] {
	case "reset-password":
		return runResetPassword(ctx, args[1:], getenv, stdout, stderr)
	case "help", "--help", "-h":
		fmt.Fprint(stdout, adminHelp)
		return nil
	default:
		return fmt.Errorf("unknown admin command %q\n%s", args[0], adminHelp)
	}
}

func runResetPassword(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var databaseURL, username string
	s := newSettings("admin reset-password")
	s.databaseURL(&databaseURL)
	s.String(&username, "user", "PARLEY_RESET_USER", "", "the user whose password is reset")
	named := func() error {
		if username == "" {
			return errors.New("name the user with --user NAME (or PARLEY_RESET_USER)")
		}
		return nil
	}
	log, st, err := s.startOnDatabase(ctx, args, getenv, stdout, stderr, named, "warn", &databaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	// On Postgres the reset reaches running instances, which close the
	// user's open pages at once; on SQLite they notice at their next check.
	hub, closeHub, err := newBroker(ctx, st, databaseURL, log)
	if err != nil {
		return err
	}
	defer closeHub()
	people := accounts.New(accounts.Config{Store: st, Log: log, Live: hub})
	password, disabled, err := people.ResetPasswordByName(ctx, accounts.Actor{Username: "parley admin"}, username)
	if errors.Is(err, accounts.ErrNotFound) {
		return fmt.Errorf("there is no user %q", username)
	}
	if err != nil {
		return fmt.Errorf("reset the password of %s: %w", username, err)
	}
	fmt.Fprintf(stdout, "new password for %s: %s\n", username, password)
	fmt.Fprintln(stdout, "Their browsers are signed out. The password is not shown again; they can change it on their account page.")
	if disabled {
		fmt.Fprintf(stdout, "Note: %s is disabled and still cannot sign in; an admin can enable them on the Users page.\n", username)
	}
	return nil
}
