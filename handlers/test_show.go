package handlers

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/views"
)

// testHistory is how many runs a test's page lists and charts.
const testHistory = 40

func (h *handler) testShow(c *gin.Context) { h.renderTestPage(c, http.StatusOK, views.ScheduleData{}) }

// renderTestPage shows a test with its runs, load runs and schedule; sched
// carries the Schedule form as sent when it was refused, or nothing.
func (h *handler) renderTestPage(c *gin.Context, status int, sched views.ScheduleData) {
	ctx := c.Request.Context()
	t, err := h.Runs.GetTest(ctx, c.Param("id"))
	var rs []runs.Run
	var loads []runs.LoadRun
	if err == nil {
		rs, err = h.Runs.ListRuns(ctx, runs.RunFilter{TestID: t.ID, Limit: testHistory})
	}
	if err == nil {
		loads, err = h.Runs.ListLoads(ctx, t.ID)
	}
	if err == nil {
		err = h.fillSchedule(ctx, t.ID, &sched)
	}
	if err != nil {
		h.respondError(c, err)
		return
	}
	h.render(c, status, views.TestPage(views.TestPageData{Page: h.page(t.Name, "tests"), Test: t, Runs: rs, Now: sched.Now,
		Loads: loads, Load: views.LoadFormData{TestID: t.ID, Connection: h.connectionName(), Ceiling: h.Runs.LoadCeiling()}, Schedule: sched}))
}

// fillSchedule adds a test's schedule and alerts to its panel, and the
// saved schedule to the form unless the form is one being shown again.
func (h *handler) fillSchedule(ctx context.Context, testID string, d *views.ScheduleData) error {
	d.TestID, d.Now = testID, time.Now()
	m, err := h.Runs.GetMonitor(ctx, testID)
	switch {
	case err == nil:
		d.Monitor = &m
		if d.Error == "" {
			d.Form = views.ScheduleForm{Cron: m.Cron, AlertURL: m.AlertURL}
			if m.Every > 0 {
				d.Form.Every = views.EveryValue(m.Every)
			}
		}
	case !errors.Is(err, runs.ErrNotFound):
		return err
	}
	d.Alerts, err = h.Runs.ListAlerts(ctx, testID)
	return err
}

// testLive keeps a test's run history and chart current while its runs
// go; notices on live.TopicRuns name the test that changed.
func (h *handler) testLive(c *gin.Context) {
	id := c.Param("id")
	if _, err := h.Runs.GetTest(c.Request.Context(), id); err != nil {
		h.respondError(c, err)
		return
	}
	h.stream(c, live.TopicRuns, func(ctx context.Context, seq int64, keys []string, all bool) (liveUpdate, error) {
		if !all && !slices.Contains(keys, id) {
			return liveUpdate{Seq: seq}, nil
		}
		rs, err := h.Runs.ListRuns(ctx, runs.RunFilter{TestID: id, Limit: testHistory})
		if err != nil {
			return liveUpdate{}, err
		}
		return testUpdate(ctx, seq+1, rs)
	})
}

// testUpdate renders the history's rows, oldest first so that each new one
// inserted on top leaves the newest there, and the chart.
func testUpdate(ctx context.Context, seq int64, rs []runs.Run) (liveUpdate, error) {
	up := liveUpdate{Seq: seq}
	now := time.Now()
	for _, r := range slices.Backward(rs) {
		html, err := renderHTML(ctx, views.RunRow(r, now))
		if err != nil {
			return up, err
		}
		up.Items = append(up.Items, item{ID: views.RunRowID(r.ID), Into: "run-rows", HTML: html, First: true})
	}
	html, err := renderHTML(ctx, views.RunChartPanel(rs))
	up.Items = append(up.Items, item{ID: "run-chart", HTML: html})
	return up, err
}

// connectionName is the Alvaria connection's name; the simulator's when
// none is set, as in tests.
func (h *handler) connectionName() string {
	if h.Connection == "" {
		return runs.SimulatorConnection
	}
	return h.Connection
}
