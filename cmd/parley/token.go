package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/parley-dev/parley/accounts"
)

const tokenHelp = `Usage: parley token <command> [flags]

Commands:
  create   give a user a new personal API token and print it (for CI bootstrapping)

Run 'parley token <command> --help' for the command's settings.
`

// runToken manages personal API tokens on the database directly, like
// parley admin: it needs no sign-in, only the database URL.
func runToken(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("parley token needs a command\n%s", tokenHelp)
	}
	switch args[0] {
	case "create":
		return runTokenCreate(ctx, args[1:], getenv, stdout, stderr)
	case "help", "--help", "-h":
		fmt.Fprint(stdout, tokenHelp)
		return nil
	default:
		return fmt.Errorf("unknown token command %q\n%s", args[0], tokenHelp)
	}
}

func runTokenCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var databaseURL, username, name string
	s := newSettings("token create")
	s.databaseURL(&databaseURL)
	s.String(&username, "user", "PARLEY_TOKEN_USER", "", "the user the token acts as, with their role")
	s.String(&name, "name", "PARLEY_TOKEN_NAME", "", "the token's label, shown on the user's account page")
	named := func() error {
		if username == "" || name == "" {
			return errors.New("name the user and the token with --user NAME --name LABEL (or PARLEY_TOKEN_USER, PARLEY_TOKEN_NAME)")
		}
		return nil
	}
	log, st, err := s.startOnDatabase(ctx, args, getenv, stdout, stderr, named, "warn", &databaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	people := accounts.New(accounts.Config{Store: st, Log: log})
	tok, err := people.CreateToken(ctx, accounts.Actor{Username: "parley token"}, username, name)
	if errors.Is(err, accounts.ErrNotFound) {
		return fmt.Errorf("there is no user %q", username)
	}
	if err != nil {
		return fmt.Errorf("create a token for %s: %w", username, err)
	}
	// The token alone on stdout, so a script can capture it; the note on stderr.
	fmt.Fprintln(stdout, tok.Token)
	fmt.Fprintf(stderr, "Token %q for %s created. It is not shown again; %s can revoke it on their account page.\n", name, username, username)
	return nil
}
