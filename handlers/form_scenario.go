package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/parley-dev/parley/input"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/views"
)

// The conversation-test forms read what a person typed; the runs service
// checks the scenario and names every problem with its line.

// testForm is the test editor.
type testForm views.TestForm

// newTestForm reads the editor; id comes from the address, for an edit.
// Browsers send a textarea's lines with CRLF; the script keeps plain
// newlines, as it would be written in a file.
func newTestForm(r *http.Request, id string) testForm {
	return testForm{ID: id, Name: r.PostFormValue("name"), Scenario: strings.ReplaceAll(r.PostFormValue("scenario"), "\r\n", "\n")}
}

// Validate returns the service's input; the service checks the scenario.
func (f testForm) Validate(by accounts.Actor) (runs.TestInput, error) {
	return runs.TestInput{ID: f.ID, Name: f.Name, Scenario: f.Scenario, By: by}, nil
}

// runForm is a test page's Run button with its Runs count.
type runForm struct {
	TestID string
	Count  string
}

func newRunForm(r *http.Request, testID string) runForm {
	return runForm{TestID: testID, Count: r.PostFormValue("count")}
}

// Validate reads the count: empty means one run; what is not a whole
// number is passed on as -1, which the service refuses with its bounds.
func (f runForm) Validate(by accounts.Actor) (runs.RunInput, error) {
	in := runs.RunInput{TestID: f.TestID, Count: 1, By: by}
	if s := strings.TrimSpace(f.Count); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			n = -1
		}
		in.Count = n
	}
	return in, nil
}

// deleteTestForm is the "Delete this test" form: a deletion needs its
// confirmation ticked.
type deleteTestForm struct {
	TestID  string
	Confirm string
}

func newDeleteTestForm(r *http.Request, testID string) deleteTestForm {
	return deleteTestForm{TestID: testID, Confirm: r.PostFormValue("confirm")}
}

// Validate returns the test to delete, or an input error when the
// confirmation was not ticked.
func (f deleteTestForm) Validate() (string, error) {
	if f.Confirm != "yes" {
		return "", input.Invalid("confirm", "Tick the confirmation to delete the test")
	}
	return f.TestID, nil
}
