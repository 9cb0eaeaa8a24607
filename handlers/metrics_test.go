package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
	"github.com/parley-dev/parley/views"
)

// scrape reads the console's /metrics as u and returns the value of the
// sample named by name and labels (all given labels must match), 0 when absent.
func scrape(t *testing.T, u *user, name string, labels map[string]string) float64 {
	t.Helper()
	code, body := u.Get(t, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d, want 200", code)
	}
	return sampleValue(t, body, name, labels)
}

func sampleValue(t *testing.T, body, name string, labels map[string]string) float64 {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse metrics: %v\n%s", err, body)
	}
	var sum float64
	f, ok := families[name]
	if !ok {
		return 0
	}
next:
	for _, m := range f.GetMetric() {
		for k, v := range labels {
			found := false
			for _, l := range m.GetLabel() {
				found = found || (l.GetName() == k && l.GetValue() == v)
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

func TestMetricsCountRealCallbacksForAdminsOnly(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	accepted := map[string]string{"type": "AGENT_JOINED", "outcome": "accepted"}
	if n := scrape(t, admin, "parley_callbacks_total", accepted); n != 0 {
		t.Fatalf("before any session: %v AGENT_JOINED callbacks accepted", n)
	}

	// The simulator signs and posts NEW_SESSION and AGENT_JOINED back to the
	// console, through the verifier and into the store.
	a.startSession(t, admin)
	// The session shows Connected once the callback is stored; the webhook
	// counts it a moment later, as it answers.
	testkit.Eventually(t, testkit.WaitTimeout, func() bool {
		return scrape(t, admin, "parley_callbacks_total", accepted) == 1 &&
			scrape(t, admin, "parley_callback_store_duration_seconds", nil) >= 2
	}, "AGENT_JOINED counted once, and store latency observed for NEW_SESSION and AGENT_JOINED")
	if n := scrape(t, admin, "parley_alvaria_requests_total", map[string]string{"endpoint": "create_session", "status": "202"}); n != 1 {
		t.Errorf("create_session 202 counted %v times, want 1", n)
	}

	// A callback without a token is rejected, and counted as such.
	if code, _ := a.anonymous().Post(t, "/webhooks/server-messaging", nil); code != http.StatusUnauthorized {
		t.Fatalf("webhook without a token = %d, want 401", code)
	}
	if n := scrape(t, admin, "parley_callbacks_total", map[string]string{"outcome": "rejected"}); n != 1 {
		t.Errorf("rejected callbacks = %v, want 1", n)
	}

	// A forged form is refused and counted.
	if code, _ := admin.Post(t, "/admin/users", url.Values{"csrf": {"forged"}, "username": {"mallory"}}); code != http.StatusForbidden {
		t.Fatalf("forged form = %d, want 403", code)
	}
	if n := scrape(t, admin, "parley_csrf_rejected_total", nil); n != 1 {
		t.Errorf("CSRF rejections = %v, want 1", n)
	}
	if n := scrape(t, admin, "go_goroutines", nil); n == 0 {
		t.Error("no Go runtime metrics")
	}

	// Everyone else is turned away from the console's /metrics.
	if code, body := a.signIn(t, "quinn").Get(t, "/metrics"); code != http.StatusForbidden || strings.Contains(body, "parley_callbacks_total") {
		t.Errorf("QA GET /metrics = %d, want 403 without metrics", code)
	}
	if code, loc := a.anonymous().Get(t, "/metrics"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Errorf("anonymous GET /metrics = %d %q, want a redirect to sign in", code, loc)
	}
}

func TestMetricsCountFinishedRunsByStatus(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	id := saveTest(t, admin, "", views.ExampleScenario)
	if _, r := a.runTest(t, admin, id); r.Status != store.RunPassed {
		t.Fatalf("the example scenario's run = %s (%s)", r.Status, r.Reason)
	}
	// Counted just after the result is stored, so the page may lag a moment.
	testkit.Eventually(t, testkit.WaitTimeout, func() bool {
		return scrape(t, admin, "parley_test_runs_total", map[string]string{"status": "passed"}) == 1
	}, "one passed run counted")
}

func TestMetricsCountOpenWebsockets(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	clients := func() float64 { return scrape(t, admin, "parley_websocket_clients", nil) }
	conn := openLive(t, admin, "/live/sessions")
	if n := clients(); n != 1 {
		t.Fatalf("with one live page open: %v websocket clients, want 1", n)
	}
	conn.Close(websocket.StatusNormalClosure, "")
	testkit.Eventually(t, testkit.WaitTimeout, func() bool { return clients() == 0 }, "the closed websocket no longer counted")
}
