package store_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

func TestCheckWritableOnAWritableDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if err := st.CheckWritable(t.Context()); err != nil {
			t.Fatalf("a writable database: %v", err)
		}
	})
}

// A database that answers pings but refuses writes is not ready: every
// callback would fail.
func TestCheckWritableFailsWhenTheDatabaseRefusesWrites(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		st := storetest.SQLite(t)
		db, err := st.SQL()
		if err != nil {
			t.Fatal(err)
		}
		// One connection: the pragma applies to every later query.
		if _, err := db.ExecContext(t.Context(), "PRAGMA query_only = ON"); err != nil {
			t.Fatal(err)
		}
		if err := st.Ping(t.Context()); err != nil {
			t.Fatalf("ping should still answer: %v", err)
		}
		if err := st.CheckWritable(t.Context()); err == nil || !strings.Contains(err.Error(), "refuses writes") {
			t.Fatalf("CheckWritable = %v, want a refusal", err)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		url := storetest.PostgresURL(t)
		st, err := store.Open(t.Context(), url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		st.Close()
		// A standby, or an operator's ALTER DATABASE, looks like this.
		ro, err := store.Open(t.Context(), url+"&default_transaction_read_only=on", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		if err := ro.CheckWritable(t.Context()); err == nil || !strings.Contains(err.Error(), "refuses writes") {
			t.Fatalf("CheckWritable = %v, want a refusal", err)
		}
	})
}

func TestSecondServerOnOneSQLiteFileIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	first, err := store.Open(t.Context(), "sqlite://"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	release, err := first.ClaimSole()
	if err != nil {
		t.Fatalf("first claim: %v", err)
	}

	second, err := store.Open(t.Context(), "sqlite://"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	_, err = second.ClaimSole()
	if err == nil || !strings.Contains(err.Error(), "another Parley") || !strings.Contains(err.Error(), path) {
		t.Fatalf("second claim = %v, want a refusal that names the file", err)
	}

	release()
	again, err := second.ClaimSole()
	if err != nil {
		t.Fatalf("claim after release: %v", err)
	}
	again()
}

func TestClaimSoleOnPostgresAllowsSeveralInstances(t *testing.T) {
	url := storetest.PostgresURL(t)
	for range 2 {
		st, err := store.Open(t.Context(), url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.ClaimSole(); err != nil {
			t.Fatalf("postgres is shared by design: %v", err)
		}
	}
}

// SQLite's "out of memory (14)" for a file it cannot create misleads; the
// error must say what is wrong with the path.
func TestOpenSQLiteWhereNoFileCanBeCreatedSaysSo(t *testing.T) {
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := store.Open(t.Context(), "sqlite://"+filepath.Join(notADir, "parley.db"), nil)
	if err == nil {
		t.Fatal("opened a database inside a file")
	}
	msg := err.Error()
	if strings.Contains(msg, "out of memory") || !strings.Contains(msg, "cannot open or create") {
		t.Fatalf("error %q should say the file cannot be opened or created", msg)
	}
}
