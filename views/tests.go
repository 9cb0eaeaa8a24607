package views

import (
	"fmt"
	"math"
	"time"

	"github.com/parley-dev/parley/runs"
)

// Percent writes a share from 0 to 1 as a whole percentage.
func Percent(share float64) string {
	return fmt.Sprintf("%d%%", int(math.Round(share*100)))
}

// StepDuration is how long a step took, or has taken so far; "" before it starts.
func StepDuration(s runs.Step, now time.Time) string {
	if s.StartedAt == nil {
		return ""
	}
	end := now
	if s.FinishedAt != nil {
		end = *s.FinishedAt
	}
	return DurationText(end.Sub(*s.StartedAt))
}

func pluralWord(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// RunRowID is the element id of a run's row in a test's history.
func RunRowID(id int64) string { return fmt.Sprintf("run-row-%d", id) }

// StepID is the element id of a step on a run's page.
func StepID(n int) string { return fmt.Sprintf("step-%d", n) }

// PassedOf counts the passed runs among the finished ones of rs.
func PassedOf(rs []runs.Run) (passed, finished int) {
	for _, r := range rs {
		if r.Finished() {
			finished++
			if r.Status == runs.StatusPassed {
				passed++
			}
		}
	}
	return passed, finished
}
