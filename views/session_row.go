package views

import (
	"context"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/a-h/templ"

	"github.com/parley-dev/parley/conversation"
)

// SessionRow is one session's row of the sessions list; the live channel
// sends it alone when the session changes.
//
// The rows are written in Go rather than templ: the list shows 50, and
// templ's escaping, string building and calls per value were a quarter of
// the page's cost. TestSessionRowMatchesGolden holds the markup to what the
// templ component wrote.
func SessionRow(s conversation.Session, now time.Time) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		return writeRows(w, func(b []byte) []byte { return appendSessionRow(b, &s, now) })
	})
}

// sessionRows writes the rows of a page of sessions in one write.
func sessionRows(list []conversation.Session, now time.Time) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		return writeRows(w, func(b []byte) []byte {
			for i := range list {
				b = appendSessionRow(b, &list[i], now)
			}
			return b
		})
	})
}

// rowBuffers are reused across requests: a page of rows is about 40 KB.
var rowBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledRows keeps a rare huge page's buffer from staying in the pool.
const maxPooledRows = 256 << 10

func writeRows(w io.Writer, appendRows func([]byte) []byte) error {
	p := rowBuffers.Get().(*[]byte)
	b := appendRows((*p)[:0])
	_, err := w.Write(b)
	if cap(b) <= maxPooledRows {
		*p = b
		rowBuffers.Put(p)
	}
	return err
}

// appendSessionRow appends one row. Every value from the session is
// escaped; the rest is constant markup.
func appendSessionRow(b []byte, s *conversation.Session, now time.Time) []byte {
	b = append(b, `<tr id="session-`...)
	b = appendEscaped(b, s.ID)
	b = append(b, `"><td data-label="Contact"><a href="/sessions/`...)
	b = appendEscaped(b, s.ID)
	b = append(b, `">`...)
	b = appendEscaped(b, s.ContactName)
	b = append(b, `</a></td><td data-label="Work type" class="mono">`...)
	b = appendEscaped(b, s.WorkTypeID)
	b = append(b, `</td><td data-label="State"><span class="badge `...)
	b = appendLowerEscaped(b, s.Status)
	b = append(b, `">`...)
	b = appendEscaped(b, s.Status)
	b = append(b, `</span></td><td data-label="Agent">`...)
	b = appendOrDash(b, s.AgentAlias)
	b = append(b, `</td><td data-label="Connection" class="hide-narrow">`...)
	b = appendEscaped(b, s.Connection)
	b = append(b, `</td><td data-label="Started">`...)
	b = appendTime(b, s.CreatedAt, now)
	b = append(b, `</td><td data-label="Last activity">`...)
	b = appendTime(b, s.LastActivityAt, now)
	b = append(b, `</td><td data-label="Messages" class="num">`...)
	b = strconv.AppendInt(b, int64(s.MessageCount), 10)
	b = append(b, `</td><td data-label="Started by" class="hide-narrow">`...)
	b = appendOrDash(b, s.StartedBy)
	b = append(b, `</td><td data-label="Review"><span class="`...)
	b = append(b, VerdictClass(s.Verdict)...)
	b = append(b, `">`...)
	b = appendEscaped(b, conversation.VerdictLabel(s.Verdict))
	return append(b, `</span></td></tr>`...)
}

// appendOrDash appends v escaped, or a muted dash when it is empty.
func appendOrDash(b []byte, v string) []byte {
	if v == "" {
		return append(b, `<span class="muted">—</span>`...)
	}
	return appendEscaped(b, v)
}

// appendEscaped appends s escaped as html.EscapeString (and so templ)
// escapes it, without building a string.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '\'':
			esc = "&#39;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&#34;"
		default:
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
		start = i + 1
	}
	return append(b, s[start:]...)
}

// appendLowerEscaped appends s in ASCII lower case, escaped: the state's
// CSS class, as StateClass makes it.
func appendLowerEscaped(b []byte, s string) []byte {
	n := len(b)
	b = appendEscaped(b, s)
	for i := n; i < len(b); i++ {
		if c := b[i]; 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}
