package handlers

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/scenario"
)

func TestAPIRunForm(t *testing.T) {
	read := func(body string) (runs.RunInput, error) {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/runs", strings.NewReader(body))
		f, err := newAPIRunForm(httptest.NewRecorder(), r)
		if err != nil {
			return runs.RunInput{}, err
		}
		return f.Validate(formActor)
	}
	in, err := read(`{"scenario": "name: x", "runs": 3}`)
	if err != nil || in.Scenario != "name: x" || in.Count != 3 || in.TestID != "" || in.By != formActor {
		t.Fatalf("scenario = %+v, %v", in, err)
	}
	if in, err = read(`{"testId": "t-1"}`); err != nil || in.TestID != "t-1" || in.Count != 0 {
		t.Fatalf("test id = %+v, %v", in, err)
	}
	var badJSON *badJSONError
	for _, body := range []string{``, `[]`, `{"scenario": 3}`, `{"other": 1}`, `{"scenario": "x"`, `{"scenario": "x"} {"testId": "t"}`, `{"scenario": "x"}]`} {
		if _, err := read(body); !errors.As(err, &badJSON) {
			t.Errorf("%q: %v, want a bad-JSON error", body, err)
		}
	}
	var both *runs.InputError
	if _, err := read(`{"scenario": "name: x", "testId": "t-1"}`); !errors.As(err, &both) {
		t.Errorf("a scenario and a test id: %v, want an input error", err)
	}
	if _, err := read("{\"testId\": \"t-1\"}\n  "); err != nil {
		t.Errorf("trailing white space: %v", err)
	}
	var tooBig *http.MaxBytesError
	if _, err := read(`{"scenario": "` + strings.Repeat("x", scenario.MaxBytes+1) + `"}`); !errors.As(err, &tooBig) || tooBig.Limit != scenario.MaxBytes {
		t.Errorf("long scenario: %v", err)
	}
	if _, err := read(`{"scenario": "` + strings.Repeat(`\n`, maxRunBody) + `"}`); !errors.As(err, &tooBig) || tooBig.Limit != maxRunBody {
		t.Errorf("long body: %v", err)
	}
}

func TestAPIRunListFormAndIDs(t *testing.T) {
	list := func(q url.Values) (runs.RunFilter, error) {
		return newAPIRunListForm(httptest.NewRequest(http.MethodGet, "/api/v1/runs?"+q.Encode(), nil)).Validate()
	}
	f, err := list(url.Values{"testId": {"t-1"}, "before": {"42"}})
	if err != nil || f.TestID != "t-1" || f.BeforeID != 42 || f.Limit != apiRunsPage {
		t.Fatalf("filter = %+v, %v", f, err)
	}
	for _, before := range []string{"x", "0", "-3"} {
		if _, err := list(url.Values{"before": {before}}); !errors.Is(err, conversation.ErrBadCursor) {
			t.Errorf("before=%s: %v", before, err)
		}
	}
	if id, err := runID("17"); err != nil || id != 17 {
		t.Errorf("run id = %d, %v", id, err)
	}
	if _, err := runID("x"); !errors.Is(err, runs.ErrNotFound) {
		t.Errorf("run id x: %v", err)
	}
	if _, err := newTokenRevokeForm("x").Validate(); !errors.Is(err, accounts.ErrTokenNotFound) {
		t.Errorf("token id x: %v", err)
	}
}
