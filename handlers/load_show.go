package handlers

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/views"
)

// testLoad starts a load run of a test and opens its page.
func (h *handler) testLoad(c *gin.Context) {
	in, err := newLoadForm(c.Request, c.Param("id")).Validate(h.actor(c))
	var lr runs.LoadRun
	if err == nil {
		lr, err = h.Runs.StartLoad(c.Request.Context(), in)
	}
	if err != nil {
		h.respondError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/loads/%d", lr.ID))
}

func (h *handler) loadShow(c *gin.Context) {
	rep, err := h.loadReportInPath(c)
	var t runs.Test
	if err == nil && rep.Run.TestID != "" {
		t, err = h.Runs.GetTest(c.Request.Context(), rep.Run.TestID)
		if errors.Is(err, runs.ErrNotFound) {
			err = nil // the test was deleted; its load runs stay readable
		}
	}
	if err != nil {
		h.respondError(c, err)
		return
	}
	h.render(c, http.StatusOK, views.LoadPage(views.LoadPageData{Page: h.page(fmt.Sprintf("Load run #%d", rep.Run.ID), "tests"),
		Report: rep, TestName: t.Name, Now: time.Now()}))
}

// loadLive re-renders the counters as sessions start and end, and the
// results once the load run is over; notices come in bursts and are
// read together.
func (h *handler) loadLive(c *gin.Context) {
	id, err := runID(c.Param("id"))
	if err == nil {
		_, err = h.Runs.GetLoad(c.Request.Context(), id)
	}
	if err != nil {
		h.respondError(c, err)
		return
	}
	h.stream(c, runs.LoadTopic(id), func(ctx context.Context, seq int64, _ []string, _ bool) (liveUpdate, error) {
		var rep runs.LoadReport
		lr, err := h.Runs.GetLoad(ctx, id)
		if err == nil && lr.Finished() {
			rep, err = h.Runs.LoadReport(ctx, id)
		}
		if err != nil {
			return liveUpdate{}, err
		}
		if !lr.Finished() {
			rep.Run = lr
		}
		html, err := renderHTML(ctx, views.LoadBody(rep, time.Now()))
		return liveUpdate{Seq: seq + 1, Items: []item{{ID: "load-body", HTML: html}}}, err
	})
}

// loadCancel stops a load run and shows it.
func (h *handler) loadCancel(c *gin.Context) {
	id, err := runID(c.Param("id"))
	if err == nil {
		_, err = h.Runs.CancelLoad(c.Request.Context(), id, h.actor(c))
	}
	if err != nil {
		h.respondError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/loads/%d", id))
}

func (h *handler) loadJSON(c *gin.Context) {
	rep, err := h.loadReportInPath(c)
	if err != nil {
		h.respondError(c, err)
		return
	}
	attach(c, fmt.Sprintf("load-run-%d.json", rep.Run.ID))
	c.IndentedJSON(http.StatusOK, newAPILoadRun(rep, true))
}

// loadCSV is every session's raw timings, one row each, in milliseconds;
// an expectation's wait is a column per step.
func (h *handler) loadCSV(c *gin.Context) {
	rep, err := h.loadReportInPath(c)
	if err != nil {
		h.respondError(c, err)
		return
	}
	var steps []int
	seen := map[int]bool{}
	for _, s := range rep.Sessions {
		for _, w := range s.Waits {
			if !seen[w.Step] {
				seen[w.Step] = true
				steps = append(steps, w.Step)
			}
		}
	}
	attach(c, fmt.Sprintf("load-run-%d.csv", rep.Run.ID))
	c.Header("Content-Type", "text/csv; charset=utf-8")
	w := csv.NewWriter(c.Writer)
	head := []string{"session", "status", "session_id", "started_at", "finished_at", "new_session_ms", "agent_joined_ms", "callbacks", "failed_step", "reason"}
	for _, n := range steps {
		head = append(head, fmt.Sprintf("step_%d_wait_ms", n))
	}
	w.Write(head)
	for _, s := range rep.Sessions {
		row := []string{strconv.Itoa(s.Number), s.Status, s.SessionID, optStamp(s.StartedAt), optStamp(s.FinishedAt),
			optMS(s.NewSession), optMS(s.AgentJoined), strconv.Itoa(s.Callbacks), optInt(s.FailedStep), s.Reason}
		waits := map[int]time.Duration{}
		for _, wt := range s.Waits {
			waits[wt.Step] = wt.Wait
		}
		for _, n := range steps {
			if d, ok := waits[n]; ok {
				row = append(row, optMS(&d))
			} else {
				row = append(row, "")
			}
		}
		w.Write(safeCSV(row...))
	}
	w.Flush()
}

func optStamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return stamp(*t)
}

func optMS(d *time.Duration) string {
	if d == nil {
		return ""
	}
	return strconv.FormatFloat(ms(*d), 'f', 3, 64)
}

func optInt(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}
