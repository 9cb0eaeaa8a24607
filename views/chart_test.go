package views_test

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/views"
)

// finished is a run that took d and ended with status.
func finished(id int64, status string, d time.Duration) runs.Run {
	start := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC).Add(time.Duration(id) * time.Minute)
	end := start.Add(d)
	return runs.Run{ID: id, Status: status, StartedAt: &start, FinishedAt: &end}
}

type svgDoc struct {
	Rects []struct {
		Class  string  `xml:"class,attr"`
		Height float64 `xml:"height,attr"`
		X      float64 `xml:"x,attr"`
		Title  string  `xml:"title"`
	} `xml:"rect"`
	Line struct {
		Points string `xml:"points,attr"`
	} `xml:"polyline"`
	Dots []struct {
		Title string `xml:"title"`
	} `xml:"circle"`
}

func TestRunChart(t *testing.T) {
	// Newest first, as the service lists them; one still running.
	running := runs.Run{ID: 5, Status: runs.StatusRunning}
	rs := []runs.Run{running, finished(4, runs.StatusErrored, time.Second), finished(3, runs.StatusPassed, 4*time.Second),
		finished(2, runs.StatusFailed, 8*time.Second), finished(1, runs.StatusPassed, 2*time.Second)}
	svg := views.RunChart(rs)
	var doc svgDoc
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatalf("the chart is not well-formed SVG: %v\n%s", err, svg)
	}
	if len(doc.Rects) != 4 {
		t.Fatalf("%d bars, want one per finished run (4)", len(doc.Rects))
	}
	// Oldest on the left, coloured by result, as tall as they took.
	wantClass := []string{"bar passed", "bar failed", "bar passed", "bar errored"}
	for i, r := range doc.Rects {
		if r.Class != wantClass[i] {
			t.Errorf("bar %d is %q, want %q", i, r.Class, wantClass[i])
		}
		if i > 0 && r.X <= doc.Rects[i-1].X {
			t.Errorf("bar %d is not right of bar %d", i, i-1)
		}
	}
	if !(doc.Rects[1].Height > doc.Rects[2].Height && doc.Rects[2].Height > doc.Rects[0].Height && doc.Rects[0].Height > doc.Rects[3].Height) {
		t.Errorf("bar heights do not follow durations 2s, 8s, 4s, 1s: %+v", doc.Rects)
	}
	if doc.Rects[1].Title != "Run #2: failed in 8.0s" {
		t.Errorf("bar title = %q", doc.Rects[1].Title)
	}
	// The pass rate so far at each run: 100%, 50%, 67%, 50%.
	if n := len(strings.Fields(doc.Line.Points)); n != 4 {
		t.Errorf("pass-rate line has %d points, want 4", n)
	}
	for i, want := range []string{"100%", "50%", "67%", "50%"} {
		if !strings.HasSuffix(doc.Dots[i].Title, ": "+want) {
			t.Errorf("pass rate at point %d = %q, want %s", i, doc.Dots[i].Title, want)
		}
	}
}

func TestRunChartPassRateIsOverTheLastRuns(t *testing.T) {
	var rs []runs.Run
	// 12 failures, then 10 passes: newest first.
	for id := int64(22); id >= 1; id-- {
		status := runs.StatusPassed
		if id <= 12 {
			status = runs.StatusFailed
		}
		rs = append(rs, finished(id, status, time.Second))
	}
	var doc svgDoc
	if err := xml.Unmarshal([]byte(views.RunChart(rs)), &doc); err != nil {
		t.Fatal(err)
	}
	last := doc.Dots[len(doc.Dots)-1].Title
	if !strings.HasSuffix(last, ": 100%") {
		t.Errorf("the last point = %q: after %d passes in a row the window holds only passes", last, views.PassRateWindow)
	}
}

func TestRunChartEmptyUntilARunFinishes(t *testing.T) {
	if svg := views.RunChart([]runs.Run{{ID: 1, Status: runs.StatusQueued}}); svg != "" {
		t.Errorf("chart of no finished run = %q, want none", svg)
	}
}

func TestDurationText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		250 * time.Millisecond: "250ms", 4200 * time.Millisecond: "4.2s", 65 * time.Second: "1m 05s",
	} {
		if got := views.DurationText(d); got != want {
			t.Errorf("DurationText(%v) = %q, want %q", d, got, want)
		}
	}
}
