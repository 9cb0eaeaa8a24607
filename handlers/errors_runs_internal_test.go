package handlers

import (
	"fmt"
	"testing"

	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/scenario"
)

// The runs service's errors: a missing test or run, a run request out of
// bounds, and an invalid scenario, whose problems the editor lists.
func TestExplainRunErrors(t *testing.T) {
	two := &scenario.Error{Problems: []scenario.Problem{{Line: 3, Column: 5, Message: "unknown key \"sey\""}, {Line: 7, Column: 9, Message: "\"forever\" is not a duration."}}}
	tests := []struct {
		name     string
		err      error
		status   int
		message  string
		problems int
	}{
		{"no test or run", fmt.Errorf("get run 9: %w", runs.ErrNotFound), 404, "There is no such test or run.", 0},
		{"run count", &runs.InputError{Message: "Runs must be from 1 to 50."}, 422, "Runs must be from 1 to 50.", 0},
		{"one problem", &scenario.Error{Problems: []scenario.Problem{{Message: "the scenario is not UTF-8 text"}}}, 422, "The scenario is not valid: the scenario is not UTF-8 text.", 1},
		{"every problem with its place", fmt.Errorf("save: %w", two), 422, `The scenario is not valid: line 3, column 5: unknown key "sey"; line 7, column 9: "forever" is not a duration.`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := explain(tt.err, false)
			if !ok || p.Status != tt.status || p.Message != tt.message || len(p.Problems) != tt.problems {
				t.Errorf("explain = %d %q with %d problems (known %v), want %d %q with %d", p.Status, p.Message, len(p.Problems), ok, tt.status, tt.message, tt.problems)
			}
		})
	}
}
