package connections

import (
	"errors"
	"sort"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/parley-dev/parley/conversation"
)

// Bounds of what the diagnostics remember per connection: a flood of
// forged callbacks rotates them, it does not grow them.
const (
	recentCallbacks = 50
	hoursKept       = 24
	maxDetailChars  = 300
)

// Callback outcomes as the diagnostics show them.
const (
	OutcomeAccepted = "accepted"
	OutcomeRejected = "rejected"
	OutcomeFailed   = "failed" // verified, but not stored: Alvaria retries
)

// Receipt is one callback as the diagnostics list it.
type Receipt struct {
	At      time.Time
	Outcome string
	Reason  string // why it was rejected or failed; for an accepted one, "unparseable" when its body was kept raw
	Detail  string
	Event   string // NEW_SESSION, MESSAGE…; "unverified" when rejected before
}

// HourCount counts one hour's callbacks.
type HourCount struct {
	Hour                       time.Time
	Accepted, Rejected, Failed int
}

// Diagnostics are a connection's recent callbacks, as this instance saw
// them since it started.
type Diagnostics struct {
	Since        time.Time
	Recent       []Receipt // newest first
	Hours        []HourCount
	LastAccepted time.Time // zero when none
}

type diagnostics struct {
	now     func() time.Time
	started time.Time
	mu      sync.Mutex
	by      map[string]*connDiag
}

type connDiag struct {
	recent       []Receipt // a ring, next at pos
	pos          int
	hours        map[int64]*HourCount
	lastAccepted time.Time
}

func newDiagnostics(now func() time.Time) *diagnostics {
	return &diagnostics{now: now, started: now(), by: map[string]*connDiag{}}
}

func (d *diagnostics) note(slug string, r Receipt) {
	if utf8.RuneCountInString(r.Detail) > maxDetailChars {
		r.Detail = string([]rune(r.Detail)[:maxDetailChars]) + "…"
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.by[slug]
	if c == nil {
		c = &connDiag{hours: map[int64]*HourCount{}}
		d.by[slug] = c
	}
	if len(c.recent) < recentCallbacks {
		c.recent = append(c.recent, r)
	} else {
		c.recent[c.pos] = r
	}
	c.pos = (c.pos + 1) % recentCallbacks
	hour := r.At.UTC().Truncate(time.Hour)
	h := c.hours[hour.Unix()]
	if h == nil {
		h = &HourCount{Hour: hour}
		c.hours[hour.Unix()] = h
		for k, v := range c.hours {
			if hour.Sub(v.Hour) >= hoursKept*time.Hour {
				delete(c.hours, k)
			}
		}
	}
	switch r.Outcome {
	case OutcomeAccepted:
		h.Accepted++
		if r.At.After(c.lastAccepted) {
			c.lastAccepted = r.At
		}
	case OutcomeRejected:
		h.Rejected++
	default:
		h.Failed++
	}
}

func (d *diagnostics) get(slug string) Diagnostics {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := Diagnostics{Since: d.started}
	c := d.by[slug]
	if c == nil {
		return out
	}
	n := len(c.recent)
	for i := 1; i <= n; i++ {
		out.Recent = append(out.Recent, c.recent[((c.pos-i)%n+n)%n])
	}
	cutoff := d.now().UTC().Truncate(time.Hour).Add(-(hoursKept - 1) * time.Hour)
	for _, h := range c.hours {
		if !h.Hour.Before(cutoff) {
			out.Hours = append(out.Hours, *h)
		}
	}
	sort.Slice(out.Hours, func(i, j int) bool { return out.Hours[i].Hour.After(out.Hours[j].Hour) })
	out.LastAccepted = c.lastAccepted
	return out
}

// NoteCallback records how a callback to the path of connection slug ("" for
// the old path) ended: outcome is OutcomeAccepted, OutcomeRejected or
// OutcomeFailed, event its kind, and err why it was not accepted.
func (svc *Service) NoteCallback(slug, outcome, event string, err error) {
	if slug == "" {
		slug = svc.defaultSlug()
	}
	r := Receipt{At: svc.now(), Outcome: outcome, Event: event}
	var rej *Rejection
	switch {
	case errors.As(err, &rej):
		r.Reason, r.Detail = rej.Reason, rej.Err.Error()
		if rej.Owner != "" {
			slug = rej.Owner
		}
	case err != nil && outcome == OutcomeFailed:
		r.Reason, r.Detail = "not stored", "Parley could not store it; Alvaria retries"
	case errors.Is(err, conversation.ErrTokenForOtherEvent):
		r.Reason, r.Detail = ReasonBadSignature, "the token was signed for another event than the body carries"
	case err != nil:
		r.Reason, r.Detail = ReasonUnparseable, err.Error()
	case event == "unreadable":
		r.Reason, r.Detail = ReasonUnparseable, "its body is not a callback Parley can read; it was kept as received"
	}
	if _, ok := svc.lookup(slug); !ok {
		return // a path no connection has: nothing to show it on
	}
	svc.diag.note(slug, r)
}

// Diagnostics returns a connection's recent callbacks.
func (svc *Service) Diagnostics(slug string) (Diagnostics, error) {
	if _, ok := svc.lookup(slug); !ok {
		return Diagnostics{}, ErrNotFound
	}
	return svc.diag.get(slug), nil
}
