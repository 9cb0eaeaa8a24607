package conversation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/internal/slicepool"
	"github.com/parley-dev/parley/store"
)

// ListQuery selects a page of sessions. Dates are whole UTC days like
// 2026-11-24, To inclusive; State is a display state or empty for all.
type ListQuery struct {
	Cursor string // opaque, from SessionList.Next; empty for the first page
	Search string
	State  string
	// Verdict is a Verdict* value, "none" for unreviewed, or empty.
	Verdict string
	From    string
	To      string
	// Exact matches: the work type, the agent, who started and who ended
	// the session; and only sessions with a failed message.
	WorkType, Agent, StartedBy, EndedBy, Tag string
	HasFailed                                bool
	// Connection is a connection's slug, or empty for any.
	Connection string
	Limit      int
}

// Filtered reports whether any filter is set.
func (q ListQuery) Filtered() bool {
	return q.Search != "" || q.State != "" || q.Verdict != "" || q.From != "" || q.To != "" || q.Connection != "" ||
		q.WorkType != "" || q.Agent != "" || q.StartedBy != "" || q.EndedBy != "" || q.Tag != "" || q.HasFailed
}

// SessionList is one page of sessions, newest first.
type SessionList struct {
	Sessions []Session
	Next     string // cursor of the next page; empty on the last
	Now      time.Time
}

// States lists the display states in the order a filter offers them.
var States = []string{StatePending, StateActive, StateConnected, StateEnded, StateFailed, StateExpired}

// ErrBadCursor means the page cursor in a link was tampered with or truncated.
var ErrBadCursor = errors.New("the page link is not valid; start again from the first page")

// ListSessions returns a page of sessions matching q.
func (svc *Service) ListSessions(ctx context.Context, q ListQuery) (SessionList, error) {
	now := svc.now()
	f, err := svc.filter(q, now)
	if err != nil {
		return SessionList{}, err
	}
	page, err := svc.store.ListSessions(ctx, f)
	if err != nil {
		return SessionList{}, fmt.Errorf("list sessions: %w", err)
	}
	out := SessionList{Sessions: listRows.Get(len(page.Sessions)), Now: now}
	for i := range page.Sessions {
		out.Sessions = append(out.Sessions, svc.present(page.Sessions[i]))
	}
	store.ReleaseSessions(page.Sessions)
	if page.Next != nil {
		out.Next = page.Next.String()
	}
	return out, nil
}

// listRows holds the sessions of list pages for the next list; a page has
// at most 200 and one more.
var listRows = slicepool.New[Session](201)

// Release gives the list's sessions back for the next list to reuse, once
// the page is rendered; the list must not be used afterwards. Releasing is
// optional.
func (l *SessionList) Release() {
	listRows.Put(l.Sessions)
	l.Sessions = nil
}

// MaxSearchChars bounds what the sessions list searches for.
const MaxSearchChars = 200

// filter turns display filters into store filters. Expired is derived from
// the creation time, so the live states are split by it.
func (svc *Service) filter(q ListQuery, now time.Time) (store.SessionFilter, error) {
	f := store.SessionFilter{Limit: q.Limit, Search: strings.TrimSpace(q.Search), Verdict: q.Verdict, Connection: strings.TrimSpace(q.Connection)}
	if len(f.Connection) > 100 {
		return f, input.Invalid("connection", "is not a connection")
	}
	// A search is a word or a name; a longer one costs the trigram indexes
	// work in proportion to its length, and the address bar allows 64 KiB.
	if n := utf8.RuneCountInString(f.Search); n > MaxSearchChars {
		return f, input.Invalid("search", fmt.Sprintf("the search is %d characters long; search for at most %d", n, MaxSearchChars))
	}
	for _, eq := range []struct {
		field, label, value string
		into                *string
	}{
		{"workType", "Work type", q.WorkType, &f.WorkTypeID}, {"agent", "Agent", q.Agent, &f.AgentAlias},
		{"startedBy", "Started by", q.StartedBy, &f.StartedBy}, {"endedBy", "Ended by", q.EndedBy, &f.EndedBy},
		{"tag", "Tag", q.Tag, &f.Tag},
	} {
		*eq.into = strings.TrimSpace(eq.value)
		if n := utf8.RuneCountInString(*eq.into); n > MaxSearchChars {
			return f, input.Invalid(eq.field, fmt.Sprintf("%s is %d characters long; at most %d", eq.label, n, MaxSearchChars))
		}
	}
	f.HasFailed = q.HasFailed
	if q.Verdict != "" && q.Verdict != "none" && !slices.Contains(Verdicts, q.Verdict) {
		return f, input.Invalid("verdict", fmt.Sprintf("there is no verdict %q", q.Verdict))
	}
	if q.Cursor != "" {
		c, err := store.ParseSessionCursor(q.Cursor)
		if err != nil {
			return f, ErrBadCursor
		}
		f.After = c
	}
	var err error
	if f.CreatedFrom, err = input.Day("from", q.From); err != nil {
		return f, err
	}
	if f.CreatedTo, err = input.Day("to", q.To); err != nil {
		return f, err
	}
	if !f.CreatedTo.IsZero() {
		f.CreatedTo = f.CreatedTo.Add(24 * time.Hour) // inclusive day
	}
	born := now.Add(-MaxLife) // sessions created before this are expired unless over
	switch q.State {
	case "":
	case StateEnded:
		f.States = []string{store.SessionEnded}
	case StateFailed:
		f.States = []string{store.SessionFailed}
	case StateExpired:
		f.States = []string{store.SessionPending, store.SessionActive, store.SessionConnected}
		f.CreatedTo = earliest(f.CreatedTo, born.Add(time.Microsecond))
	case StatePending, StateActive, StateConnected:
		f.States = []string{strings.ToLower(q.State)}
		f.CreatedFrom = latest(f.CreatedFrom, born.Add(time.Microsecond))
	default:
		return f, input.Invalid("state", fmt.Sprintf("there is no session state %q", q.State))
	}
	return f, nil
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if a.IsZero() || b.After(a) {
		return b
	}
	return a
}

// ChangedSessions are list rows to refresh.
type ChangedSessions struct {
	Sessions []Session // newest first, like the list
	Now      time.Time
}

// maxChangedRows bounds one refresh of the list after a long drop.
const maxChangedRows = 50

// SessionsChanged returns the sessions named by ids, or, when ids is nil,
// those active since the given time.
func (svc *Service) SessionsChanged(ctx context.Context, since time.Time, ids []string) (ChangedSessions, error) {
	out := ChangedSessions{Now: svc.now()}
	var rows []store.Session
	var err error
	if ids == nil {
		rows, err = svc.store.ListSessionsActiveSince(ctx, since, maxChangedRows)
	} else {
		rows, err = svc.store.ListSessionsByID(ctx, ids)
	}
	if err != nil {
		return out, err
	}
	for _, s := range rows {
		out.Sessions = append(out.Sessions, svc.present(s))
	}
	return out, nil
}
