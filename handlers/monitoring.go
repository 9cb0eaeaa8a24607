package handlers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/views"
)

// monitoringPage lists every scheduled test with its state and record.
func (h *handler) monitoringPage(c *gin.Context) {
	ms, err := h.Runs.Monitoring(c.Request.Context())
	if err != nil {
		h.respondError(c, err)
		return
	}
	h.render(c, http.StatusOK, views.MonitoringPage(views.MonitoringPageData{Page: h.page("Monitoring", "monitoring"), Monitors: ms, Now: time.Now()}))
}
