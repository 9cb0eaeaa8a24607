package handlers_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/parley-dev/parley/handlers"
)

// POST /api/v1/runs with sessions starts a load run, read and cancelled
// through /api/v1/loads; its fields are checked like the runs'.
func TestTheAPIStartsReadsAndCancelsALoadRun(t *testing.T) {
	a := newAPIApp(t)
	olive := a.tokens["olive"]
	var started handlers.APIRunList
	body := jsonBody(t, map[string]any{"scenario": apiScenario, "sessions": 3, "concurrency": 2, "ramp": "1s"})
	if code := a.call(t, olive, "POST", "/api/v1/runs", body, &started); code != http.StatusAccepted || started.LoadRun == nil {
		t.Fatalf("start = %d %+v", code, started)
	}
	lr := started.LoadRun
	if lr.Status != "running" || lr.Sessions != 3 || lr.Concurrency != 2 || lr.RampSeconds != 1 || lr.Counts.Queued != 3 || len(started.Runs) != 0 {
		t.Fatalf("load run %+v", lr)
	}
	path := fmt.Sprintf("/api/v1/loads/%d", lr.ID)
	var got handlers.APILoadRun
	if code := a.call(t, olive, "GET", path+"?sessions=true", "", &got); code != http.StatusOK || len(got.SessionList) != 3 {
		t.Fatalf("show = %d %+v", code, got)
	}
	a.wantError(t, a.tokens["quinn"], "POST", path+"/cancel", "", http.StatusForbidden, "cannot do this")
	if code := a.call(t, olive, "POST", path+"/cancel", "", &got); code != http.StatusOK || got.Status != "cancelled" || got.Counts.Cancelled != 3 {
		t.Fatalf("cancel = %d %+v", code, got)
	}
	for _, tc := range []struct {
		body     map[string]any
		sentence string
	}{
		{map[string]any{"scenario": apiScenario, "sessions": 0, "concurrency": 2}, "Sessions must be from 1 to 10000."},
		{map[string]any{"scenario": apiScenario, "sessions": 5, "concurrency": 101}, "Concurrency must be from 1 to 100"},
		{map[string]any{"scenario": apiScenario, "sessions": 5, "ramp": "soon"}, `ramp "soon" is not a duration`},
		{map[string]any{"scenario": apiScenario, "sessions": 5, "runs": 2}, "Send runs or sessions, not both"},
	} {
		a.wantError(t, olive, "POST", "/api/v1/runs", jsonBody(t, tc.body), http.StatusUnprocessableEntity, tc.sentence)
	}
	a.wantError(t, olive, "GET", "/api/v1/loads/999", "", http.StatusNotFound, "There is no such test or run.")
}
