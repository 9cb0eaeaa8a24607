package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// InsertEvents stores callbacks once per EventID in one statement, and
// reports which EventIDs it stored now; the others were stored before (or
// appear twice in evs, where the first wins). It is InsertEvent for a
// batch of concurrent callbacks committed together.
func (s *Store) InsertEvents(ctx context.Context, evs []*CallbackEvent) (map[string]bool, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	const cols = 11
	var q strings.Builder
	q.WriteString("INSERT INTO callback_events (event_id, type, alvaria_session_id, session_id, payload, payload_base64, verified, verify_detail, parse_error, received_at, applied_at) VALUES ")
	args := make([]any, 0, cols*len(evs))
	for i, ev := range evs {
		ev.cleanPayload()
		ev.ReceivedAt, ev.AppliedAt = stampOrNow(ev.ReceivedAt), stampPtr(ev.AppliedAt)
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, ev.EventID, ev.Type, ev.AlvariaSessionID, ev.SessionID, ev.Payload, ev.PayloadBase64, ev.Verified, ev.VerifyDetail, ev.ParseError, ev.ReceivedAt, ev.AppliedAt)
	}
	q.WriteString(" ON CONFLICT (event_id) DO NOTHING RETURNING event_id")
	rows, err := s.with(ctx).Raw(q.String(), args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("insert %d events: %w", len(evs), err)
	}
	defer rows.Close()
	inserted := make(map[string]bool, len(evs))
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("insert %d events: %w", len(evs), err)
		}
		inserted[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("insert %d events: %w", len(evs), err)
	}
	return inserted, nil
}

// LockAlvariaSessions is LockAlvariaSession for several sessions in one
// statement. It takes the locks in one order (sorted ids, in the order
// VALUES lists them), so that two transactions locking overlapping sets,
// on one instance or two, wait for each other instead of deadlocking.
func (s *Store) LockAlvariaSessions(ctx context.Context, alvariaSessionIDs []string) error {
	if s.dialect != DialectPostgres {
		return nil
	}
	keys := make([]string, 0, len(alvariaSessionIDs))
	for _, id := range alvariaSessionIDs {
		if id != "" {
			keys = append(keys, "alvaria-session:"+CleanText(id))
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if len(keys) == 0 {
		return nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	values := strings.TrimSuffix(strings.Repeat("(?), ", len(keys)), ", ")
	q := "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (VALUES " + values + ") AS v(k)"
	if err := s.with(ctx).Exec(q, args...).Error; err != nil {
		return fmt.Errorf("lock %d alvaria sessions: %w", len(keys), err)
	}
	return nil
}
