// Package metrics is what Parley tells Prometheus: callbacks, latencies,
// websockets, calls to Alvaria, test runs and CSRF refusals, plus the Go
// runtime and process. It registers on a registry it is given, never on the
// global default, so each server (and each test) has its own.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// latencyBuckets run from half a millisecond to about 8 s: a stored
// callback should take a few milliseconds, and Alvaria's patience is seconds.
var latencyBuckets = prometheus.ExponentialBuckets(0.0005, 2, 15)

// Metrics holds every Parley collector. Its methods are safe for concurrent
// use; it satisfies alvaria.Observer and the handlers' Metrics.
type Metrics struct {
	callbacks       *prometheus.CounterVec
	webhookSeconds  prometheus.Histogram
	storeSeconds    prometheus.Histogram
	websockets      prometheus.Gauge
	alvariaRequests *prometheus.CounterVec
	alvariaSeconds  *prometheus.HistogramVec
	alvariaRetries  *prometheus.CounterVec
	runs            *prometheus.CounterVec
	csrfRejected    prometheus.Counter
	testLastResult  *prometheus.GaugeVec
	testLastSeconds *prometheus.GaugeVec
	testLastTime    *prometheus.GaugeVec
	testSeconds     *prometheus.HistogramVec
	// reg is kept for the collectors that exist only in some setups, such
	// as the embedded simulator's backlog.
	reg prometheus.Registerer
}

// runBuckets run from a second to about 34 minutes: a conversation test
// takes seconds to minutes.
var runBuckets = prometheus.ExponentialBuckets(1, 2, 12)

// New builds the collectors and registers them, with the Go runtime and
// process collectors, on reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		reg: reg,
		callbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_callbacks_total",
			Help: "Alvaria callbacks received, by event type and outcome (accepted, rejected, failed).",
		}, []string{"type", "outcome"}),
		webhookSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "parley_webhook_duration_seconds",
			Help:    "Time from a callback's arrival to its answer.",
			Buckets: latencyBuckets,
		}),
		storeSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "parley_callback_store_duration_seconds",
			Help:    "Time to store and apply a verified callback in the database.",
			Buckets: latencyBuckets,
		}),
		websockets: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "parley_websocket_clients",
			Help: "Browsers connected to a live page now.",
		}),
		alvariaRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_alvaria_requests_total",
			Help: "Requests to Alvaria's Server Messaging API, by endpoint and answer status (0: no answer).",
		}, []string{"endpoint", "status"}),
		alvariaSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "parley_alvaria_request_duration_seconds",
			Help:    "Time of one request to Alvaria's Server Messaging API, by endpoint.",
			Buckets: latencyBuckets,
		}, []string{"endpoint"}),
		alvariaRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_alvaria_retries_total",
			Help: "Calls to Alvaria tried again after a retryable failure, by endpoint.",
		}, []string{"endpoint"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_test_runs_total",
			Help: "Conversation-test runs finished, by status (passed, failed, errored).",
		}, []string{"status"}),
		testLastResult: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "parley_test_last_result",
			Help: "Result of a saved test's last finished run: 1 passed, 0 failed or errored.",
		}, []string{"test", "name"}),
		testLastSeconds: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "parley_test_last_duration_seconds",
			Help: "How long a saved test's last finished run took.",
		}, []string{"test", "name"}),
		testLastTime: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "parley_test_last_run_timestamp_seconds",
			Help: "When a saved test's last run finished, in Unix seconds: alert when it is older than the schedule.",
		}, []string{"test", "name"}),
		testSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "parley_test_run_duration_seconds",
			Help:    "Duration of saved tests' finished runs, by test and status.",
			Buckets: runBuckets,
		}, []string{"test", "status"}),
		csrfRejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_csrf_rejected_total",
			Help: "State-changing requests refused for a missing or wrong CSRF token.",
		}),
	}
	reg.MustRegister(
		m.callbacks, m.webhookSeconds, m.storeSeconds, m.websockets,
		m.alvariaRequests, m.alvariaSeconds, m.alvariaRetries, m.runs, m.csrfRejected,
		m.testLastResult, m.testLastSeconds, m.testLastTime, m.testSeconds,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Handler serves what g gathers in the Prometheus exposition format.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}

// Callback counts one callback. store is zero for a callback refused
// before it reached the database.
func (m *Metrics) Callback(event, outcome string, webhook, store time.Duration) {
	m.callbacks.WithLabelValues(event, outcome).Inc()
	m.webhookSeconds.Observe(webhook.Seconds())
	if store > 0 {
		m.storeSeconds.Observe(store.Seconds())
	}
}

// CSRFRejected counts one request refused for its CSRF token.
func (m *Metrics) CSRFRejected() { m.csrfRejected.Inc() }

// WebsocketOpened counts a live connection until the returned func is called.
func (m *Metrics) WebsocketOpened() (closed func()) {
	m.websockets.Inc()
	return m.websockets.Dec
}

// Request counts one request to Alvaria (alvaria.Observer).
func (m *Metrics) Request(endpoint string, status int, elapsed time.Duration) {
	m.alvariaRequests.WithLabelValues(endpoint, strconv.Itoa(status)).Inc()
	m.alvariaSeconds.WithLabelValues(endpoint).Observe(elapsed.Seconds())
}

// Retry counts one retry of a call to Alvaria (alvaria.Observer).
func (m *Metrics) Retry(endpoint string) { m.alvariaRetries.WithLabelValues(endpoint).Inc() }

// RunFinished counts one conversation-test run that ended with status.
func (m *Metrics) RunFinished(status string) { m.runs.WithLabelValues(status).Inc() }

// TestRunFinished records a saved test's finished run: its last result,
// duration and time, and the duration in the test's histogram. test is the
// test's id (stable across renames); name is its name now.
func (m *Metrics) TestRunFinished(test, name, status string, elapsed time.Duration, at time.Time) {
	result := 0.0
	if status == "passed" {
		result = 1
	}
	// A renamed test keeps one series: the old name's is dropped.
	for _, g := range []*prometheus.GaugeVec{m.testLastResult, m.testLastSeconds, m.testLastTime} {
		g.DeletePartialMatch(prometheus.Labels{"test": test})
	}
	m.testLastResult.WithLabelValues(test, name).Set(result)
	m.testLastSeconds.WithLabelValues(test, name).Set(elapsed.Seconds())
	m.testLastTime.WithLabelValues(test, name).Set(float64(at.UnixNano()) / 1e9)
	m.testSeconds.WithLabelValues(test, status).Observe(elapsed.Seconds())
}

// SimulatorBacklog reports the embedded simulator's callbacks waiting for
// delivery, read from backlog at each scrape, as parley_simulator_backlog.
// Call it once, when the simulator runs in this process.
func (m *Metrics) SimulatorBacklog(backlog func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "parley_simulator_backlog",
		Help: "Callbacks the embedded Alvaria simulator has waiting for delivery: queued, held back or waiting for a retry.",
	}, func() float64 { return float64(backlog()) }))
}
