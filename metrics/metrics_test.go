package metrics_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/metrics"
)

// fakeAlvaria answers the token service, refuses the first create with a
// 429 (asking for no wait) and accepts the next, and refuses every send.
func fakeAlvaria(t *testing.T) *httptest.Server {
	var creates atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/access_token"):
			json.NewEncoder(w).Encode(alvaria.TokenResponse{AccessToken: "tok", TokenType: "Bearer", ExpiresIn: 3599})
		case strings.HasSuffix(r.URL.Path, "/session") && creates.Add(1) == 1:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		case strings.HasSuffix(r.URL.Path, "/session"):
			w.WriteHeader(http.StatusAccepted)
			json.NewEncoder(w).Encode(alvaria.SessionResponse{SessionID: "s-1"})
		default:
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"code":400,"message":"no"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestAlvariaCallsAreCountedByEndpointAndStatus(t *testing.T) {
	srv := fakeAlvaria(t)
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	client, err := alvaria.NewClient(alvaria.Config{
		APIURL: srv.URL, TokenURL: srv.URL + "/access_token", OrgID: "acme",
		ClientID: "parley", ClientSecret: "secret", APIKey: "key",
		HTTPClient: srv.Client(), BaseDelay: time.Millisecond, MaxDelay: time.Millisecond,
		Observer: m,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateSession(t.Context(), alvaria.NewSession{WorkTypeID: "32", ContactName: "Ada"}); err != nil {
		t.Fatalf("create session: %v", err)
	}
	if _, err := client.SendMessage(t.Context(), "s-1", alvaria.Message{Text: "hi"}); err == nil {
		t.Fatal("send message: want the 400")
	}

	want := `
# HELP parley_alvaria_requests_total Requests to Alvaria's Server Messaging API, by endpoint and answer status (0: no answer).
# TYPE parley_alvaria_requests_total counter
parley_alvaria_requests_total{endpoint="create_session",status="202"} 1
parley_alvaria_requests_total{endpoint="create_session",status="429"} 1
parley_alvaria_requests_total{endpoint="send_message",status="400"} 1
# HELP parley_alvaria_retries_total Calls to Alvaria tried again after a retryable failure, by endpoint.
# TYPE parley_alvaria_retries_total counter
parley_alvaria_retries_total{endpoint="create_session"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "parley_alvaria_requests_total", "parley_alvaria_retries_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(reg, "parley_alvaria_request_duration_seconds"); n != 2 {
		t.Errorf("latency series = %d, want one per endpoint (2)", n)
	}
}

func TestCallbacksWebsocketsRunsAndCSRFAreCounted(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.Callback("MESSAGE", "accepted", 3*time.Millisecond, 2*time.Millisecond)
	m.Callback("unverified", "rejected", time.Millisecond, 0)
	closed := m.WebsocketOpened()
	m.WebsocketOpened()
	closed()
	m.RunFinished("passed")
	m.CSRFRejected()

	want := `
# HELP parley_callbacks_total Alvaria callbacks received, by event type and outcome (accepted, rejected, failed).
# TYPE parley_callbacks_total counter
parley_callbacks_total{outcome="accepted",type="MESSAGE"} 1
parley_callbacks_total{outcome="rejected",type="unverified"} 1
# HELP parley_websocket_clients Browsers connected to a live page now.
# TYPE parley_websocket_clients gauge
parley_websocket_clients 1
# HELP parley_test_runs_total Conversation-test runs finished, by status (passed, failed, errored).
# TYPE parley_test_runs_total counter
parley_test_runs_total{status="passed"} 1
# HELP parley_csrf_rejected_total State-changing requests refused for a missing or wrong CSRF token.
# TYPE parley_csrf_rejected_total counter
parley_csrf_rejected_total 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"parley_callbacks_total", "parley_websocket_clients", "parley_test_runs_total", "parley_csrf_rejected_total"); err != nil {
		t.Error(err)
	}
	// A callback refused before the database has no store time to record.
	for name, want := range map[string]uint64{"parley_webhook_duration_seconds": 2, "parley_callback_store_duration_seconds": 1} {
		if got := observations(t, reg, name); got != want {
			t.Errorf("%s has %d observations, want %d", name, got, want)
		}
	}
}

func observations(t *testing.T, g prometheus.Gatherer, name string) uint64 {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()[0].GetHistogram().GetSampleCount()
		}
	}
	return 0
}

func TestSimulatorBacklogIsReadAtEachScrape(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	var backlog atomic.Int64
	backlog.Store(7)
	m.SimulatorBacklog(func() int { return int(backlog.Load()) })
	srv := httptest.NewServer(metrics.Handler(reg))
	t.Cleanup(srv.Close)

	for _, want := range []int64{7, 0} {
		backlog.Store(want)
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		line := "parley_simulator_backlog " + strconv.FormatInt(want, 10) + "\n"
		if !strings.Contains(string(body), line) {
			t.Errorf("/metrics does not have %q:\n%s", line, body)
		}
	}
}

// A saved test's runs set its gauges to the last one, under its current
// name only, and fill its histogram.
func TestTestRunsSetGaugesAndHistogram(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := metrics.New(reg)
	at := time.Unix(1_700_000_000, 0)
	m.TestRunFinished("t1", "Order status", "failed", 3*time.Second, at)
	m.TestRunFinished("t1", "Order status (renamed)", "passed", 2*time.Second, at.Add(time.Minute))
	want := `
# HELP parley_test_last_result Result of a saved test's last finished run: 1 passed, 0 failed or errored.
# TYPE parley_test_last_result gauge
parley_test_last_result{name="Order status (renamed)",test="t1"} 1
# HELP parley_test_last_duration_seconds How long a saved test's last finished run took.
# TYPE parley_test_last_duration_seconds gauge
parley_test_last_duration_seconds{name="Order status (renamed)",test="t1"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "parley_test_last_result", "parley_test_last_duration_seconds"); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(reg, "parley_test_run_duration_seconds"); err != nil || n != 2 {
		t.Errorf("%d histogram series, want one per status", n)
	}
}
