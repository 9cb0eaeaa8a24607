package bench

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/parley-dev/parley/store"
)

// Seed is what Seed wrote.
type Seed struct {
	Sessions, Messages int
	Elapsed            time.Duration
}

// words make seeded texts searchable: each message carries two of them.
var words = []string{"refund", "invoice", "delivery", "password", "upgrade", "cancel", "address", "warranty", "discount", "schedule", "broken", "receipt"}

// Seed writes sessions connected sessions and messages messages spread over
// them as evenly as possible (the first sessions get one more), alternating
// customer and agent, in transactions of batch rows. Session ids start with
// prefix; created times go back one minute per session from now, so the
// list has a long history to page through.
func (d *DB) Seed(ctx context.Context, prefix string, sessions, messages, batch int) (Seed, error) {
	if sessions <= 0 {
		return Seed{}, fmt.Errorf("seed: sessions must be positive")
	}
	batch = max(1, batch)
	start := time.Now()
	now := start.UTC().Truncate(time.Microsecond)
	perSession := func(i int) int {
		n := messages / sessions
		if i < messages%sessions {
			n++
		}
		return n
	}
	sessionRow := func(i int) SessionRow {
		n := perSession(i)
		return SessionRow{
			ID:               fmt.Sprintf("%s-%08d", prefix, i),
			AlvariaSessionID: fmt.Sprintf("%s-alvaria-%08d", prefix, i),
			ContactName:      fmt.Sprintf("Customer %d %s", i, words[i%len(words)]),
			MessageCount:     n,
			Seq:              int64(n),
			CreatedAt:        now.Add(-time.Duration(sessions-i) * time.Minute),
		}
	}
	// Sessions in batches of at most 500 (SQLite's parameter limit), each
	// followed by its messages, flushed every batch rows.
	var msgs []MessageRow
	flush := func(tx *sql.Tx) error {
		for len(msgs) > 0 {
			n := min(len(msgs), 1000)
			if err := d.insertMessages(ctx, tx, msgs[:n]); err != nil {
				return err
			}
			msgs = msgs[n:]
		}
		return nil
	}
	step := min(batch, 500)
	err := d.inBatches(ctx, sessions, step, func(tx *sql.Tx, from, to int) error {
		rows := make([]SessionRow, 0, to-from)
		for i := from; i < to; i++ {
			rows = append(rows, sessionRow(i))
		}
		if err := d.insertSessions(ctx, tx, rows); err != nil {
			return err
		}
		for _, s := range rows {
			for k := range s.MessageCount {
				dir := store.DirectionCustomer
				if k%2 == 1 {
					dir = store.DirectionAgent
				}
				msgs = append(msgs, MessageRow{
					SessionID: s.ID,
					Direction: dir,
					Text:      fmt.Sprintf("message %d about the %s and the %s", k+1, words[k%len(words)], words[(k*7+3)%len(words)]),
					Seq:       int64(k + 1),
					CreatedAt: s.CreatedAt.Add(time.Duration(k) * time.Second),
				})
			}
		}
		return flush(tx)
	})
	if err != nil {
		return Seed{}, fmt.Errorf("seed: %w", err)
	}
	return Seed{Sessions: sessions, Messages: messages, Elapsed: time.Since(start)}, nil
}
