package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

func TestOpenRejectsBadURLsInOneLine(t *testing.T) {
	cases := map[string]string{
		"mysql://root:hunter2@localhost/db":       "not a database URL",
		"sqlite://":                               "no file path",
		"sqlite:///no/such/dir/parley.db":         "does not exist",
		"postgres://u:hunter2@127.0.0.1:1/parley": "cannot reach postgres",
	}
	for url, want := range cases {
		t.Run(url, func(t *testing.T) {
			_, err := store.Open(context.Background(), url, nil)
			if err == nil {
				t.Errorf("opened")
				return
			}
			msg := err.Error()
			if !strings.Contains(msg, want) || strings.Contains(msg, "hunter2") || strings.Contains(msg, "\n") {
				t.Errorf("error %q should contain %q, in one line, without the password", msg, want)
			}
		})
	}
}

func TestMigrateTwiceOnBothEngines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if err := st.Migrate(t.Context()); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if err := st.Ping(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestOpenCreatesTheSQLiteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	st, err := store.Open(t.Context(), "sqlite://"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	if st.Dialect() != store.DialectSQLite {
		t.Fatalf("dialect %q", st.Dialect())
	}
}
