package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/parley-dev/parley/internal/slicepool"
)

// CreateSession stores a new session and fills in its id.
func (s *Store) CreateSession(ctx context.Context, sess *Session) error {
	if sess.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("new session id: %w", err)
		}
		sess.ID = id.String()
	}
	sess.CreatedAt = stampOrNow(sess.CreatedAt)
	if sess.LastActivityAt.IsZero() {
		sess.LastActivityAt = sess.CreatedAt
	}
	sess.LastActivityAt, sess.EndedAt = stamp(sess.LastActivityAt), stampPtr(sess.EndedAt)
	// The service validates these before Alvaria is called; this keeps a
	// session Alvaria has already opened from failing to store.
	cleanAll(&sess.AlvariaSessionID, &sess.WorkTypeID, &sess.ContactName, &sess.Integration, &sess.StateDetail, &sess.AgentAlias)
	if err := s.with(ctx).Create(sess).Error; err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// GetSession returns the session with our id.
func (s *Store) GetSession(ctx context.Context, id string) (Session, error) {
	var sess Session
	err := s.with(ctx).Where("id = ?", id).Take(&sess).Error
	return sess, notFound(err)
}

// ListSessionsByID returns the sessions with these ids that exist, newest
// first.
func (s *Store) ListSessionsByID(ctx context.Context, ids []string) ([]Session, error) {
	var rows []Session
	if len(ids) == 0 {
		return rows, nil
	}
	if err := s.with(ctx).Where("id IN ?", ids).Order("created_at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list %d sessions by id: %w", len(ids), err)
	}
	return rows, nil
}

// SessionUpdate changes a session; nil fields stay as they are.
type SessionUpdate struct {
	State       *string
	StateDetail *string
	AgentAlias  *string
	WorkTypeID  *string
	EndedAt     *time.Time
	// EndedBy names who ended it; the first to be recorded stays.
	EndedBy        *string
	LastActivityAt time.Time // moves forward only
}

// UpdateSession applies u. A session that has ended or failed keeps that
// state and its end time whatever u says: callbacks can arrive out of order,
// and a late AGENT_JOINED must not bring a finished session back.
func (s *Store) UpdateSession(ctx context.Context, id string, u SessionUpdate) error {
	// One UPDATE: its conditions read the row as it was, under the lock the
	// UPDATE takes, so a concurrent end cannot be overwritten.
	const live = "CASE WHEN state IN ('" + SessionEnded + "', '" + SessionFailed + "') THEN %[1]s ELSE ? END"
	var sets []string
	var args []any
	assign := func(col string, v any) {
		sets = append(sets, col+" = "+fmt.Sprintf(live, col))
		args = append(args, v)
	}
	if u.State != nil {
		assign("state", *u.State)
		if Terminal(*u.State) && u.EndedAt != nil {
			assign("ended_at", stamp(*u.EndedAt))
		}
	}
	if u.EndedBy != nil {
		sets = append(sets, "ended_by = CASE WHEN ended_by = '' THEN ? ELSE ended_by END")
		args = append(args, CleanText(*u.EndedBy))
	}
	if u.StateDetail != nil {
		assign("state_detail", CleanText(*u.StateDetail))
	}
	if u.AgentAlias != nil {
		assign("agent_alias", CleanText(*u.AgentAlias))
	}
	if u.WorkTypeID != nil {
		assign("work_type_id", CleanText(*u.WorkTypeID))
	}
	if !u.LastActivityAt.IsZero() {
		at := stamp(u.LastActivityAt)
		sets = append(sets, "last_activity_at = CASE WHEN last_activity_at < ? THEN ? ELSE last_activity_at END")
		args = append(args, at, at)
	}
	return s.atomically(ctx, func(tx *Store) error {
		if _, err := tx.touchSession(ctx, id, strings.Join(sets, ", "), args...); err != nil {
			return fmt.Errorf("update session %s: %w", id, err)
		}
		return nil
	})
}

// SessionFilter selects sessions for the list, newest first.
type SessionFilter struct {
	States      []string  // any of these; empty for all
	CreatedFrom time.Time // inclusive; zero for no bound
	CreatedTo   time.Time // exclusive; zero for no bound
	Search      string    // part of the contact name or of a message, or an Alvaria sessionId
	Verdict     string    // a Verdict* constant, "none" for unreviewed, or empty for any
	// Exact matches, each ignored when empty.
	WorkTypeID, AgentAlias, StartedBy, EndedBy string
	HasFailed                                  bool   // only sessions with a message Alvaria reported failed
	Tag                                        string // only sessions with this tag
	Connection                                 string // a connection's slug, or empty for any
	Limit                                      int    // 1..200; 0 means 50
	After                                      *SessionCursor
}

// SessionPage is one page of sessions and the cursor of the next, if any.
type SessionPage struct {
	Sessions []Session
	Next     *SessionCursor
}

const (
	defaultPageSize = 50
	maxPageSize     = 200
)

// ListSessions returns one page of sessions, newest first, using keyset
// pagination so a page costs the same however deep it is.
func (s *Store) ListSessions(ctx context.Context, f SessionFilter) (SessionPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPageSize
	}
	limit = min(limit, maxPageSize)
	where := sessionWhere(f)
	var rows []Session
	var err error
	if term := strings.TrimSpace(f.Search); term != "" {
		rows, err = s.searchSessions(ctx, where, term, limit+1)
	} else {
		rows, err = s.querySessionsInto(ctx, sessionRows.Get(limit+1), "SELECT "+sessionColumns+" FROM sessions"+where.clause()+newestFirst+" LIMIT ?", append(where.args, limit+1)...)
	}
	if err != nil {
		return SessionPage{}, fmt.Errorf("list sessions: %w", err)
	}
	page := SessionPage{Sessions: rows}
	if len(rows) > limit {
		page.Sessions = rows[:limit]
		last := page.Sessions[limit-1]
		page.Next = &SessionCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	return page, nil
}

// sessionRows holds the rows of list pages for the next list to scan
// into: allocating its 51 sessions twice (here and in the service) was
// half of the bytes the list allocated.
var sessionRows = slicepool.New[Session](maxPageSize + 1)

// ReleaseSessions gives back rows that ListSessions returned, once the
// caller has copied what it needs; it must not use them afterwards.
// Releasing is optional.
func ReleaseSessions(rows []Session) { sessionRows.Put(rows) }

// newestFirst is the list's order, which the sessions_created and
// sessions_state_created indexes hold.
const newestFirst = " ORDER BY created_at DESC, id DESC"

// conditions are the parts of a WHERE clause and their arguments.
type conditions struct {
	parts []string
	args  []any
}

func (c *conditions) add(cond string, args ...any) {
	c.parts = append(c.parts, cond)
	c.args = append(c.args, args...)
}

// and returns c with one more condition; c itself is unchanged.
func (c conditions) and(cond string, args ...any) conditions {
	out := conditions{parts: slices.Clone(c.parts), args: slices.Clone(c.args)}
	out.add(cond, args...)
	return out
}

// clause is " WHERE …", or nothing without conditions.
func (c conditions) clause() string {
	if len(c.parts) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.parts, " AND ")
}

// sessionWhere is the filter's conditions but the search: the list's SQL
// is written out by hand, as GORM's builder was a good part of its cost.
func sessionWhere(f SessionFilter) conditions {
	var c conditions
	if len(f.States) > 0 {
		c.add("state IN ?", f.States)
	}
	if !f.CreatedFrom.IsZero() {
		c.add("created_at >= ?", stamp(f.CreatedFrom))
	}
	if !f.CreatedTo.IsZero() {
		c.add("created_at < ?", stamp(f.CreatedTo))
	}
	switch f.Verdict {
	case "":
	case "none":
		c.add("verdict = ''")
	default:
		c.add("verdict = ?", f.Verdict)
	}
	for _, eq := range []struct{ col, value string }{
		{"work_type_id", f.WorkTypeID}, {"agent_alias", f.AgentAlias}, {"started_by", f.StartedBy}, {"ended_by", f.EndedBy},
	} {
		if eq.value != "" {
			c.add(eq.col+" = ?", CleanText(eq.value))
		}
	}
	if f.Connection != "" {
		c.add("connection_slug = ?", f.Connection)
	}
	if f.Tag != "" {
		c.add("EXISTS (SELECT 1 FROM session_tags t WHERE t.session_id = sessions.id AND t.tag = ?)", CleanText(f.Tag))
	}
	if f.HasFailed {
		c.add("EXISTS (SELECT 1 FROM messages f WHERE f.session_id = sessions.id AND f.status = ?)", MessageFailed)
	}
	if f.After != nil {
		c.add(after(*f.After))
	}
	return c
}

// after is the keyset condition of the sessions older than c in the list.
func after(c SessionCursor) (string, any, any, any) {
	at := stamp(c.CreatedAt)
	return "(created_at < ? OR (created_at = ? AND id < ?))", at, at, c.ID
}

// ListSessionsActiveSince returns sessions with activity at or after since,
// newest first, at most limit of them.
func (s *Store) ListSessionsActiveSince(ctx context.Context, since time.Time, limit int) ([]Session, error) {
	var rows []Session
	err := s.with(ctx).Where("last_activity_at >= ?", stamp(since)).
		Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list sessions active since %s: %w", since, err)
	}
	return rows, nil
}

// sessionColumns are what scanSessions reads, in its order.
const sessionColumns = `id, alvaria_session_id, connection, work_type_id, contact_name, integration, state, state_detail,
	agent_alias, started_by, run_id, message_count, seq, created_at, last_activity_at, ended_at, ended_by,
	verdict, review_notes, reviewed_by, reviewed_at`

// querySessions runs query, which selects sessionColumns, and scans the
// rows by hand: the list is the busiest page, and reflection was most of
// its cost.
func (s *Store) querySessions(ctx context.Context, query string, args ...any) ([]Session, error) {
	return s.querySessionsInto(ctx, make([]Session, 0, 64), query, args...)
}

// querySessionsInto is querySessions appending to out.
func (s *Store) querySessionsInto(ctx context.Context, out []Session, query string, args ...any) ([]Session, error) {
	fields := make([]any, 0, 21) // reused: one slice a row was a tenth of the scan
	err := s.queryPgx(ctx, query, args, func(rows pgx.Rows) error {
		for rows.Next() {
			out = append(out, Session{})
			if err := rows.Scan(sessionFields(fields, &out[len(out)-1])...); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		return out, nil
	}
	if !errors.Is(err, errNoPgx) {
		return nil, err
	}
	rows, err := s.with(ctx).Raw(query, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		// Scanned in place: a row scanned into a local and copied in
		// escaped to the heap, one more allocation of a session a row.
		out = append(out, Session{})
		if err := rows.Scan(sessionFields(fields, &out[len(out)-1])...); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

// sessionFields returns the destinations of sessionColumns in s, in dst's
// room.
func sessionFields(dst []any, s *Session) []any {
	return append(dst[:0], &s.ID, &s.AlvariaSessionID, &s.Connection, &s.WorkTypeID, &s.ContactName, &s.Integration, &s.State, &s.StateDetail,
		&s.AgentAlias, &s.StartedBy, &s.RunID, &s.MessageCount, &s.Seq, &s.CreatedAt, &s.LastActivityAt, &s.EndedAt, &s.EndedBy,
		&s.Verdict, &s.ReviewNotes, &s.ReviewedBy, &s.ReviewedAt)
}

// ListLiveSessionsOn returns the sessions on a connection that are neither
// ended nor failed, oldest first.
func (s *Store) ListLiveSessionsOn(ctx context.Context, connectionSlug string) ([]Session, error) {
	var rows []Session
	err := s.with(ctx).Where("connection_slug = ? AND state IN ?", connectionSlug, []string{SessionPending, SessionActive, SessionConnected}).
		Order("created_at, id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list live sessions on %s: %w", connectionSlug, err)
	}
	return rows, nil
}
