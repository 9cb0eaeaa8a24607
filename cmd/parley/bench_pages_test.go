package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchPagesAgainstServe signs in and loads each kind of page of a
// seeded console: the list, the session page it makes of a long
// conversation, and a search for a common and a rare word.
func TestBenchPagesAgainstServe(t *testing.T) {
	dir := t.TempDir()
	dbURL := "sqlite://" + filepath.Join(dir, "parley.db")
	srv := startServe(t, map[string]string{"PARLEY_DATABASE_URL": dbURL})
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"bench", "seed", "--database-url", dbURL, "--sessions", "120", "--messages", "600"}, envMap(nil), &out, &errs); err != nil {
		t.Fatalf("bench seed: %v\n%s%s", err, out.String(), errs.String())
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--page", "list"}, "GET / for"},
		{[]string{"--page", "session", "--transcript", "150"}, "GET /sessions/pages-transcript-150 for"},
		{[]string{"--page", "search", "--search", "message"}, "GET /?q=message for"},
		{[]string{"--page", "search", "--search", benchRareWord}, "GET /?q=" + benchRareWord + " for"},
	} {
		out.Reset()
		errs.Reset()
		args := append([]string{"bench", "pages", "--url", srv.URL, "--database-url", dbURL,
			"--username", "admin", "--password", testAdminPassword, "--duration", "300ms", "--concurrency", "2"}, c.args...)
		if err := run(context.Background(), args, envMap(nil), &out, &errs); err != nil {
			t.Fatalf("bench pages %v: %v\n%s%s\nserve log:\n%s", c.args, err, out.String(), errs.String(), srv.log)
		}
		for _, want := range []string{c.want, "answered 200", "pages/s at concurrency 2", "latency: p50"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("bench pages %v: report lacks %q:\n%s", c.args, want, out.String())
			}
		}
	}
}
