package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/parley-dev/parley/store"
)

// TranscriptSessionID names the session SeedTranscript makes for a length.
func TranscriptSessionID(messages int) string { return fmt.Sprintf("pages-transcript-%d", messages) }

// SeedTranscript makes, unless it exists, the session of a long
// conversation the session page benchmark reads: messages messages
// alternating customer and agent, a MESSAGE callback event for each
// customer one, and rareWord said once, in its middle. It is the oldest
// session in the list (a year back), so searching for rareWord finds it
// only after walking past every seeded session. It returns the session's id.
func (d *DB) SeedTranscript(ctx context.Context, messages int, rareWord string) (string, error) {
	id := TranscriptSessionID(messages)
	var one int
	err := d.sql.QueryRowContext(ctx, "SELECT 1 FROM sessions WHERE id = "+d.param(1), id).Scan(&one)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("look for %s: %w", id, err)
	}
	at := time.Now().UTC().Truncate(time.Microsecond).AddDate(-1, 0, 0)
	alvaria := id + "-alvaria"
	var msgs []MessageRow
	var events []eventRow
	for k := range messages {
		dir := store.DirectionCustomer
		if k%2 == 1 {
			dir = store.DirectionAgent
		}
		text := fmt.Sprintf("line %d of a long conversation about the %s, with a little <markup> & text to escape", k+1, words[k%len(words)])
		if k == messages/2 && rareWord != "" {
			text = "I am flying to " + rareWord + " next week"
		}
		m := MessageRow{SessionID: id, Direction: dir, Text: text, Seq: int64(k + 1), CreatedAt: at.Add(time.Duration(k) * time.Second)}
		if dir == store.DirectionCustomer {
			m.EventID = fmt.Sprintf("%s-e%d", id, k)
			events = append(events, eventRow{EventID: m.EventID, AlvariaSessionID: alvaria, SessionID: id, Seq: m.Seq, Text: text, At: m.CreatedAt})
		}
		msgs = append(msgs, m)
	}
	err = d.inBatches(ctx, 1, 1, func(tx *sql.Tx, _, _ int) error {
		s := SessionRow{ID: id, AlvariaSessionID: alvaria, ContactName: "Long Talker", MessageCount: messages, Seq: int64(messages), CreatedAt: at}
		if err := d.insertSessions(ctx, tx, []SessionRow{s}); err != nil {
			return err
		}
		for from := 0; from < len(msgs); from += 500 {
			if err := d.insertMessages(ctx, tx, msgs[from:min(from+500, len(msgs))]); err != nil {
				return err
			}
		}
		for from := 0; from < len(events); from += 500 {
			if err := d.insertEvents(ctx, tx, events[from:min(from+500, len(events))]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("seed transcript %s: %w", id, err)
	}
	return id, nil
}

// eventRow is what the bench writes of an applied MESSAGE callback.
type eventRow struct {
	EventID, AlvariaSessionID, SessionID, Text string
	Seq                                        int64
	At                                         time.Time
}

const eventColumns = "event_id, type, alvaria_session_id, session_id, payload, verified, seq, received_at, applied_at"

func (d *DB) insertEvents(ctx context.Context, tx *sql.Tx, rows []eventRow) error {
	args := make([]any, 0, len(rows)*9)
	for _, r := range rows {
		payload := fmt.Sprintf(`{"type":"MESSAGE","sessionId":%q,"senderId":"bench","message":{"text":%q},"eventId":%q}`, r.AlvariaSessionID, r.Text, r.EventID)
		args = append(args, r.EventID, "MESSAGE", r.AlvariaSessionID, r.SessionID, payload, true, r.Seq, r.At, r.At)
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO callback_events ("+eventColumns+") VALUES "+d.placeholders(len(rows), 9), args...)
	if err != nil {
		return fmt.Errorf("insert %d callback events: %w", len(rows), err)
	}
	return nil
}
