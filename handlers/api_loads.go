package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/runs"
)

// APILoadRun is a load run as the API and the JSON export give it: its
// counters, and once it has ended its percentiles and failures; the
// export adds every session.
type APILoadRun struct {
	ID          int64            `json:"id"`
	TestID      string           `json:"testId,omitempty"`
	Name        string           `json:"name"`
	Status      string           `json:"status"`
	Reason      string           `json:"reason,omitempty"`
	Connection  string           `json:"connection"`
	Sessions    int              `json:"sessions"`
	Concurrency int              `json:"concurrency"`
	RampSeconds float64          `json:"rampSeconds"`
	StartedBy   string           `json:"startedBy"`
	CreatedAt   time.Time        `json:"createdAt"`
	FinishedAt  *time.Time       `json:"finishedAt,omitempty"`
	Counts      APILoadCounts    `json:"counts"`
	Calls       map[string]int64 `json:"alvariaCalls"` // by HTTP status; "0" is no answer
	Retries     int64            `json:"alvariaRetries"`
	Callbacks   int              `json:"callbacks"`
	Percentiles []APIPercentiles `json:"percentiles,omitempty"`
	Failures    []APIFailure     `json:"failures,omitempty"`
	SessionList []APILoadSession `json:"sessionList,omitempty"`
}

// APILoadCounts are a load run's sessions by state.
type APILoadCounts struct {
	Started   int `json:"started"`
	Queued    int `json:"queued"`
	InFlight  int `json:"inFlight"`
	Passed    int `json:"passed"`
	Failed    int `json:"failed"`
	Errored   int `json:"errored"`
	Cancelled int `json:"cancelled"`
}

// APIPercentiles are one timing's percentiles, in milliseconds.
type APIPercentiles struct {
	Name  string  `json:"name"`
	Step  int     `json:"step,omitempty"`
	Count int     `json:"count"`
	P50   float64 `json:"p50Ms"`
	P90   float64 `json:"p90Ms"`
	P95   float64 `json:"p95Ms"`
	P99   float64 `json:"p99Ms"`
	Max   float64 `json:"maxMs"`
}

// APIFailure is how many sessions failed at one step for one reason.
type APIFailure struct {
	Count  int    `json:"count"`
	Status string `json:"status"`
	Step   *int   `json:"step,omitempty"`
	Reason string `json:"reason"`
}

// APILoadSession is one session's raw timings, in milliseconds.
type APILoadSession struct {
	Number        int             `json:"number"`
	Status        string          `json:"status"`
	SessionID     string          `json:"sessionId,omitempty"`
	StartedAt     *time.Time      `json:"startedAt,omitempty"`
	FinishedAt    *time.Time      `json:"finishedAt,omitempty"`
	NewSessionMs  *float64        `json:"newSessionMs,omitempty"`
	AgentJoinedMs *float64        `json:"agentJoinedMs,omitempty"`
	Waits         map[int]float64 `json:"waitsMs,omitempty"` // by step
	Callbacks     int             `json:"callbacks"`
	FailedStep    *int            `json:"failedStep,omitempty"`
	Reason        string          `json:"reason,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func msPtr(d *time.Duration) *float64 {
	if d == nil {
		return nil
	}
	v := ms(*d)
	return &v
}

func newAPILoadRun(rep runs.LoadReport, withSessions bool) APILoadRun {
	lr := rep.Run
	out := APILoadRun{
		ID: lr.ID, TestID: lr.TestID, Name: lr.Name, Status: lr.Status, Reason: lr.Reason, Connection: lr.Connection,
		Sessions: lr.Sessions, Concurrency: lr.Concurrency, RampSeconds: lr.Ramp.Seconds(), StartedBy: lr.StartedBy,
		CreatedAt: lr.CreatedAt, FinishedAt: lr.FinishedAt,
		Counts: APILoadCounts{Started: lr.Counts.Started(), Queued: lr.Counts.Queued, InFlight: lr.Counts.InFlight, Passed: lr.Counts.Passed,
			Failed: lr.Counts.Failed, Errored: lr.Counts.Errored, Cancelled: lr.Counts.Cancelled},
		Calls: map[string]int64{}, Retries: lr.Retries, Callbacks: lr.Callbacks,
	}
	for _, c := range lr.Calls {
		out.Calls[strconv.Itoa(c.Status)] = c.Count
	}
	for _, m := range rep.Metrics {
		out.Percentiles = append(out.Percentiles, APIPercentiles{Name: m.Name, Step: m.Step, Count: m.Count,
			P50: ms(m.P50), P90: ms(m.P90), P95: ms(m.P95), P99: ms(m.P99), Max: ms(m.Max)})
	}
	for _, f := range rep.Failures {
		out.Failures = append(out.Failures, APIFailure{Count: f.Count, Status: f.Status, Step: f.Step, Reason: f.Reason})
	}
	if withSessions {
		for _, s := range rep.Sessions {
			row := APILoadSession{Number: s.Number, Status: s.Status, SessionID: s.SessionID, StartedAt: s.StartedAt, FinishedAt: s.FinishedAt,
				NewSessionMs: msPtr(s.NewSession), AgentJoinedMs: msPtr(s.AgentJoined), Callbacks: s.Callbacks, FailedStep: s.FailedStep, Reason: s.Reason}
			if len(s.Waits) > 0 {
				row.Waits = map[int]float64{}
				for _, w := range s.Waits {
					row.Waits[w.Step] = ms(w.Wait)
				}
			}
			out.SessionList = append(out.SessionList, row)
		}
	}
	return out
}

// apiLoadsStart starts a load run: POST /api/v1/runs with sessions.
func (h *handler) apiLoadsStart(c *gin.Context, form apiRunForm) {
	in, err := form.ValidateLoad(h.actor(c))
	var lr runs.LoadRun
	if err == nil {
		lr, err = h.Runs.StartLoad(c.Request.Context(), in)
	}
	if err != nil {
		h.respondError(c, err)
		return
	}
	out := newAPILoadRun(runs.LoadReport{Run: lr}, false)
	c.JSON(http.StatusAccepted, APIRunList{Runs: []APIRun{}, LoadRun: &out})
}

// apiLoadsShow is a load run's counters, and its results once it ended.
func (h *handler) apiLoadsShow(c *gin.Context) {
	rep, err := h.loadReportInPath(c)
	if err != nil {
		h.respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, newAPILoadRun(rep, c.Query("sessions") == "true"))
}

// apiLoadsCancel stops a load run at once.
func (h *handler) apiLoadsCancel(c *gin.Context) {
	id, err := runID(c.Param("id"))
	if err == nil {
		_, err = h.Runs.CancelLoad(c.Request.Context(), id, h.actor(c))
	}
	if err != nil {
		h.respondError(c, err)
		return
	}
	rep, err := h.Runs.LoadReport(c.Request.Context(), id)
	if err != nil {
		h.respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, newAPILoadRun(rep, false))
}

// loadReportInPath is the load run named in the path: its counters while
// it runs, its whole report once it has ended.
func (h *handler) loadReportInPath(c *gin.Context) (runs.LoadReport, error) {
	id, err := runID(c.Param("id"))
	if err != nil {
		return runs.LoadReport{}, fmt.Errorf("load run: %w", err)
	}
	return h.Runs.LoadReport(c.Request.Context(), id)
}
