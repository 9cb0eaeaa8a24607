package handlers

import (
	"fmt"
	"sync/atomic"

	"github.com/gin-gonic/gin"
)

// stats counts what operators watch: callbacks rejected by verification
// point at a key or clock problem, failed ones at the database.
type stats struct {
	callbacksAccepted atomic.Int64
	callbacksRejected atomic.Int64
	callbacksFailed   atomic.Int64
	csrfRejected      atomic.Int64
}

// metrics serves the counters in the Prometheus text format.
func (h *handler) metrics(c *gin.Context) {
	c.Header("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintf(c.Writer, "# HELP parley_callbacks_total Alvaria callbacks received, by outcome.\n# TYPE parley_callbacks_total counter\n")
	fmt.Fprintf(c.Writer, "parley_callbacks_total{outcome=\"accepted\"} %d\n", h.stats.callbacksAccepted.Load())
	fmt.Fprintf(c.Writer, "parley_callbacks_total{outcome=\"rejected\"} %d\n", h.stats.callbacksRejected.Load())
	fmt.Fprintf(c.Writer, "parley_callbacks_total{outcome=\"failed\"} %d\n", h.stats.callbacksFailed.Load())
	fmt.Fprintf(c.Writer, "# HELP parley_csrf_rejected_total State-changing requests refused for a missing or wrong CSRF token.\n# TYPE parley_csrf_rejected_total counter\n")
	fmt.Fprintf(c.Writer, "parley_csrf_rejected_total %d\n", h.stats.csrfRejected.Load())
}
