package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/runs"
)

// loadForm is a test page's Load run form: Sessions, Concurrency, Ramp-up
// and, on a real connection, the confirmation.
type loadForm struct {
	TestID, Sessions, Concurrency, Ramp, Confirm string
}

func newLoadForm(r *http.Request, testID string) loadForm {
	return loadForm{TestID: testID, Sessions: r.PostFormValue("sessions"), Concurrency: r.PostFormValue("concurrency"),
		Ramp: r.PostFormValue("ramp"), Confirm: r.PostFormValue("confirm")}
}

// Validate reads the numbers and the ramp-up ("30s", "2m", or seconds);
// the service checks their bounds.
func (f loadForm) Validate(by accounts.Actor) (runs.LoadInput, error) {
	in := runs.LoadInput{TestID: f.TestID, Confirmed: f.Confirm == "yes", By: by}
	problems := &input.Error{}
	var err error
	if in.Sessions, err = strconv.Atoi(strings.TrimSpace(f.Sessions)); err != nil {
		problems.Add("sessions", "Sessions must be a whole number")
	}
	if s := strings.TrimSpace(f.Concurrency); s != "" {
		if in.Concurrency, err = strconv.Atoi(s); err != nil || in.Concurrency < 1 {
			problems.Add("concurrency", "Concurrency must be a whole number from 1")
		}
	}
	if in.Ramp, err = parseRamp(f.Ramp); err != nil {
		problems.Add("ramp", "Ramp-up must be a duration such as 30s or 2m")
	}
	return in, problems.Err()
}

// parseRamp reads a ramp-up: a Go duration, or a number of seconds; empty
// is none.
func parseRamp(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Duration(n * float64(time.Second)), nil
	}
	return time.ParseDuration(s)
}
