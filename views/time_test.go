package views

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// Time writes what the templ component it replaced wrote: the ISO time,
// the exact time on hover, the relative time, and a dash for no time.
func TestTimeWritesWhatTheTemplateDid(t *testing.T) {
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Time{}, `<span class="muted">—</span>`},
		{now.Add(-3 * time.Minute), `<time datetime="2026-11-25T14:57:00Z" title="2026-11-25 14:57:00 UTC" data-relative>3 minutes ago</time>`},
		{time.Date(2026, 11, 25, 16, 30, 0, 123456000, time.FixedZone("CET", 3600)), `<time datetime="2026-11-25T15:30:00.123456Z" title="2026-11-25 15:30:00 UTC" data-relative>in 30 minutes</time>`},
	} {
		var b bytes.Buffer
		if err := Time(c.at, now).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		if b.String() != c.want {
			t.Errorf("Time(%v) = %s, want %s", c.at, b.String(), c.want)
		}
	}
}

// The hand-written ISO and exact times match time.Format for times across
// the years, at every precision, in any zone.
func TestAppendedTimesMatchFormat(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("CET", 3600), time.FixedZone("X", -9*3600-30*60)}
	start := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	end := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
	step := (end - start) / 5000
	nanos := []int{0, 1, 10, 100_000, 123_456_000, 999_999_999, 500_000_000}
	for i := range 5001 {
		at := time.Unix(start+int64(i)*step, int64(nanos[i%len(nanos)])).In(zones[i%len(zones)])
		u := at.UTC()
		if got, want := string(appendISO(nil, u)), at.UTC().Format(time.RFC3339Nano); got != want {
			t.Fatalf("appendISO(%v) = %s, want %s", at, got, want)
		}
		if got, want := string(appendExact(nil, u)), at.UTC().Format(exactLayout); got != want {
			t.Fatalf("appendExact(%v) = %s, want %s", at, got, want)
		}
	}
	far := time.Date(12000, 5, 6, 7, 8, 9, 10, time.UTC)
	if got, want := string(appendISO(nil, far)), far.Format(time.RFC3339Nano); got != want {
		t.Errorf("appendISO(%v) = %s, want %s", far, got, want)
	}
}

func TestRelative(t *testing.T) {
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "just now"}, {-44 * time.Second, "just now"}, {44 * time.Second, "in a moment"},
		{-45 * time.Second, "1 minute ago"}, {-90 * time.Second, "2 minutes ago"}, {3 * time.Minute, "in 3 minutes"},
		{-59 * time.Minute, "59 minutes ago"}, {-time.Hour, "1 hour ago"}, {5 * time.Hour, "in 5 hours"},
		{-24 * time.Hour, "1 day ago"}, {-36 * time.Hour, "2 days ago"}, {400 * 24 * time.Hour, "in 400 days"},
	} {
		if got := Relative(now.Add(c.d), now); got != c.want {
			t.Errorf("Relative(now%+v) = %q, want %q", c.d, got, c.want)
		}
	}
	if got := Relative(time.Time{}, now); got != "—" {
		t.Errorf("Relative(zero) = %q, want —", got)
	}
}
