package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestServeSettingsPrecedence(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		wantAddr string
	}{
		{"default", nil, nil, ":8080"},
		{"environment", map[string]string{"PARLEY_ADDR": ":9000"}, nil, ":9000"},
		{"flag wins over environment", map[string]string{"PARLEY_ADDR": ":9000"}, []string{"--addr", ":9100"}, ":9100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg serveConfig
			if err := serveSettings(&cfg).parse(tt.args, envMap(tt.env), &bytes.Buffer{}); err != nil {
				t.Fatal(err)
			}
			if cfg.Addr != tt.wantAddr {
				t.Fatalf("addr = %q, want %q", cfg.Addr, tt.wantAddr)
			}
		})
	}
}

func TestServeSettingsErrorsNameTheSetting(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown flag", nil, []string{"--nope"}, "flag provided but not defined: -nope"},
		{"stray argument", nil, []string{"extra"}, `unexpected argument "extra"`},
		{"bad public url", map[string]string{"PARLEY_PUBLIC_URL": "localhost:8080"}, nil, "PARLEY_PUBLIC_URL"},
		{"bad addr", nil, []string{"--addr", "8080"}, "PARLEY_ADDR"},
		{"bad log level", map[string]string{"PARLEY_LOG_LEVEL": "loud"}, nil, "PARLEY_LOG_LEVEL"},
		{"bad database url", map[string]string{"PARLEY_DATABASE_URL": "mysql://x/y"}, nil, "PARLEY_DATABASE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(t.Context(), append([]string{"serve"}, tt.args...), envMap(tt.env), &out, &out)
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") && tt.name != "unknown command" {
				t.Fatalf("error is not one line: %q", err)
			}
		})
	}
}

func TestServeHelpListsEverySetting(t *testing.T) {
	var out bytes.Buffer
	err := run(t.Context(), []string{"serve", "--help"}, envMap(nil), &out, &out)
	if !errors.Is(err, errHelp) {
		t.Fatalf("err = %v, want errHelp", err)
	}
	var cfg serveConfig
	for _, d := range serveSettings(&cfg).docs {
		for _, want := range []string{"--" + d.flag, d.env} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("--help lacks %s:\n%s", want, out.String())
			}
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	err := run(t.Context(), []string{"frobnicate"}, envMap(nil), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) {
		t.Fatalf("err = %v", err)
	}
}
