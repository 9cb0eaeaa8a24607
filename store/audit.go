package store

import (
	"context"
	"fmt"
	"time"
)

// AddAudit appends to the audit trail. The trail is never updated or
// deleted through the store.
func (s *Store) AddAudit(ctx context.Context, e *AuditEntry) error {
	e.At = stampOrNow(e.At)
	// What is audited is often what a stranger typed or sent (a username,
	// a request's path); NUL or bad UTF-8 in it must not lose the entry.
	cleanAll(&e.Actor, &e.ClientAddr, &e.Target, &e.Detail)
	if err := s.with(ctx).Create(e).Error; err != nil {
		return fmt.Errorf("add audit entry %s: %w", e.Action, err)
	}
	return nil
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	Actor    string
	Action   string
	From     time.Time // inclusive
	To       time.Time // exclusive
	BeforeID int64     // keyset cursor: entries older than this id
	// Session selects the entries about one session, named by Parley's id
	// or Alvaria's: the console records the one, the desk the other.
	Session string
	Limit   int // 0 means 50; at most 200, or unbounded when negative (exports)
}

// ListAudit returns audit entries matching f, newest first.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	q := s.with(ctx).Model(&AuditEntry{})
	if f.Actor != "" {
		q = q.Where("actor = ?", f.Actor)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", stamp(f.From))
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", stamp(f.To))
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	if id := CleanText(f.Session); id != "" {
		q = q.Where(`target = ? OR target IN (SELECT alvaria_session_id FROM sessions WHERE id = ? AND alvaria_session_id <> '')
			OR target IN (SELECT id FROM sessions WHERE alvaria_session_id = ? AND alvaria_session_id <> '')`, id, id, id)
	}
	switch {
	case f.Limit == 0:
		q = q.Limit(defaultPageSize)
	case f.Limit > 0:
		q = q.Limit(min(f.Limit, maxPageSize))
	}
	var rows []AuditEntry
	if err := q.Order("id DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	return rows, nil
}

// SessionRef names a session where a page links to it.
type SessionRef struct {
	ID, AlvariaSessionID, ContactName string
}

// SessionsNamed returns the sessions among names, each a Parley or an
// Alvaria session id, keyed by the name as given: what audit targets link to.
func (s *Store) SessionsNamed(ctx context.Context, names []string) (map[string]SessionRef, error) {
	out := map[string]SessionRef{}
	if len(names) == 0 {
		return out, nil
	}
	rows, err := s.with(ctx).Raw(`SELECT id, alvaria_session_id, contact_name FROM sessions
		WHERE id IN ? OR (alvaria_session_id IN ? AND alvaria_session_id <> '')`, names, names).Rows()
	if err != nil {
		return nil, fmt.Errorf("find sessions named in the audit trail: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r SessionRef
		if err := rows.Scan(&r.ID, &r.AlvariaSessionID, &r.ContactName); err != nil {
			return nil, err
		}
		out[r.ID] = r
		if r.AlvariaSessionID != "" {
			out[r.AlvariaSessionID] = r
		}
	}
	return out, rows.Err()
}
