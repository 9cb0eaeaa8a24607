package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parley-dev/parley/store"
)

// settings is a flag set in which every flag has an environment variable
// behind it: the default comes first, then the environment, then the command
// line, so a deployment can be configured either way and --help shows both.
type settings struct {
	fs   *flag.FlagSet
	envs map[string]string // flag name → environment variable
	docs []settingDoc
	// args is what the command takes after its flags (e.g. "SCENARIO.yaml…");
	// empty refuses arguments.
	args string
}

type settingDoc struct {
	flag, env, def, usage string
}

func newSettings(command string) *settings {
	fs := flag.NewFlagSet("parley "+command, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &settings{fs: fs, envs: map[string]string{}}
}

func (s *settings) add(name, env, def, usage string) {
	s.envs[name] = env
	s.docs = append(s.docs, settingDoc{flag: name, env: env, def: def, usage: usage})
}

func (s *settings) String(p *string, name, env, def, usage string) {
	s.fs.StringVar(p, name, def, usage)
	s.add(name, env, def, usage)
}

func (s *settings) Duration(p *time.Duration, name, env string, def time.Duration, usage string) {
	s.fs.DurationVar(p, name, def, usage)
	s.add(name, env, def.String(), usage)
}

func (s *settings) Float(p *float64, name, env string, def float64, usage string) {
	s.fs.Float64Var(p, name, def, usage)
	s.add(name, env, fmt.Sprint(def), usage)
}

func (s *settings) Bool(p *bool, name, env string, def bool, usage string) {
	s.fs.BoolVar(p, name, def, usage)
	s.add(name, env, fmt.Sprint(def), usage)
}

func (s *settings) Int(p *int, name, env string, def int, usage string) {
	s.fs.IntVar(p, name, def, usage)
	s.add(name, env, fmt.Sprint(def), usage)
}

// databaseURL registers the database setting every command that opens the
// database shares.
func (s *settings) databaseURL(p *string) {
	s.String(p, "database-url", "PARLEY_DATABASE_URL", "", "database: empty for SQLite parley.db in the working directory, sqlite:///path/file.db, or postgres://…")
}

// logSettings are how a command logs; serve and simulate let the user
// choose, the others fix them.
type logSettings struct {
	Level, Format string
}

func (l *logSettings) register(s *settings) {
	s.String(&l.Level, "log-level", "PARLEY_LOG_LEVEL", "info", "log level: debug, info, warn or error")
	s.String(&l.Format, "log-format", "PARLEY_LOG_FORMAT", "text", "log format: text or json")
}

// start is what every command does first: read its settings from the
// environment and args, check them (check may be nil), and build the
// logger, so that each command states only what differs.
func (s *settings) start(args []string, getenv func(string) string, stdout, stderr io.Writer, check func() error, logs *logSettings) (*slog.Logger, error) {
	if err := s.parse(args, getenv, stdout); err != nil {
		return nil, err
	}
	if check != nil {
		if err := check(); err != nil {
			return nil, err
		}
	}
	return newLogger(stderr, logs.Level, logs.Format)
}

// startOnDatabase is start for the commands that work on the database
// directly (migrate, admin), logging as text at level: it also opens and
// migrates the database at *databaseURL. The caller closes the store.
func (s *settings) startOnDatabase(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, check func() error, level string, databaseURL *string) (*slog.Logger, *store.Store, error) {
	log, err := s.start(args, getenv, stdout, stderr, check, &logSettings{Level: level, Format: "text"})
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(ctx, *databaseURL, log)
	if err != nil {
		return nil, nil, err
	}
	return log, st, nil
}

// errHelp is returned by parse when the user asked for --help; the usage has
// already been written.
var errHelp = flag.ErrHelp

// parse applies the environment and then args. Errors name the setting in the
// form the user gave it (flag or environment variable).
func (s *settings) parse(args []string, getenv func(string) string, help io.Writer) error {
	for _, d := range s.docs {
		v := getenv(d.env)
		if v == "" {
			continue
		}
		if err := s.fs.Set(d.flag, v); err != nil {
			return fmt.Errorf("%s=%q: %v", d.env, v, unwrapFlagError(err))
		}
	}
	if err := s.fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			s.usage(help)
			return errHelp
		}
		return fmt.Errorf("%v (see 'parley %s --help')", err, strings.TrimPrefix(s.fs.Name(), "parley "))
	}
	if s.fs.NArg() > 0 && s.args == "" {
		return fmt.Errorf("unexpected argument %q (see '%s --help')", s.fs.Arg(0), s.fs.Name())
	}
	return nil
}

func unwrapFlagError(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

func (s *settings) usage(w io.Writer) {
	args := ""
	if s.args != "" {
		args = " " + s.args
	}
	fmt.Fprintf(w, "Usage: %s [flags]%s\n\nEvery flag can also be set by the environment variable beside it; flags win.\n\n", s.fs.Name(), args)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FLAG\tENVIRONMENT\tDEFAULT\tMEANING")
	for _, d := range s.docs {
		def := d.def
		if def == "" {
			def = "(empty)"
		}
		fmt.Fprintf(tw, "--%s\t%s\t%s\t%s\n", d.flag, d.env, def, d.usage)
	}
	tw.Flush()
}
