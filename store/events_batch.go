package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
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

// SessionsByAlvariaIDs returns the stored sessions among those Alvaria
// knows by these ids, keyed by Alvaria's id: a batch's sessions in one query.
func (s *Store) SessionsByAlvariaIDs(ctx context.Context, alvariaIDs []string) (map[string]Session, error) {
	ids := cleanIDs(alvariaIDs)
	out := make(map[string]Session, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Session
	if err := s.with(ctx).Where("alvaria_session_id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("get %d sessions by alvaria id: %w", len(ids), err)
	}
	for _, r := range rows {
		out[r.AlvariaSessionID] = r
	}
	return out, nil
}

// UnappliedEventsOf is ListUnappliedEvents for several Alvaria sessions in
// one query, each session's events in the order they arrived.
func (s *Store) UnappliedEventsOf(ctx context.Context, alvariaIDs []string) (map[string][]CallbackEvent, error) {
	ids := cleanIDs(alvariaIDs)
	out := make(map[string][]CallbackEvent, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []CallbackEvent
	if err := s.with(ctx).Where("alvaria_session_id IN ? AND applied_at IS NULL", ids).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list unapplied events of %d sessions: %w", len(ids), err)
	}
	for _, r := range rows {
		out[r.AlvariaSessionID] = append(out[r.AlvariaSessionID], r)
	}
	return out, nil
}

// SendingMessagesOf is ListSendingMessages for several sessions in one
// query, keyed by session id.
func (s *Store) SendingMessagesOf(ctx context.Context, sessionIDs []string) (map[string][]Message, error) {
	out := make(map[string][]Message, len(sessionIDs))
	if len(sessionIDs) == 0 {
		return out, nil
	}
	var rows []Message
	err := s.with(ctx).Where("session_id IN ? AND status = ? AND direction = ?", sessionIDs, MessageSending, DirectionCustomer).Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list sending messages of %d sessions: %w", len(sessionIDs), err)
	}
	for _, r := range rows {
		out[r.SessionID] = append(out[r.SessionID], r)
	}
	return out, nil
}

// cleanIDs is ids as InsertEvent stores them, without empties and repeats.
func cleanIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" {
			out = append(out, CleanText(id))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// AlvariaSessionsWithStoredCallbacks lists up to limit Alvaria sessions that
// Parley knows and that have callbacks stored before `before` and never
// looked at by an applier (not linked to their session): what a crash
// between the inbox's store and its apply leaves behind. Callbacks linked
// but waiting (a status for a message not yet recorded) are not listed;
// what they wait for applies them.
func (s *Store) AlvariaSessionsWithStoredCallbacks(ctx context.Context, before time.Time, limit int) ([]string, error) {
	var ids []string
	err := s.with(ctx).Raw(`SELECT DISTINCT e.alvaria_session_id FROM callback_events e
		WHERE e.applied_at IS NULL AND e.session_id IS NULL AND e.alvaria_session_id <> '' AND e.received_at < ?
		AND EXISTS (SELECT 1 FROM sessions s WHERE s.alvaria_session_id = e.alvaria_session_id)
		ORDER BY e.alvaria_session_id LIMIT ?`, stamp(before), limit).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("list sessions with stored callbacks: %w", err)
	}
	return ids, nil
}
