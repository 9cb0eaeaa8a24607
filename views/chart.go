package views

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"time"

	"github.com/parley-dev/parley/runs"
)

// Chart geometry, in the SVG's own units; it scales to its container.
const (
	chartW, chartH   = 720, 220
	chartLeft        = 52 // room for the duration axis
	chartRight       = 54 // room for the pass-rate axis
	chartTop         = 14
	chartBottom      = 24
	chartMaxRuns     = 40 // the most recent runs drawn
	PassRateWindow   = 10 // the pass-rate line is over this many runs
	chartMinBarWidth = 3
	chartMaxBarWidth = 28 // a few runs are bars, not blocks
)

// RunChart draws a test's finished runs as an SVG, oldest on the left: a
// bar per run as tall as it took, coloured by its result, and a line of the
// pass rate over the last PassRateWindow runs at each. rs is newest first,
// as runs.Service.ListRuns gives it; "" when no run has finished.
func RunChart(rs []runs.Run) string {
	var done []runs.Run
	for _, r := range rs {
		if r.Finished() && len(done) < chartMaxRuns {
			done = append(done, r)
		}
	}
	if len(done) == 0 {
		return ""
	}
	slices.Reverse(done)
	longest := time.Second
	for _, r := range done {
		longest = max(longest, r.Duration(time.Time{}))
	}
	plotW := float64(chartW - chartLeft - chartRight)
	plotH := float64(chartH - chartTop - chartBottom)
	slot := plotW / float64(len(done))
	barW := min(max(slot*0.7, chartMinBarWidth), chartMaxBarWidth)
	base := float64(chartTop) + plotH

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="run-chart" viewBox="0 0 %d %d" role="img" aria-labelledby="run-chart-title" xmlns="http://www.w3.org/2000/svg">`, chartW, chartH)
	fmt.Fprintf(&b, `<title id="run-chart-title">Duration and pass rate of the last %d runs</title>`, len(done))
	// Grid and axes: duration on the left, pass rate on the right.
	for _, f := range []float64{0, 0.5, 1} {
		y := base - f*plotH
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, chartLeft, y, chartW-chartRight, y)
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%.1f" text-anchor="end">%s</text>`, chartLeft-6, y+4, html.EscapeString(axisDuration(time.Duration(f*float64(longest)))))
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%.1f">%d%%</text>`, chartW-chartRight+6, y+4, int(f*100))
	}
	points := make([]string, len(done))
	dots := make([]string, len(done))
	for i, r := range done {
		d := r.Duration(time.Time{})
		h := max(float64(d)/float64(longest)*plotH, 2)
		x := float64(chartLeft) + float64(i)*slot + (slot-barW)/2
		fmt.Fprintf(&b, `<rect class="bar %s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="2"><title>Run #%d: %s in %s</title></rect>`,
			r.Status, x, base-h, barW, h, r.ID, r.Status, html.EscapeString(DurationText(d)))
		rate := passRate(done[max(0, i+1-PassRateWindow) : i+1])
		cx, cy := x+barW/2, base-rate*plotH
		points[i] = fmt.Sprintf("%.1f,%.1f", cx, cy)
		dots[i] = fmt.Sprintf(`<circle class="pass-rate-dot" cx="%.1f" cy="%.1f" r="3"><title>Pass rate at run #%d: %d%%</title></circle>`, cx, cy, r.ID, int(rate*100+0.5))
	}
	fmt.Fprintf(&b, `<polyline class="pass-rate" points="%s"/>`, strings.Join(points, " "))
	b.WriteString(strings.Join(dots, ""))
	b.WriteString(`</svg>`)
	return b.String()
}

// passRate is the passed share of rs.
func passRate(rs []runs.Run) float64 {
	passed := 0
	for _, r := range rs {
		if r.Status == runs.StatusPassed {
			passed++
		}
	}
	return float64(passed) / float64(len(rs))
}

// DurationText says how long something took, to a tenth of a second under
// a minute ("4.2s", "1m 05s").
func DurationText(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
}

func axisDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	return DurationText(d)
}
