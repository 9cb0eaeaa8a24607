package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// The API's endpoints: each reads its request, makes one service call and
// answers JSON; errors go through respondError like the pages'.

func (h *handler) apiRunsStart(c *gin.Context) {
	form, err := newAPIRunForm(c.Writer, c.Request)
	if err != nil {
		h.respondError(c, err)
		return
	}
	if form.IsLoad() {
		h.apiLoadsStart(c, form)
		return
	}
	in, err := form.Validate(h.actor(c))
	if err != nil {
		h.respondError(c, err)
		return
	}
	started, err := h.Runs.StartRuns(c.Request.Context(), in)
	if err != nil {
		h.respondError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, APIRunList{Runs: newAPIRuns(started)})
}

func (h *handler) apiRunsShow(c *gin.Context) {
	id, err := runID(c.Param("id"))
	if err != nil {
		h.respondError(c, err)
		return
	}
	r, err := h.Runs.GetRun(c.Request.Context(), id)
	if err != nil {
		h.respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, newAPIRun(r))
}

func (h *handler) apiRunsList(c *gin.Context) {
	filter, err := newAPIRunListForm(c.Request).Validate()
	if err != nil {
		h.respondError(c, err)
		return
	}
	rs, err := h.Runs.ListRuns(c.Request.Context(), filter)
	if err != nil {
		h.respondError(c, err)
		return
	}
	out := APIRunList{Runs: newAPIRuns(rs)}
	if len(rs) == filter.Limit {
		out.NextBefore = rs[len(rs)-1].ID
	}
	c.JSON(http.StatusOK, out)
}

func (h *handler) apiTestsList(c *gin.Context) {
	tests, err := h.Runs.ListTests(c.Request.Context())
	if err != nil {
		h.respondError(c, err)
		return
	}
	out := make([]APITest, len(tests))
	for i, t := range tests {
		out[i] = newAPITest(t)
	}
	c.JSON(http.StatusOK, gin.H{"tests": out})
}

// apiTranscript is the console's transcript download, as the API's answer.
func (h *handler) apiTranscript(c *gin.Context) {
	d, err := h.Sessions.ExportTranscript(c.Request.Context(), c.Param("id"), "json", h.actor(c))
	if err != nil {
		h.respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, newExportTranscript(d))
}
