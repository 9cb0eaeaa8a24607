package live_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/store/storetest"
)

func newPGBroker(t *testing.T, url string) *live.PGBroker {
	t.Helper()
	b, err := live.NewPGBroker(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// take waits for the subscription to be ready and returns what it holds.
func take(t *testing.T, s *live.Subscription) ([]string, bool) {
	t.Helper()
	testkit.Receive(t, s.Ready(), testkit.WaitTimeout, "a notice")
	return s.Take()
}

func TestPGBrokerReachesOtherInstances(t *testing.T) {
	url := storetest.PostgresURL(t)
	a, b := newPGBroker(t, url), newPGBroker(t, url)
	onA, onB := a.Subscribe("session:1"), b.Subscribe("session:1")
	defer onA.Close()
	defer onB.Close()

	if err := a.Publish(t.Context(), "session:1", "k1"); err != nil {
		t.Fatal(err)
	}
	if keys, _ := take(t, onB); len(keys) != 1 || keys[0] != "k1" {
		t.Fatalf("other instance got %v", keys)
	}
	if keys, _ := take(t, onA); len(keys) != 1 || keys[0] != "k1" {
		t.Fatalf("own instance got %v", keys)
	}
	// Its own NOTIFY comes back to A too; it must not be delivered twice.
	if err := b.Publish(t.Context(), "session:1", "k2"); err != nil {
		t.Fatal(err)
	}
	if keys, _ := take(t, onA); len(keys) != 1 || keys[0] != "k2" {
		t.Fatalf("A got %v", keys)
	}
	select {
	case <-onA.Ready():
		keys, _ := onA.Take()
		t.Fatalf("A got a second notice %v", keys)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestPGBrokerRefreshesEveryoneAfterLosingItsConnection(t *testing.T) {
	url := storetest.PostgresURL(t)
	a, b := newPGBroker(t, url), newPGBroker(t, url)
	onB := b.Subscribe(live.TopicSessions)
	defer onB.Close()

	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	// Notices sent while B was away are gone, so B tells its pages to
	// refresh everything once it listens again.
	if _, all := take(t, onB); !all {
		t.Fatal("no refresh after the connection came back")
	}
	testkit.Eventually(t, testkit.WaitTimeout, b.Listening, "B to listen again")
	if err := a.Publish(t.Context(), live.TopicSessions, "after"); err != nil {
		t.Fatal(err)
	}
	for {
		keys, _ := take(t, onB)
		if len(keys) == 1 && keys[0] == "after" {
			return
		}
	}
}
