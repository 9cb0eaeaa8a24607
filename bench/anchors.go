package bench

import (
	"context"
	"crypto/rsa"
	"database/sql"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/glebarez/sqlite" // registers the "sqlite" driver Parley uses

	"github.com/parley-dev/parley/alvaria"
)

// Rate is a count of operations over a time.
type Rate struct {
	Ops     int64
	Elapsed time.Duration
}

// PerSecond is Ops per second.
func (r Rate) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Ops) / r.Elapsed.Seconds()
}

func (r Rate) String() string {
	return fmt.Sprintf("%.0f/s (%d in %s)", r.PerSecond(), r.Ops, r.Elapsed.Round(time.Millisecond))
}

// parallel runs op on workers goroutines for duration and counts the calls.
func parallel(workers int, duration time.Duration, op func() error) (Rate, error) {
	var ops atomic.Int64
	var firstErr error
	var once sync.Once
	deadline := time.Now().Add(duration)
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if err := op(); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				ops.Add(1)
			}
		}()
	}
	wg.Wait()
	return Rate{Ops: ops.Load(), Elapsed: time.Since(start)}, firstErr
}

// RS256 measures the signing and the verifying ceiling with key on every CPU:
// the most callbacks per second the simulator could sign and Parley verify.
func RS256(key *rsa.PrivateKey, duration time.Duration) (sign, verify Rate, err error) {
	signer := Signer{Key: key, Issuer: "alvaria-simulator", Life: 5 * time.Minute}
	sample, err := signer.Message("anchor-session", "anchor-event", "hello")
	if err != nil {
		return sign, verify, err
	}
	workers := runtime.GOMAXPROCS(0)
	if sign, err = RS256Sign(key, duration); err != nil {
		return sign, verify, err
	}
	verifier, err := alvaria.NewVerifier(alvaria.VerifierConfig{PublicKey: &key.PublicKey})
	if err != nil {
		return sign, verify, err
	}
	verify, err = parallel(workers, duration, func() error {
		claims, err := verifier.Verify(sample.Authorization)
		if err != nil {
			return err
		}
		return claims.CheckBody(sample.Body)
	})
	return sign, verify, err
}

// RS256Sign is the signing half of RS256: callback tokens signed a second
// with key on every CPU, the ceiling of the simulator's delivered/s.
func RS256Sign(key *rsa.PrivateKey, duration time.Duration) (Rate, error) {
	signer := Signer{Key: key, Issuer: "alvaria-simulator", Life: 5 * time.Minute}
	return parallel(runtime.GOMAXPROCS(0), duration, func() error {
		_, err := signer.Message("anchor-session", "anchor-event", "hello")
		return err
	})
}

// SQLitePragmas are the ones Parley opens its SQLite file with (store/open.go).
const SQLitePragmas = "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"

// CallbackTable is a callback-shaped table: the columns of callback_events,
// with the same unique event id, so each insert costs what storing a
// callback's event costs.
const CallbackTable = `CREATE TABLE IF NOT EXISTS bench_callbacks (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id           TEXT NOT NULL UNIQUE,
    type               TEXT NOT NULL DEFAULT '',
    alvaria_session_id TEXT NOT NULL DEFAULT '',
    payload            TEXT NOT NULL,
    verified           BOOLEAN NOT NULL DEFAULT 0,
    seq                BIGINT NOT NULL DEFAULT 0,
    received_at        DATETIME NOT NULL
)`

// CallbackPayload is a MESSAGE body of the size Parley stores.
const CallbackPayload = `{"sessionId":"anchor-session-0001","senderId":"bench-agent","message":{"text":"bench message 123456"},"eventId":"anchor-event-0000000000"}`

// SQLiteInserts runs a loop of one-row autocommit inserts of a
// callback-shaped row into the SQLite file at path, opened as Parley opens
// it (same pragmas, one connection), from workers goroutines, for duration.
func SQLiteInserts(ctx context.Context, path string, workers int, duration time.Duration) (Rate, error) {
	db, err := sql.Open("sqlite", path+SQLitePragmas)
	if err != nil {
		return Rate{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, CallbackTable); err != nil {
		return Rate{}, fmt.Errorf("create bench_callbacks: %w", err)
	}
	run := randomID()
	var n atomic.Int64
	return parallel(max(1, workers), duration, func() error {
		i := n.Add(1)
		_, err := db.ExecContext(ctx, "INSERT INTO bench_callbacks (event_id, type, alvaria_session_id, payload, verified, seq, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			fmt.Sprintf("%s-%d", run, i), "MESSAGE", "anchor-session-0001", CallbackPayload, true, i, time.Now().UTC())
		return err
	})
}
