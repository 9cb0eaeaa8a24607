package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
	"github.com/parley-dev/parley/views"
)

// A schedule set on a test's page shows there and on the Monitoring page;
// a refused one is shown again with the problem beside its field and what
// was typed kept; QA reads but cannot schedule.
func TestAScheduleIsSetAndMonitored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		olive, quinn := a.signIn(t, "olive"), a.signIn(t, "quinn")
		mustContain(t, "the empty Monitoring page", page(t, olive, "/monitoring"), "No test runs on a schedule yet", `href="/monitoring" aria-current="page"`)

		id := saveTest(t, olive, "Greeting", views.ExampleScenario)
		mustContain(t, "an unscheduled test's page", page(t, olive, "/tests/"+id), "Not scheduled", `name="every"`, `name="cron"`, `name="alert_url"`)

		code, body := olive.Post(t, "/tests/"+id+"/schedule", url.Values{"every": {""}, "cron": {"61 * * * *"}, "alert_url": {"http://10.1.2.3/hook"}})
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("a bad schedule = %d, want 422", code)
		}
		mustContain(t, "the refused schedule", body, "is not valid", "private or local address", `value="61 * * * *"`, `aria-invalid="true"`)

		code, loc := olive.Post(t, "/tests/"+id+"/schedule", url.Values{"every": {"15m"}, "alert_url": {"https://hooks.example.com/services/T/B/x"}})
		if code != http.StatusSeeOther || loc != "/tests/"+id+"#schedule" {
			t.Fatalf("a schedule = %d %q", code, loc)
		}
		mustContain(t, "a scheduled test's page", page(t, olive, "/tests/"+id), "Runs every 15 minutes", "Not run yet", `<option value="15m" selected`, "https://hooks.example.com/services/T/B/x", "Stop the schedule")
		mustContain(t, "the Monitoring page", page(t, quinn, "/monitoring"), "Greeting", "every 15 minutes", "alerts on", "No runs finished.", "1 scheduled test")

		_, r := a.runTest(t, olive, id)
		if r.Status != store.RunPassed {
			t.Fatalf("run %s: %s", r.Status, r.Reason)
		}
		// The monitor hears of the run just after its result is stored.
		var mon string
		testkit.Eventually(t, testkit.WaitTimeout, func() bool {
			mon = page(t, olive, "/monitoring")
			return strings.Contains(mon, "Passing")
		}, "the Monitoring page shows the run")
		mustContain(t, "the Monitoring page after a run", mon, "Passing", `<svg class="spark"`, `class="pass"`, "p95 duration", "100%", fmt.Sprintf(`href="/runs/%d"`, r.ID))
		if strings.Count(mon, "<script") != strings.Count(mon, `<script src="/static/`) || strings.Contains(mon, " style=") {
			t.Error("the Monitoring page has inline script or style")
		}

		if code, _ := quinn.Post(t, "/tests/"+id+"/schedule", url.Values{"every": {"1h"}}); code != http.StatusForbidden {
			t.Errorf("QA schedules: %d, want 403", code)
		}
		if code, loc := olive.Post(t, "/tests/"+id+"/schedule/delete", nil); code != http.StatusSeeOther || loc != "/tests/"+id+"#schedule" {
			t.Fatalf("stop = %d %q", code, loc)
		}
		mustContain(t, "the Monitoring page after the stop", page(t, olive, "/monitoring"), "No test runs on a schedule yet")
	})
}
