package views

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"time"

	"github.com/parley-dev/parley/runs"
)

// loadHistogramBins is how many bars a load run's histogram has.
const loadHistogramBins = 24

// LoadLatency picks the timing a load run's histogram and timeline draw:
// the time to AGENT_JOINED, which is what a contact center's customer
// waits for, or the time to NEW_SESSION when no agent joined.
func LoadLatency(rep runs.LoadReport) (name string, of func(runs.LoadSession) *time.Duration) {
	for _, m := range rep.Metrics {
		if m.Name == runs.MetricAgentJoined {
			return m.Name, func(s runs.LoadSession) *time.Duration { return s.AgentJoined }
		}
	}
	return runs.MetricNewSession, func(s runs.LoadSession) *time.Duration { return s.NewSession }
}

// LoadHistogram draws how many sessions had each latency, in equal bins
// from zero to the slowest, as an SVG; "" when no session has one.
func LoadHistogram(rep runs.LoadReport) string {
	name, of := LoadLatency(rep)
	var ds []time.Duration
	for _, s := range rep.Sessions {
		if d := of(s); d != nil {
			ds = append(ds, *d)
		}
	}
	if len(ds) == 0 {
		return ""
	}
	longest := max(slices.Max(ds), time.Millisecond)
	bins := make([]int, loadHistogramBins)
	for _, d := range ds {
		i := min(int(float64(d)/float64(longest)*loadHistogramBins), loadHistogramBins-1)
		bins[i]++
	}
	tallest := slices.Max(bins)
	plotW := float64(chartW - chartLeft - 16)
	plotH := float64(chartH - chartTop - chartBottom)
	base := float64(chartTop) + plotH
	slot := plotW / loadHistogramBins

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="run-chart load-chart" viewBox="0 0 %d %d" role="img" aria-labelledby="load-histogram-title" xmlns="http://www.w3.org/2000/svg">`, chartW, chartH)
	fmt.Fprintf(&b, `<title id="load-histogram-title">%s of %d sessions: how many took how long</title>`, html.EscapeString(name), len(ds))
	for _, f := range []float64{0, 0.5, 1} {
		y := base - f*plotH
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, chartLeft, y, chartW-16, y)
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%.1f" text-anchor="end">%d</text>`, chartLeft-6, y+4, int(f*float64(tallest)+0.5))
	}
	for i, f := range []float64{0, 0.5, 1} {
		x := float64(chartLeft) + f*plotW
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%d" text-anchor="%s">%s</text>`, x, chartH-6, axisAnchors[i], html.EscapeString(axisDuration(time.Duration(f*float64(longest)))))
	}
	for i, n := range bins {
		if n == 0 {
			continue
		}
		h := max(float64(n)/float64(tallest)*plotH, 2)
		from, to := time.Duration(float64(longest)*float64(i)/loadHistogramBins), time.Duration(float64(longest)*float64(i+1)/loadHistogramBins)
		fmt.Fprintf(&b, `<rect class="bar latency" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="2"><title>%d %s from %s to %s</title></rect>`,
			float64(chartLeft)+float64(i)*slot+1, base-h, slot-2, h, n, pluralWord(n, "session"), DurationText(from), DurationText(to))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// axisAnchors keep a time axis's first and last labels inside the chart.
var axisAnchors = []string{"start", "middle", "end"}

// loadTimelineSteps is how many points the in-flight line has.
const loadTimelineSteps = 120

// LoadTimeline draws the load run over time as an SVG: the sessions in
// flight as a line (left axis), and each session's latency as a dot at
// the moment it started (right axis); "" before any session started.
func LoadTimeline(rep runs.LoadReport, now time.Time) string {
	name, of := LoadLatency(rep)
	var started []runs.LoadSession
	for _, s := range rep.Sessions {
		if s.StartedAt != nil {
			started = append(started, s)
		}
	}
	if len(started) == 0 {
		return ""
	}
	t0 := rep.Run.CreatedAt
	span := max(rep.Run.Elapsed(now), time.Second)
	slowest := time.Millisecond
	for _, s := range started {
		if d := of(s); d != nil {
			slowest = max(slowest, *d)
		}
	}
	inFlight := make([]int, loadTimelineSteps+1)
	for _, s := range started {
		end := now
		if s.FinishedAt != nil {
			end = *s.FinishedAt
		}
		for i := range inFlight {
			at := t0.Add(span * time.Duration(i) / loadTimelineSteps)
			if !at.Before(*s.StartedAt) && at.Before(end) {
				inFlight[i]++
			}
		}
	}
	most := max(slices.Max(inFlight), 1)
	plotW := float64(chartW - chartLeft - chartRight)
	plotH := float64(chartH - chartTop - chartBottom)
	base := float64(chartTop) + plotH
	xOf := func(t time.Time) float64 { return float64(chartLeft) + float64(t.Sub(t0))/float64(span)*plotW }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="run-chart load-chart" viewBox="0 0 %d %d" role="img" aria-labelledby="load-timeline-title" xmlns="http://www.w3.org/2000/svg">`, chartW, chartH)
	fmt.Fprintf(&b, `<title id="load-timeline-title">Sessions in flight, and %s by start time, over %s</title>`, html.EscapeString(name), DurationText(span))
	for _, f := range []float64{0, 0.5, 1} {
		y := base - f*plotH
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, chartLeft, y, chartW-chartRight, y)
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%.1f" text-anchor="end">%d</text>`, chartLeft-6, y+4, int(f*float64(most)+0.5))
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%.1f">%s</text>`, chartW-chartRight+6, y+4, html.EscapeString(axisDuration(time.Duration(f*float64(slowest)))))
	}
	for i, f := range []float64{0, 0.5, 1} {
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%d" text-anchor="%s">%s</text>`, float64(chartLeft)+f*plotW, chartH-6, axisAnchors[i], html.EscapeString(axisDuration(time.Duration(f*float64(span)))))
	}
	for _, s := range started {
		d := of(s)
		if d == nil {
			continue
		}
		fmt.Fprintf(&b, `<circle class="latency-dot %s" cx="%.1f" cy="%.1f" r="2.5"><title>Session %d: %s</title></circle>`,
			s.Status, xOf(*s.StartedAt), base-float64(*d)/float64(slowest)*plotH, s.Number, DurationText(*d))
	}
	points := make([]string, len(inFlight))
	for i, n := range inFlight {
		points[i] = fmt.Sprintf("%.1f,%.1f", float64(chartLeft)+float64(i)/loadTimelineSteps*plotW, base-float64(n)/float64(most)*plotH)
	}
	fmt.Fprintf(&b, `<polyline class="in-flight" points="%s"/>`, strings.Join(points, " "))
	b.WriteString(`</svg>`)
	return b.String()
}
