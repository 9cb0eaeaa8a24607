package views

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/parley-dev/parley/runs"
)

// Sparkline geometry, in the SVG's own units; it scales to its box.
const (
	sparkW, sparkH = 168, 32
	sparkPad       = 2
)

// PassSparkline draws a window's pass rate per bucket as small bars, oldest
// on the left: full green when every run passed, red in proportion to the
// failures, a dot on the base line for a bucket with no run. Each bar has
// a title, so the numbers are there on hover and for screen readers.
func PassSparkline(w runs.Window, label string) string {
	n := len(w.Buckets)
	if n == 0 {
		return ""
	}
	slot := float64(sparkW) / float64(n)
	barW := max(slot-1.5, 1)
	plotH := float64(sparkH - 2*sparkPad)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %d %d" preserveAspectRatio="none" role="img" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`, sparkW, sparkH, html.EscapeString(label))
	for i, k := range w.Buckets {
		x := float64(i) * slot
		tip := bucketTitle(k, w.Span/time.Duration(n))
		if k.Runs == 0 {
			fmt.Fprintf(&b, `<rect class="none" x="%.1f" y="%.1f" width="%.1f" height="2"><title>%s</title></rect>`, x, float64(sparkH-sparkPad-2), barW, tip)
			continue
		}
		rate := float64(k.Passed) / float64(k.Runs)
		h := plotH
		passH := rate * h
		// Failures on top in red, passes below in green: a glance finds
		// the red.
		if passH > 0 {
			fmt.Fprintf(&b, `<rect class="pass" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s</title></rect>`, x, float64(sparkPad)+h-passH, barW, passH, tip)
		}
		if passH < h {
			fmt.Fprintf(&b, `<rect class="fail" x="%.1f" y="%d" width="%.1f" height="%.1f"><title>%s</title></rect>`, x, sparkPad, barW, h-passH, tip)
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// P95Sparkline draws a window's p95 duration per bucket as a line over the
// buckets that had runs, scaled to the window's slowest.
func P95Sparkline(w runs.Window, label string) string {
	n := len(w.Buckets)
	var longest time.Duration
	for _, k := range w.Buckets {
		longest = max(longest, k.P95)
	}
	if n == 0 || longest == 0 {
		return ""
	}
	slot := float64(sparkW) / float64(n)
	plotH := float64(sparkH - 2*sparkPad)
	var points []string
	var dots strings.Builder
	for i, k := range w.Buckets {
		if k.Runs == 0 || k.P95 == 0 {
			continue
		}
		x := float64(i)*slot + slot/2
		y := float64(sparkPad) + plotH - float64(k.P95)/float64(longest)*plotH
		points = append(points, fmt.Sprintf("%.1f,%.1f", x, y))
		fmt.Fprintf(&dots, `<circle cx="%.1f" cy="%.1f" r="1.6"><title>%s</title></circle>`, x, y, bucketTitle(k, w.Span/time.Duration(n)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %d %d" preserveAspectRatio="none" role="img" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`, sparkW, sparkH, html.EscapeString(label))
	fmt.Fprintf(&b, `<line class="base" x1="0" y1="%d" x2="%d" y2="%d"/>`, sparkH-sparkPad, sparkW, sparkH-sparkPad)
	if len(points) > 1 {
		fmt.Fprintf(&b, `<polyline class="p95" points="%s"/>`, strings.Join(points, " "))
	}
	b.WriteString(dots.String())
	b.WriteString(`</svg>`)
	return b.String()
}

// bucketTitle says what one bucket holds, for its hover title.
func bucketTitle(k runs.Bucket, width time.Duration) string {
	from := k.Start.UTC().Format("Jan 2 15:04")
	to := k.Start.Add(width).UTC().Format("15:04 MST")
	if k.Runs == 0 {
		return html.EscapeString(fmt.Sprintf("%s–%s: no runs", from, to))
	}
	return html.EscapeString(fmt.Sprintf("%s–%s: %d of %d passed, p95 %s", from, to, k.Passed, k.Runs, DurationText(k.P95)))
}
