package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/handlers"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
	"github.com/parley-dev/parley/views"
)

var loadLocation = regexp.MustCompile(`^/loads/(\d+)$`)

// A load run started from a test's page plays its sessions, then shows
// its percentiles, charts and exports; a wrong field is named.
func TestALoadRunFromTheConsoleShowsItsResults(t *testing.T) {
	st := storetest.SQLite(t)
	a := newApp(t, st)
	olive := a.signIn(t, "olive")
	id := saveTest(t, olive, "", views.ExampleScenario)
	mustContain(t, "the test page", page(t, olive, "/tests/"+id), `name="sessions"`, `name="concurrency"`, `name="ramp"`, ">Load run</button>")

	if code, _ := olive.Post(t, "/tests/"+id+"/loads", url.Values{"sessions": {"many"}, "concurrency": {"2"}, "ramp": {"0"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("sessions=many = %d, want 422", code)
	}
	code, loc := olive.Post(t, "/tests/"+id+"/loads", url.Values{"sessions": {"6"}, "concurrency": {"3"}, "ramp": {"0s"}})
	m := loadLocation.FindStringSubmatch(loc)
	if code != http.StatusSeeOther || m == nil {
		t.Fatalf("load run = %d %q", code, loc)
	}
	var loadID int64
	fmt.Sscan(m[1], &loadID)
	testkit.Eventually(t, 90*time.Second, func() bool {
		lr, err := a.store.GetLoadRun(t.Context(), loadID)
		return err == nil && lr.Status != store.LoadRunning
	}, "the load run finishes")

	p := page(t, olive, loc)
	mustContain(t, "the load run page", p, `id="load-percentiles"`, "Time to AGENT_JOINED", `<svg class="run-chart load-chart"`, `class="in-flight"`,
		`id="load-passed"`, "export.csv", "export.json", "finished")
	if strings.Contains(p, "<script>") || strings.Contains(p, "style=") {
		t.Error("the load run page has inline script or style, which the CSP forbids")
	}
	_, csv := olive.Get(t, loc+"/export.csv")
	if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) != 7 || !strings.HasPrefix(lines[0], "session,status,session_id") {
		t.Errorf("CSV export:\n%s", csv)
	}
	_, body := olive.Get(t, loc+"/export.json")
	var out handlers.APILoadRun
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.Counts.Passed != 6 || len(out.SessionList) != 6 || len(out.Percentiles) == 0 {
		t.Errorf("JSON export %+v: %v", out.Counts, err)
	}
	mustContain(t, "the test page", page(t, olive, "/tests/"+id), "Load runs", loc)
}
