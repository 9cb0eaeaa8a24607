package views

import (
	"context"
	"io"
	"time"

	"github.com/a-h/templ"
)

// Time shows t relative to now with the exact time on hover. It is written
// in Go rather than templ because every row of the sessions list shows two:
// formatting each into strings, escaping them and copying them through
// templ's writer was a sixth of the list's cost. Nothing it writes needs
// escaping (digits, ASCII letters, spaces and "-:.").
func Time(t, now time.Time) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := w.Write(appendTime(make([]byte, 0, 160), t, now))
		return err
	})
}

// appendTime appends what Time writes.
func appendTime(b []byte, t, now time.Time) []byte {
	if t.IsZero() {
		return append(b, `<span class="muted">—</span>`...)
	}
	u := t.UTC()
	b = append(b, `<time datetime="`...)
	b = u.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `" title="`...)
	b = u.AppendFormat(b, exactLayout)
	b = append(b, `" data-relative>`...)
	b = append(b, Relative(t, now)...)
	return append(b, `</time>`...)
}
