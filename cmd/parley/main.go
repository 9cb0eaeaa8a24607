// Command parley is a console for testing conversations on Alvaria Cloud
// Server Messaging: it serves the web console, applies database migrations,
// and runs the Alvaria simulator on its own.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gin-gonic/gin"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	gin.SetMode(gin.ReleaseMode)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if err != nil && !errors.Is(err, errHelp) {
		fmt.Fprintf(os.Stderr, "parley: %v\n", err)
		os.Exit(exitCode(err))
	}
}

// exitError is a failure with its own exit code: parley test run tells a
// failed test (1) from a run that could not be made (2).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode is the process's exit code for err: 1 unless it says otherwise.
func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// run dispatches to a subcommand; serve is the default so that a bare
// `go run ./cmd/parley` starts the console.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	command := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		command, args = args[0], args[1:]
	}
	switch command {
	case "serve":
		return runServe(ctx, args, getenv, stdout, stderr, nil)
	case "migrate":
		return runMigrate(ctx, args, getenv, stdout, stderr)
	case "simulate":
		return runSimulate(ctx, args, getenv, stdout, stderr)
	case "admin":
		return runAdmin(ctx, args, getenv, stdout, stderr)
	case "token":
		return runToken(ctx, args, getenv, stdout, stderr)
	case "bench":
		return runBench(ctx, args, getenv, stdout, stderr)
	case "test":
		return runTest(ctx, args, getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, versionString())
		return nil
	case "help":
		fmt.Fprint(stdout, commandsHelp)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", command, commandsHelp)
	}
}

const commandsHelp = `Usage: parley [command] [flags]

Commands:
  serve      serve the web console (the default)
  migrate    apply database migrations and exit
  simulate   run the Alvaria Cloud simulator on its own
  admin      maintenance on the database: admin reset-password --user NAME
  token      personal API tokens: token create --user NAME --name LABEL
  test       conversation tests: test run [--server URL] [--token T] SCENARIO.yaml…
  bench      the load tool: bench callbacks, live, pages, sim, memory, seed, anchors (see BENCHMARKS.md)
  version    print the version

Run 'parley <command> --help' for the command's settings.
`
