package runs

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"time"

	"github.com/parley-dev/parley/scenario"
)

// LoadReport is a load run's result: every session's timings, and what is
// computed from them.
type LoadReport struct {
	Run      LoadRun
	Sessions []LoadSession
	Metrics  []Percentiles
	Failures []FailureGroup
}

// Percentiles summarise one timing over the sessions that have it.
type Percentiles struct {
	Name                    string
	Step                    int // the expectation's step; 0 for the session-wide timings
	Count                   int
	P50, P90, P95, P99, Max time.Duration
}

// FailureGroup is how many sessions failed or errored at one step for one
// reason.
type FailureGroup struct {
	Step   *int
	Status string
	Reason string
	Count  int
}

// The names of the session-wide timings.
const (
	MetricNewSession  = "Time to NEW_SESSION"
	MetricAgentJoined = "Time to AGENT_JOINED"
	MetricDuration    = "Session duration"
)

// buildReport computes the percentiles and failure groups; sc, when the
// scenario still parses, names each expectation.
func buildReport(lr LoadRun, sessions []LoadSession, sc *scenario.Scenario) LoadReport {
	rep := LoadReport{Run: lr, Sessions: sessions}
	var newSession, agentJoined, duration []time.Duration
	waits := map[int][]time.Duration{}
	for _, s := range sessions {
		if s.NewSession != nil {
			newSession = append(newSession, *s.NewSession)
		}
		if s.AgentJoined != nil {
			agentJoined = append(agentJoined, *s.AgentJoined)
		}
		if s.Status == StatusPassed {
			duration = append(duration, s.Duration())
		}
		for _, w := range s.Waits {
			waits[w.Step] = append(waits[w.Step], w.Wait)
		}
	}
	add := func(name string, step int, ds []time.Duration) {
		if p, ok := PercentilesOf(ds); ok {
			p.Name, p.Step = name, step
			rep.Metrics = append(rep.Metrics, p)
		}
	}
	add(MetricNewSession, 0, newSession)
	add(MetricAgentJoined, 0, agentJoined)
	steps := make([]int, 0, len(waits))
	for n := range waits {
		steps = append(steps, n)
	}
	slices.Sort(steps)
	for _, n := range steps {
		add(stepName(sc, n), n, waits[n])
	}
	add(MetricDuration+" (passed)", 0, duration)
	rep.Failures = groupFailures(sessions)
	return rep
}

// stepName names an expectation's wait by its step.
func stepName(sc *scenario.Scenario, n int) string {
	if sc != nil {
		for _, s := range sc.Steps {
			if s.Number == n {
				return fmt.Sprintf("Step %d: %s", n, s.String())
			}
		}
	}
	return fmt.Sprintf("Step %d", n)
}

// PercentilesOf computes p50, p90, p95, p99 and the maximum of ds exactly,
// by sorting, with the nearest-rank method: the p-th percentile is the
// smallest value at least p% of the values are at or below. It reports
// false for no values.
func PercentilesOf(ds []time.Duration) (Percentiles, bool) {
	if len(ds) == 0 {
		return Percentiles{}, false
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	rank := func(p float64) time.Duration {
		i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
		return sorted[max(i, 0)]
	}
	return Percentiles{Count: len(sorted), P50: rank(50), P90: rank(90), P95: rank(95), P99: rank(99), Max: sorted[len(sorted)-1]}, true
}

// numbers are the parts of a reason that differ from session to session
// (a contact's number, a message id, a wait), so like failures group.
var numbers = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}|\d+(\.\d+)?`)

// groupFailures groups the failed and errored sessions by step and reason,
// most frequent first.
func groupFailures(sessions []LoadSession) []FailureGroup {
	type key struct {
		step           int
		status, reason string
	}
	groups := map[key]*FailureGroup{}
	for _, s := range sessions {
		if s.Status != StatusFailed && s.Status != StatusErrored {
			continue
		}
		k := key{step: -1, status: s.Status, reason: numbers.ReplaceAllString(s.Reason, "#")}
		if s.FailedStep != nil {
			k.step = *s.FailedStep
		}
		g := groups[k]
		if g == nil {
			g = &FailureGroup{Step: s.FailedStep, Status: s.Status, Reason: k.reason}
			groups[k] = g
		}
		g.Count++
	}
	out := make([]FailureGroup, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b FailureGroup) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
	})
	return out
}
