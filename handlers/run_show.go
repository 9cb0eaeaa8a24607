package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/views"
)

func (h *handler) runShow(c *gin.Context) {
	r, err := h.runInPath(c)
	var t runs.Test
	if err == nil && r.TestID != "" {
		t, err = h.Runs.GetTest(c.Request.Context(), r.TestID)
		if errors.Is(err, runs.ErrNotFound) {
			err = nil // the test was deleted; its runs stay readable
		}
	}
	if err != nil {
		h.respondError(c, err)
		return
	}
	title := fmt.Sprintf("Run #%d", r.ID)
	h.render(c, http.StatusOK, views.RunPage(views.RunPageData{Page: h.page(title, "tests"), Run: r, TestName: t.Name, Now: time.Now()}))
}

// runLive sends a run's steps and summary as each step changes; every
// update re-renders them whole, through the same components as the page.
func (h *handler) runLive(c *gin.Context) {
	r, err := h.runInPath(c)
	if err != nil {
		h.respondError(c, err)
		return
	}
	h.stream(c, live.RunTopic(r.ID), func(ctx context.Context, seq int64, _ []string, _ bool) (liveUpdate, error) {
		r, err := h.Runs.GetRun(ctx, r.ID)
		if err != nil {
			return liveUpdate{}, err
		}
		up, now := liveUpdate{Seq: seq + 1}, time.Now()
		for _, s := range r.Steps {
			html, err := renderHTML(ctx, views.RunStep(s, now))
			if err != nil {
				return up, err
			}
			up.Items = append(up.Items, item{ID: views.StepID(s.Number), Into: "steps", HTML: html})
		}
		html, err := renderHTML(ctx, views.RunSummary(r, now))
		up.Items = append(up.Items, item{ID: "run-summary", HTML: html})
		return up, err
	})
}

// runInPath loads the run named in the path.
func (h *handler) runInPath(c *gin.Context) (runs.Run, error) {
	id, err := runID(c.Param("id"))
	if err != nil {
		return runs.Run{}, err
	}
	return h.Runs.GetRun(c.Request.Context(), id)
}
