package handlers

import (
	"time"

	"github.com/gin-gonic/gin"
)

// Metrics counts what operators watch: callbacks rejected by verification
// point at a key or clock problem, failed ones at the database. Built in
// cmd/parley (package metrics); nil counts nothing.
type Metrics interface {
	// Callback counts one callback by event type and outcome (accepted,
	// rejected, failed); store is zero when it never reached the database.
	Callback(event, outcome string, webhook, store time.Duration)
	CSRFRejected()
	// WebsocketOpened counts a live connection until closed is called.
	WebsocketOpened() (closed func())
}

// Callback outcomes as counted.
const (
	callbackAccepted = "accepted"
	callbackRejected = "rejected"
	callbackFailed   = "failed"
)

// ignoreMetrics is the Metrics of Deps that set none.
type ignoreMetrics struct{}

func (ignoreMetrics) Callback(string, string, time.Duration, time.Duration) {}
func (ignoreMetrics) CSRFRejected()                                         {}
func (ignoreMetrics) WebsocketOpened() func()                               { return func() {} }

// websocketsKey carries the handler's Metrics to pump, which counts the
// connection once it is upgraded.
const websocketsKey = "parley.websockets"

// metricsPage serves Deps.MetricsPage to signed-in admins.
func (h *handler) metricsPage(c *gin.Context) {
	h.MetricsPage.ServeHTTP(c.Writer, c.Request)
}

// callbackCounter times one callback and counts it once with its outcome,
// in the metrics and in its connection's diagnostics.
type callbackCounter struct {
	m          Metrics
	gate       CallbackGate
	connection string
	started    time.Time
	event      string
	store      time.Duration
}

func (h *handler) countCallback(connection string) *callbackCounter {
	return &callbackCounter{m: h.Metrics, gate: h.gate, connection: connection, started: time.Now(), event: "unverified"}
}

// done counts the callback; err says why it was not accepted.
func (cc *callbackCounter) done(outcome string, err error) {
	cc.m.Callback(cc.event, outcome, time.Since(cc.started), cc.store)
	cc.gate.NoteCallback(cc.connection, outcome, cc.event, err)
}

// reject counts a callback refused for err.
func (cc *callbackCounter) reject(err error) { cc.done(callbackRejected, err) }
