// Package views renders Parley's pages with templ. Components take plain
// values; the same small components render a full page and a live update.
package views

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/conversation"
)

// Relative describes t from now in words ("3 minutes ago"); the exact time
// goes in the element's title.
func Relative(t, now time.Time) string {
	return string(appendRelative(make([]byte, 0, 24), t, now))
}

// appendRelative appends what Relative returns. Every list row shows two,
// so it appends instead of building strings.
func appendRelative(b []byte, t, now time.Time) []byte {
	if t.IsZero() {
		return append(b, "—"...)
	}
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	if d < 45*time.Second {
		if future {
			return append(b, "in a moment"...)
		}
		return append(b, "just now"...)
	}
	if future {
		b = append(b, "in "...)
	}
	switch {
	case d < time.Hour:
		b = appendPlural(b, int(d.Round(time.Minute)/time.Minute), "minute")
	case d < 24*time.Hour:
		b = appendPlural(b, int(d.Round(time.Hour)/time.Hour), "hour")
	default:
		b = appendPlural(b, int(d.Round(24*time.Hour)/(24*time.Hour)), "day")
	}
	if future {
		return b
	}
	return append(b, " ago"...)
}

// appendPlural appends "1 minute" or "3 minutes".
func appendPlural(b []byte, n int, unit string) []byte {
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, ' ')
	b = append(b, unit...)
	if n != 1 {
		b = append(b, 's')
	}
	return b
}

// exactLayout is how Exact writes a time.
const exactLayout = "2006-01-02 15:04:05 UTC"

// Exact formats t for a tooltip and for exports.
func Exact(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(exactLayout)
}

// ISO formats t for a <time datetime> attribute.
func ISO(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// StateClass is the CSS class of a state badge.
func StateClass(state string) string {
	return "badge " + strings.ToLower(state)
}

// Countdown says how long until t ("3h 12m left").
func Countdown(t, now time.Time) string {
	d := t.Sub(now)
	if d <= 0 {
		return "expired"
	}
	h := int(d / time.Hour)
	m := int((d % time.Hour) / time.Minute)
	if h > 0 {
		return fmt.Sprintf("%dh %02dm left", h, m)
	}
	if m > 0 {
		return fmt.Sprintf("%dm left", m)
	}
	return "under a minute left"
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// NextPageURL keeps the list's filters on the link to the next page.
func NextPageURL(q conversation.ListQuery, cursor string) string {
	return "/?" + listValues(q, cursor).Encode()
}

// ExportListURL downloads the sessions the filters select as CSV.
func ExportListURL(q conversation.ListQuery) string {
	return "/sessions.csv?" + listValues(q, "").Encode()
}

// TranscriptsZipURL downloads the transcripts of the sessions the list's
// filters select, as one ZIP.
func TranscriptsZipURL(q conversation.ListQuery) string {
	return "/sessions/transcripts.zip?" + listValues(q, "").Encode()
}

func listValues(q conversation.ListQuery, cursor string) url.Values {
	v := url.Values{}
	failed := ""
	if q.HasFailed {
		failed = "1"
	}
	for k, val := range map[string]string{"q": q.Search, "state": q.State, "verdict": q.Verdict, "from": q.From, "to": q.To, "after": cursor,
		"work_type": q.WorkType, "agent": q.Agent, "started_by": q.StartedBy, "ended_by": q.EndedBy, "failed": failed, "tag": q.Tag, "connection": q.Connection} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return v
}

// VerdictClass styles a QA verdict badge.
func VerdictClass(v string) string {
	switch v {
	case conversation.VerdictPass:
		return "badge ok"
	case conversation.VerdictFail:
		return "badge bad"
	case conversation.VerdictNeedsReview:
		return "badge warn"
	default:
		return "badge quiet"
	}
}

// MessageElementID is the id of a message's element in the transcript.
func MessageElementID(id int64) string { return fmt.Sprintf("msg-%d", id) }

// EventElementID is the id of a callback's element in the timeline.
func EventElementID(id int64) string { return fmt.Sprintf("evt-%d", id) }

// SessionRowID is the id of a session's row in the list.
func SessionRowID(id string) string { return "session-" + id }
