package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/scenario"
)

// The API's requests, read like the pages' forms: a small type from the
// request that returns the service's input; the service checks the values.

// badJSONError is a request body that is not the JSON the API reads.
type badJSONError struct{ err error }

func (e *badJSONError) Error() string { return "request body: " + e.err.Error() }

// maxRunBody bounds a run request: a scenario of scenario.MaxBytes, every
// character of it escaped, and room for the other fields.
const maxRunBody = 2*scenario.MaxBytes + 4<<10

// apiRunForm is POST /api/v1/runs.
type apiRunForm struct {
	Scenario string `json:"scenario"`
	TestID   string `json:"testId"`
	Runs     int    `json:"runs"`
	// A load run: sessions > 0 plays the scenario as that many sessions,
	// concurrency at once, the first started over ramp ("30s").
	Sessions    int    `json:"sessions"`
	Concurrency int    `json:"concurrency"`
	Ramp        string `json:"ramp"`
	Confirm     bool   `json:"confirm"`
}

func newAPIRunForm(w http.ResponseWriter, r *http.Request) (apiRunForm, error) {
	var f apiRunForm
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRunBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(&f)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return f, tooBig
	case errors.Is(err, io.EOF):
		return f, &badJSONError{errors.New("empty; send {\"scenario\": \"…\"} or {\"testId\": \"…\"}")}
	case err != nil:
		return f, &badJSONError{err}
	}
	// One JSON value: anything after it is a client's mistake to name,
	// not bytes to ignore.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return f, &badJSONError{errors.New("more follows the JSON object; send one object")}
	}
	return f, nil
}

// Validate returns the service's input. A scenario longer than a scenario
// may be is refused as too large, like a body over the limit.
func (f apiRunForm) Validate(by accounts.Actor) (runs.RunInput, error) {
	if len(f.Scenario) > scenario.MaxBytes {
		return runs.RunInput{}, &http.MaxBytesError{Limit: scenario.MaxBytes}
	}
	if f.Scenario != "" && f.TestID != "" {
		return runs.RunInput{}, &runs.InputError{Message: "Send a scenario or a testId, not both."}
	}
	return runs.RunInput{TestID: f.TestID, Scenario: f.Scenario, Count: f.Runs, By: by}, nil
}

// IsLoad tells a load run's request from one for runs.
func (f apiRunForm) IsLoad() bool { return f.Sessions != 0 || f.Concurrency != 0 || f.Ramp != "" }

// ValidateLoad returns the service's input for a load run.
func (f apiRunForm) ValidateLoad(by accounts.Actor) (runs.LoadInput, error) {
	in, err := f.Validate(by)
	if err != nil {
		return runs.LoadInput{}, err
	}
	if f.Runs != 0 {
		return runs.LoadInput{}, &runs.InputError{Message: "Send runs or sessions, not both: sessions asks for a load run."}
	}
	ramp, err := parseRamp(f.Ramp)
	if err != nil {
		return runs.LoadInput{}, &runs.InputError{Message: fmt.Sprintf("ramp %q is not a duration such as \"30s\" or \"2m\".", f.Ramp)}
	}
	return runs.LoadInput{TestID: in.TestID, Scenario: in.Scenario, Sessions: f.Sessions, Concurrency: f.Concurrency, Ramp: ramp, Confirmed: f.Confirm, By: by}, nil
}

// apiRunListForm is GET /api/v1/runs's filter.
type apiRunListForm struct{ TestID, Before string }

func newAPIRunListForm(r *http.Request) apiRunListForm {
	q := r.URL.Query()
	return apiRunListForm{TestID: q.Get("testId"), Before: q.Get("before")}
}

// Validate returns the service's filter; a cursor that is not a run id is
// a page link gone wrong.
func (f apiRunListForm) Validate() (runs.RunFilter, error) {
	filter := runs.RunFilter{TestID: f.TestID, Limit: apiRunsPage}
	if f.Before != "" {
		before, err := strconv.ParseInt(f.Before, 10, 64)
		if err != nil || before < 1 {
			return filter, fmt.Errorf("before=%q: %w", f.Before, conversation.ErrBadCursor)
		}
		filter.BeforeID = before
	}
	return filter, nil
}

// runID reads a run id from the path; one that is not a number names no run.
func runID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("run %q: %w", s, runs.ErrNotFound)
	}
	return id, nil
}
