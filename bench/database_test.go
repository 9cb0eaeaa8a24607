package bench

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/parley-dev/parley/store/storetest"
)

// eachDatabase runs fn on a new SQLite file and, when
// PARLEY_TEST_DATABASE_URL is set, on a new Postgres database.
func eachDatabase(t *testing.T, fn func(t *testing.T, db *DB)) {
	for _, c := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite://" + t.TempDir() + "/bench.db" }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresURL(t) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, err := OpenDB(context.Background(), c.url(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			fn(t, db)
		})
	}
}

func TestCheckDelivery(t *testing.T) {
	tests := []struct {
		name                 string
		accepted             []string
		stored               map[string]int
		lost, doubled, extra []string
	}{
		{"all once", []string{"a", "b"}, map[string]int{"a": 1, "b": 1}, nil, nil, nil},
		{"nothing sent", nil, map[string]int{}, nil, nil, nil},
		{"one lost", []string{"a", "b"}, map[string]int{"a": 1}, []string{"b"}, nil, nil},
		{"one doubled", []string{"a", "b"}, map[string]int{"a": 2, "b": 1}, nil, []string{"a"}, nil},
		{"stored though not accepted", []string{"a"}, map[string]int{"a": 1, "c": 1}, nil, nil, []string{"c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := CheckDelivery(tt.accepted, tt.stored)
			slices.Sort(d.Lost)
			slices.Sort(d.Doubled)
			slices.Sort(d.Extra)
			if !slices.Equal(d.Lost, tt.lost) || !slices.Equal(d.Doubled, tt.doubled) || !slices.Equal(d.Extra, tt.extra) {
				t.Errorf("CheckDelivery = lost %v doubled %v extra %v, want %v %v %v", d.Lost, d.Doubled, d.Extra, tt.lost, tt.doubled, tt.extra)
			}
			if d.OK() != (len(tt.lost) == 0 && len(tt.doubled) == 0) {
				t.Errorf("OK() = %v", d.OK())
			}
		})
	}
}

func TestSeedWritesWhatItSays(t *testing.T) { eachDatabase(t, testSeed) }

func testSeed(t *testing.T, db *DB) {
	ctx := context.Background()
	// 10 sessions, 95 messages: five get 10, five get 9; a batch of 3
	// sessions makes several transactions.
	seed, err := db.Seed(ctx, "t", 10, 95, 3)
	if err != nil {
		t.Fatal(err)
	}
	if seed.Sessions != 10 || seed.Messages != 95 {
		t.Errorf("Seed = %+v", seed)
	}
	var sessions, messages, countSum, bad int
	q := db.SQL()
	if err := q.QueryRowContext(ctx, "SELECT count(*), sum(message_count) FROM sessions").Scan(&sessions, &countSum); err != nil {
		t.Fatal(err)
	}
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM messages").Scan(&messages); err != nil {
		t.Fatal(err)
	}
	if sessions != 10 || messages != 95 || countSum != 95 {
		t.Errorf("database holds %d sessions, %d messages, message_count sum %d; want 10, 95, 95", sessions, messages, countSum)
	}
	// Each session's count and seq agree with its messages, numbered 1..n.
	err = q.QueryRowContext(ctx, `SELECT count(*) FROM sessions s WHERE s.message_count <> (SELECT count(*) FROM messages m WHERE m.session_id = s.id)
		OR s.seq <> (SELECT coalesce(max(seq), 0) FROM messages m WHERE m.session_id = s.id)
		OR s.message_count NOT IN (9, 10)`).Scan(&bad)
	if err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d sessions whose message_count or seq disagree with their messages", bad)
	}
	// A second seed with another prefix adds to the first.
	if _, err := db.Seed(ctx, "u", 2, 3, 500); err != nil {
		t.Fatal(err)
	}
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM messages").Scan(&messages); err != nil || messages != 98 {
		t.Errorf("after a second seed: %d messages (%v), want 98", messages, err)
	}
}

func TestStoredMessagesCountsOneRunsEvents(t *testing.T) { eachDatabase(t, testStoredMessages) }

func testStoredMessages(t *testing.T, db *DB) {
	ctx := context.Background()
	ids, err := db.CreateSessions(ctx, "run1", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0] != "run1-s0" {
		t.Fatalf("CreateSessions = %v", ids)
	}
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC()
	rows := []MessageRow{
		{SessionID: "run1-session-0", Direction: "agent", EventID: "run1-0", Seq: 1, CreatedAt: at},
		{SessionID: "run1-session-1", Direction: "agent", EventID: "run1-1", Seq: 1, CreatedAt: at},
		{SessionID: "run1-session-1", Direction: "agent", EventID: "run10-0", Seq: 2, CreatedAt: at},
	}
	if err := db.insertMessages(ctx, tx, rows); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err := db.StoredMessages(ctx, "run1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["run1-0"] != 1 || got["run1-1"] != 1 {
		t.Errorf("StoredMessages(run1) = %v, want run1-0 and run1-1 once each", got)
	}
}
