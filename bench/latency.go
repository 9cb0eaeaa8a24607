package bench

import (
	"fmt"
	"slices"
	"time"
)

// Latencies summarises request times by exact sorting, so percentiles are
// the observed values and not a histogram's estimate.
type Latencies struct {
	P50, P95, P99, Max time.Duration
	N                  int
}

// Summarize sorts a copy of ds and reads its percentiles.
func Summarize(ds []time.Duration) Latencies {
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	l := Latencies{N: len(sorted)}
	if len(sorted) == 0 {
		return l
	}
	l.P50 = Percentile(sorted, 50)
	l.P95 = Percentile(sorted, 95)
	l.P99 = Percentile(sorted, 99)
	l.Max = sorted[len(sorted)-1]
	return l
}

// Percentile is the nearest-rank p-th percentile of sorted, which must be in
// ascending order: the smallest value with at least p% of values at or below it.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted)) + 0.999999999)
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

func (l Latencies) String() string {
	return fmt.Sprintf("p50 %s  p95 %s  p99 %s  max %s", ms(l.P50), ms(l.P95), ms(l.P99), ms(l.Max))
}

// ms prints a duration in milliseconds with two decimals, the unit the
// goals are written in.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
