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
