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
	b = appendISO(b, u)
	b = append(b, `" title="`...)
	b = appendExact(b, u)
	b = append(b, `" data-relative>`...)
	b = appendRelative(b, t, now)
	return append(b, `</time>`...)
}

// appendISO appends u, a UTC time, as ISO writes it (RFC 3339 with the
// fraction's trailing zeros dropped). The list writes two a row; written
// digit by digit it costs a fifth of time.AppendFormat.
func appendISO(b []byte, u time.Time) []byte {
	year, month, day := u.Date()
	if year < 0 || year > 9999 {
		return u.AppendFormat(b, time.RFC3339Nano)
	}
	b = appendDate(b, year, month, day, 'T')
	b = appendClock(b, u)
	if ns := u.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, 'Z')
}

// appendExact appends u, a UTC time, as Exact writes it.
func appendExact(b []byte, u time.Time) []byte {
	year, month, day := u.Date()
	if year < 0 || year > 9999 {
		return u.AppendFormat(b, exactLayout)
	}
	b = appendDate(b, year, month, day, ' ')
	b = appendClock(b, u)
	return append(b, " UTC"...)
}

// appendDate appends "2006-01-02" and sep; year is 0 to 9999.
func appendDate(b []byte, year int, month time.Month, day int, sep byte) []byte {
	return append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+month/10), byte('0'+month%10), '-', byte('0'+day/10), byte('0'+day%10), sep)
}

// appendClock appends "15:04:05".
func appendClock(b []byte, u time.Time) []byte {
	h, m, s := u.Clock()
	return append(b, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':', byte('0'+s/10), byte('0'+s%10))
}
