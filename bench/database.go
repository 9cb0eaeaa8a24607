package bench

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/parley-dev/parley/store"
)

// DB is a Parley database opened (and migrated) through the store, used here
// with plain SQL: bulk writes and counts the store has no methods for.
type DB struct {
	st      *store.Store
	sql     *sql.DB
	dialect string
}

// OpenDB opens and migrates the database at url, as serve would.
func OpenDB(ctx context.Context, url string) (*DB, error) {
	st, err := store.Open(ctx, url, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	db, err := st.SQL()
	if err != nil {
		st.Close()
		return nil, err
	}
	return &DB{st: st, sql: db, dialect: st.Dialect()}, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.st.Close() }

// SQL is the underlying connection pool.
func (d *DB) SQL() *sql.DB { return d.sql }

// placeholders gives n rows of cols parameters each, in the dialect's style.
func (d *DB) placeholders(rows, cols int) string {
	var b strings.Builder
	n := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(",")
		}
		b.WriteString("(")
		for c := range cols {
			if c > 0 {
				b.WriteString(",")
			}
			n++
			if d.dialect == store.DialectPostgres {
				fmt.Fprintf(&b, "$%d", n)
			} else {
				b.WriteString("?")
			}
		}
		b.WriteString(")")
	}
	return b.String()
}

func (d *DB) param(n int) string {
	if d.dialect == store.DialectPostgres {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}

// SessionRow is what the bench writes of a session.
type SessionRow struct {
	ID, AlvariaSessionID, ContactName string
	MessageCount                      int
	Seq                               int64
	CreatedAt                         time.Time
}

const sessionColumns = "id, alvaria_session_id, connection, work_type_id, contact_name, state, agent_alias, started_by, message_count, seq, created_at, last_activity_at"

// insertSessions writes rows in one statement: connected simulator sessions
// an agent has joined, so MESSAGE callbacks to them are applied at once.
func (d *DB) insertSessions(ctx context.Context, tx *sql.Tx, rows []SessionRow) error {
	if len(rows) == 0 {
		return nil
	}
	args := make([]any, 0, len(rows)*12)
	for _, r := range rows {
		args = append(args, r.ID, r.AlvariaSessionID, "simulator", "bench", r.ContactName, store.SessionConnected,
			"Bench Agent", "bench", r.MessageCount, r.Seq, r.CreatedAt, r.CreatedAt)
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO sessions ("+sessionColumns+") VALUES "+d.placeholders(len(rows), 12), args...)
	if err != nil {
		return fmt.Errorf("insert %d sessions: %w", len(rows), err)
	}
	return nil
}

// MessageRow is what the bench writes of a message.
type MessageRow struct {
	SessionID, Direction, Text, EventID string
	Seq                                 int64
	CreatedAt                           time.Time
}

const messageColumns = "session_id, direction, sender_id, text, event_id, status, seq, created_at, updated_at"

func (d *DB) insertMessages(ctx context.Context, tx *sql.Tx, rows []MessageRow) error {
	if len(rows) == 0 {
		return nil
	}
	args := make([]any, 0, len(rows)*9)
	for _, r := range rows {
		sender, status := "bench-agent", store.MessageReceived
		if r.Direction == store.DirectionCustomer {
			sender, status = "bench", store.MessageSent
		}
		args = append(args, r.SessionID, r.Direction, sender, r.Text, r.EventID, status, r.Seq, r.CreatedAt, r.CreatedAt)
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO messages ("+messageColumns+") VALUES "+d.placeholders(len(rows), 9), args...)
	if err != nil {
		return fmt.Errorf("insert %d messages: %w", len(rows), err)
	}
	return nil
}

// CreateSessions adds n connected sessions whose Alvaria ids are
// prefix-s0 … and returns those ids, the ones callbacks name.
func (d *DB) CreateSessions(ctx context.Context, prefix string, n int) ([]string, error) {
	ids := make([]string, n)
	rows := make([]SessionRow, n)
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i := range n {
		ids[i] = fmt.Sprintf("%s-s%d", prefix, i)
		rows[i] = SessionRow{ID: SessionRowID(prefix, i), AlvariaSessionID: ids[i], ContactName: fmt.Sprintf("Bench %d", i), CreatedAt: now}
	}
	err := d.inBatches(ctx, n, 500, func(tx *sql.Tx, from, to int) error { return d.insertSessions(ctx, tx, rows[from:to]) })
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// SessionRowID is Parley's id of the i-th session CreateSessions made.
func SessionRowID(prefix string, i int) string { return fmt.Sprintf("%s-session-%d", prefix, i) }

// inBatches calls fn for [from, to) windows of size at most batch over n
// items, each in its own transaction. A SQLite file a busy console writes
// to can refuse a transaction that started reading; it is tried again.
func (d *DB) inBatches(ctx context.Context, n, batch int, fn func(tx *sql.Tx, from, to int) error) error {
	for from := 0; from < n; from += batch {
		to := min(from+batch, n)
		var err error
		for try := 0; try < 50; try++ {
			if err = d.inTx(ctx, func(tx *sql.Tx) error { return fn(tx, from, to) }); err == nil || !strings.Contains(err.Error(), "SQLITE_BUSY") {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (d *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// StoredMessages counts the messages per event id among those whose event
// id starts with prefix: what a run's callbacks left in the transcripts
// once applied.
func (d *DB) StoredMessages(ctx context.Context, prefix string) (map[string]int, error) {
	return d.countByEventID(ctx, "messages", prefix)
}

// StoredEvents counts the stored callbacks per event id among those whose
// event id starts with prefix: what a 200 promises is durable, applied or
// not yet.
func (d *DB) StoredEvents(ctx context.Context, prefix string) (map[string]int, error) {
	return d.countByEventID(ctx, "callback_events", prefix)
}

// countByEventID counts table's rows per event id starting with prefix.
func (d *DB) countByEventID(ctx context.Context, table, prefix string) (map[string]int, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT event_id, count(*) FROM "+table+" WHERE event_id LIKE "+d.param(1)+" GROUP BY event_id", prefix+"-%")
	if err != nil {
		return nil, fmt.Errorf("count %s: %w", table, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// Delivery is what a run left in the database against what it was told.
type Delivery struct {
	Accepted int      // events answered 200
	Stored   int      // distinct events with a message
	Lost     []string // answered 200, no message
	Doubled  []string // more than one message
	Extra    []string // a message for an event not answered 200 (e.g. a timeout that did commit)
}

// CheckDelivery compares the events answered 200 with the messages stored
// per event id: every accepted event must have exactly one message.
func CheckDelivery(accepted []string, stored map[string]int) Delivery {
	d := Delivery{Accepted: len(accepted), Stored: len(stored)}
	seen := make(map[string]bool, len(accepted))
	for _, id := range accepted {
		seen[id] = true
		if stored[id] == 0 {
			d.Lost = append(d.Lost, id)
		}
	}
	for id, n := range stored {
		if n > 1 {
			d.Doubled = append(d.Doubled, id)
		}
		if !seen[id] {
			d.Extra = append(d.Extra, id)
		}
	}
	return d
}

// OK reports whether nothing was lost or doubled.
func (d Delivery) OK() bool { return len(d.Lost) == 0 && len(d.Doubled) == 0 }

func (d Delivery) String() string {
	s := fmt.Sprintf("%d accepted, %d stored: %d lost, %d doubled", d.Accepted, d.Stored, len(d.Lost), len(d.Doubled))
	if len(d.Extra) > 0 {
		s += fmt.Sprintf(", %d stored though not answered 200", len(d.Extra))
	}
	for _, l := range []struct {
		what string
		ids  []string
	}{{"lost", d.Lost}, {"doubled", d.Doubled}} {
		if len(l.ids) > 0 {
			s += fmt.Sprintf("\n  %s, e.g. %s", l.what, strings.Join(l.ids[:min(5, len(l.ids))], ", "))
		}
	}
	return s
}
