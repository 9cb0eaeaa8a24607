package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchCallbacksAgainstServe runs a short load against a console on
// SQLite and checks the report: every callback answered 200 and stored once.
func TestBenchCallbacksAgainstServe(t *testing.T) {
	dir := t.TempDir()
	dbURL := "sqlite://" + filepath.Join(dir, "parley.db")
	key := filepath.Join(dir, "sim.pem")
	srv := startServe(t, map[string]string{"PARLEY_DATABASE_URL": dbURL, "PARLEY_SIM_SIGNING_KEY": key})

	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"bench", "callbacks",
		"--url", srv.URL, "--signing-key", key, "--database-url", dbURL,
		"--sessions", "3", "--count", "40", "--concurrency", "4"}, envMap(nil), &out, &errs)
	if err != nil {
		t.Fatalf("bench callbacks: %v\n%s%s\nserve log:\n%s", err, out.String(), errs.String(), srv.log)
	}
	for _, want := range []string{"sent 40 in", "40 answered 200", "callbacks/s stored at concurrency 4", "latency: p50", "40 accepted, 40 stored: 0 lost, 0 doubled"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestBenchAnchorsSQLite(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"bench", "anchors", "--only", "sqlite", "--duration", "200ms",
		"--sqlite-file", filepath.Join(t.TempDir(), "anchor.db")}, envMap(nil), &out, &out)
	if err != nil || !strings.Contains(out.String(), "sqlite one-row inserts (1 goroutines, one connection):") {
		t.Errorf("bench anchors = %v\n%s", err, out.String())
	}
}

func TestBenchNeedsACommandAndAKey(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"bench"}, envMap(nil), &out, &out); err == nil || !strings.Contains(out.String(), "callbacks") {
		t.Errorf("bare bench = %v\n%s", err, out.String())
	}
	err := run(context.Background(), []string{"bench", "callbacks"}, envMap(nil), &out, &out)
	if err == nil || !strings.Contains(err.Error(), "PARLEY_SIM_SIGNING_KEY") {
		t.Errorf("bench callbacks without a key = %v", err)
	}
}

// TestBenchLiveAgainstServe signs in and sees each callback arrive on the
// session page's websocket.
func TestBenchLiveAgainstServe(t *testing.T) {
	dir := t.TempDir()
	dbURL := "sqlite://" + filepath.Join(dir, "parley.db")
	key := filepath.Join(dir, "sim.pem")
	srv := startServe(t, map[string]string{"PARLEY_DATABASE_URL": dbURL, "PARLEY_SIM_SIGNING_KEY": key})

	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"bench", "live",
		"--url", srv.URL, "--signing-key", key, "--database-url", dbURL,
		"--username", "admin", "--password", testAdminPassword, "--count", "5"}, envMap(nil), &out, &errs)
	if err != nil {
		t.Fatalf("bench live: %v\n%s%s\nserve log:\n%s", err, out.String(), errs.String(), srv.log)
	}
	if !strings.Contains(out.String(), "5 callbacks one at a time: p50") {
		t.Errorf("report:\n%s", out.String())
	}
}
