package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/views"
)

// testSchedule sets a test's schedule and webhook, or shows its page again
// with what the user sent and each problem beside its field.
func (h *handler) testSchedule(c *gin.Context) {
	form := newScheduleForm(c.Request, c.Param("id"))
	in, err := form.Validate(h.actor(c))
	if err == nil {
		_, err = h.Runs.Schedule(c.Request.Context(), in)
	}
	if err != nil {
		p := h.problemFor(c, err)
		if p.Status == http.StatusNotFound || p.Status >= http.StatusInternalServerError {
			h.respondProblem(c, p)
			return
		}
		h.renderTestPage(c, p.Status, views.ScheduleData{Form: form.view(), Error: p.Message, Fields: p.Fields})
		return
	}
	c.Redirect(http.StatusSeeOther, "/tests/"+in.TestID+"#schedule")
}

// testUnschedule stops a test's scheduled runs and alerts.
func (h *handler) testUnschedule(c *gin.Context) {
	id := c.Param("id")
	if err := h.Runs.Unschedule(c.Request.Context(), id, h.actor(c)); err != nil {
		h.respondError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/tests/"+id+"#schedule")
}
