package views

import (
	"fmt"
	"time"

	"github.com/parley-dev/parley/runs"
)

// countState counts the monitors in state ("" for not run yet).
func countState(ms []runs.MonitorRow, state string) int {
	n := 0
	for _, m := range ms {
		if m.State == state {
			n++
		}
	}
	return n
}

// monitorStateClass names a monitor's state for its card's colour.
func monitorStateClass(state string) string {
	if state == "" {
		return "unknown"
	}
	return state
}

// ariaInvalid marks a field with a problem.
func ariaInvalid(problem string) string {
	if problem != "" {
		return "true"
	}
	return "false"
}

// alertKindText is an alert's kind in words.
func alertKindText(kind string) string {
	if kind == "recovered" {
		return "Recovered"
	}
	return "Started failing"
}

// EveryValue is an interval as the Schedule form's choices name it.
func EveryValue(d time.Duration) string {
	for _, c := range EveryChoices {
		if v, err := time.ParseDuration(c.Value); err == nil && v == d {
			return c.Value
		}
	}
	return d.String()
}

// notRunYet adds the monitors not run yet to the summary, when there are.
func notRunYet(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d not run yet", n)
}
