package main

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/parley-dev/parley/simulator"
)

const benchHelp = `Usage: parley bench <command> [flags]

Commands:
  callbacks  sign MESSAGE callbacks ahead of time, post them to a running
             parley serve at a concurrency, report callbacks/s and latency,
             and check in its database that nothing was lost or doubled
  live       time callback → websocket frame on a session page, signed in
  seed       fill a database with sessions and messages for the page benchmarks
  pages      request the sessions list, a search or a session page, signed
             in, at a concurrency and report pages/s and latency
  sim        Create Session requests/s against the Alvaria simulator or, with
             --url, any mock of the API (the Prism anchor); with --deliver
             the callbacks the simulator delivers a second
  memory     resident memory of a parley serve idle and with many idle
             signed-in websockets (/proc/<pid>/status VmRSS)
  anchors    the figures Parley is compared with: the RS256 sign and verify
             ceiling and a SQLite one-row insert loop (pgbench: bench/pgbench.sh)

Run 'parley bench <command> --help' for the command's settings. See BENCHMARKS.md.
`

// runBench dispatches the load tool's subcommands.
func runBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stdout, benchHelp)
		if len(args) == 0 {
			return errors.New("bench: name a command")
		}
		return errHelp
	}
	switch args[0] {
	case "callbacks":
		return runBenchCallbacks(ctx, args[1:], getenv, stdout, stderr)
	case "seed":
		return runBenchSeed(ctx, args[1:], getenv, stdout, stderr)
	case "live":
		return runBenchLive(ctx, args[1:], getenv, stdout, stderr)
	case "pages":
		return runBenchPages(ctx, args[1:], getenv, stdout, stderr)
	case "sim":
		return runBenchSim(ctx, args[1:], getenv, stdout, stderr)
	case "memory":
		return runBenchMemory(ctx, args[1:], getenv, stdout, stderr)
	case "anchors":
		return runBenchAnchors(ctx, args[1:], getenv, stdout, stderr)
	default:
		return fmt.Errorf("unknown bench command %q\n%s", args[0], benchHelp)
	}
}

// loadSigningKey reads an RSA private key PEM, such as the simulator's
// PARLEY_SIM_SIGNING_KEY file.
func loadSigningKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return simulator.ParseSigningKeyPEM(data)
}

// shortRandom tells one run's rows from another's.
func shortRandom() string {
	return fmt.Sprintf("%04x", time.Now().UnixNano()&0xffff)
}
